package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Group testing against a simulated Envoy that refuses any snapshot holding one of the "poisoned"
 * inputs: every poison ends up quarantined, every other input served, in a logarithmic number of tries.
 */
class QuarantineTest {

  @Test
  void aLoneSuspectIsQuarantinedAtOnce() {
    Quarantine q = new Quarantine();
    Resource poison = Fixtures.virtualService("poison", "p");
    InputSet inputs = Fixtures.inputSet(Fixtures.virtualService("a", "a"), poison);
    q.refused(inputs, Set.of(poison.key()), "bad regex");
    assertEquals("bad regex", q.held(poison.key()).orElseThrow().message());
    assertTrue(q.suspects().isEmpty());
    // Held out; the version Envoy acknowledged before is served instead, when there is one.
    Resource older = Fixtures.virtualService("poison", "older");
    assertEquals(Set.of(Fixtures.virtualService("a", "a").key()), q.effective(inputs, k -> Optional.empty()).resources().keySet());
    assertEquals(older, q.effective(inputs, k -> Optional.of(older)).resources().get(poison.key()));
  }

  @Test
  void oneNackWithManySuspectsFindsEveryPoisonAndServesTheRest() {
    for (int size : new int[] {2, 3, 8, 33, 100}) {
      for (Set<Integer> poisoned : List.of(Set.of(0), Set.of(size - 1), Set.of(0, size - 1), Set.of(size / 2))) {
        assertFindsExactly(size, poisoned);
      }
    }
  }

  private static void assertFindsExactly(int size, Set<Integer> poisoned) {
    List<Resource> all = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      all.add(Fixtures.virtualService("vs-" + i, "h" + i));
    }
    Set<ResourceKey> bad = poisoned.stream().map(i -> all.get(i).key()).collect(Collectors.toSet());
    InputSet stored = Fixtures.inputSet(all.toArray(Resource[]::new));
    Predicate<InputSet> envoyAccepts = s -> s.resources().keySet().stream().noneMatch(bad::contains);
    Quarantine q = new Quarantine();
    InputSet[] acked = {InputSet.EMPTY};

    // The first snapshot holds everything: refused, every input is a suspect.
    q.refused(stored, stored.resources().keySet(), "refused");
    int tries = 0;
    while (!q.suspects().isEmpty()) {
      assertTrue(++tries < 4 * size + 10, "no progress with " + size + " inputs");
      q.nextTry(stored);
      InputSet tried = q.effective(stored, k -> Optional.empty());
      if (envoyAccepts.test(tried)) {
        acked[0] = tried;
        q.acknowledged(tried, stored);
      } else {
        Set<ResourceKey> changed = tried.resources().keySet().stream()
            .filter(k -> !acked[0].resources().containsKey(k)).collect(Collectors.toSet());
        q.refused(tried, changed, "refused");
      }
    }
    assertEquals(bad, q.held().keySet(), "quarantined of " + size + " with poison " + poisoned);
    InputSet served = q.effective(stored, k -> Optional.empty());
    assertEquals(size - bad.size(), served.resources().size());
    assertTrue(envoyAccepts.test(served));
    if (bad.size() == 1) {
      double log2 = Math.log(size) / Math.log(2);
      assertTrue(tries <= 2 * Math.ceil(log2) + 2, size + " inputs took " + tries + " tries");
    }
  }

  @Test
  void aNewVersionOrADeleteLiftsIt() {
    Quarantine q = new Quarantine();
    Resource a = Fixtures.virtualService("a", "a");
    Resource b = Fixtures.virtualService("b", "b");
    Resource c = Fixtures.virtualService("c", "c");
    InputSet inputs = Fixtures.inputSet(a, b, c);
    q.refused(inputs, Set.of(a.key()), "x");
    q.refused(inputs, Set.of(b.key(), c.key()), "y");
    assertEquals(ImmutableSet.of(b.key(), c.key()), q.suspects());
    assertTrue(q.lift(a.key()));
    assertTrue(q.lift(b.key()));
    assertFalse(q.lift(b.key()));
    assertTrue(q.held().isEmpty());
    assertEquals(ImmutableSet.of(c.key()), q.suspects());
  }

  @Test
  void anotherThreadIsRefused() throws Exception {
    Quarantine q = new Quarantine();
    q.suspects();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Exception e = assertThrows(Exception.class, () -> other.submit(q::suspects).get());
      assertTrue(e.getCause() instanceof IllegalStateException);
    } finally {
      other.shutdownNow();
    }
  }
}
