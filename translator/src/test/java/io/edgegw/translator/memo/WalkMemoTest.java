package io.edgegw.translator.memo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A walk memo answers for the same instances wherever they moved, and computes only for new ones. */
class WalkMemoTest {
  @Test
  void reusesTheSameInstancesAndComputesTheRest() {
    Random random = new Random(11);
    List<Object> pool = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      pool.add(new Object());
    }
    WalkMemo<Object, String> memo = new WalkMemo<>();
    AtomicInteger computed = new AtomicInteger();
    List<Object> before = List.of();
    for (int step = 0; step < 200; step++) {
      List<Object> keys = new ArrayList<>(pool.subList(0, 100));
      keys.removeIf(k -> random.nextInt(10) == 0);
      if (step % 7 == 0) {
        keys.subList(10, 40).clear(); // a long gap: found by a lookup
      }
      keys.add(random.nextInt(keys.size()), pool.get(100 + random.nextInt(100)));
      if (step % 13 == 0) {
        Collections.shuffle(keys, random);
      }
      List<Object> previous = before;
      int expected = (int) keys.stream().filter(k -> !previous.contains(k)).count();
      computed.set(0);
      for (Object key : keys) {
        assertEquals(String.valueOf(System.identityHashCode(key)), memo.get(key, k -> {
          computed.incrementAndGet();
          return String.valueOf(System.identityHashCode(k));
        }));
      }
      // New keys are computed; so may be, out of step (after a long gap, or a shuffle), the few met
      // before a lookup takes over.
      if (step % 13 != 0) {
        int slack = 9;
        assertTrue(computed.get() >= expected && computed.get() <= expected + slack,
            "step " + step + ": computed " + computed.get() + " for " + expected + " new");
      }
      memo.endTranslation();
      before = keys;
    }
    memo.get(pool.get(0), k -> "fresh");
    memo.clear();
    assertSame("again", memo.get(pool.get(0), k -> "again"));
  }
}
