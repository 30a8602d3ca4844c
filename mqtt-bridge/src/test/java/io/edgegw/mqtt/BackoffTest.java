package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));

  /** Always draws the lowest or the highest value it may. */
  private static RandomGenerator extreme(boolean high) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public long nextLong(long bound) {
        return high ? bound - 1 : 0;
      }
    };
  }

  @Test
  void ceilingDoublesFromTheFirstDelayUpToTheCap() {
    List<Long> ceilings = IntStream.rangeClosed(1, 8).mapToObj(a -> backoff.ceiling(a).toMillis()).toList();
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10000L, 10000L, 10000L), ceilings);
    assertEquals(Duration.ofSeconds(10), backoff.ceiling(1_000_000), "no overflow for huge attempts");
  }

  @Test
  void jitterSpansTheUpperHalfOfEachStep() {
    List<Long> lowest = IntStream.rangeClosed(1, 6).mapToObj(a -> backoff.delay(a, extreme(false)).toMillis()).toList();
    List<Long> highest = IntStream.rangeClosed(1, 6).mapToObj(a -> backoff.delay(a, extreme(true)).toMillis()).toList();
    assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 5000L), lowest);
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10000L), highest);
  }

  @Test
  void seededDrawsStayInBoundsAndDiffer() {
    SplittableRandom random = new SplittableRandom(42);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      long millis = backoff.delay(3, random).toMillis();
      assertTrue(millis >= 1000 && millis <= 2000, "out of [1000, 2000]: " + millis);
      seen.add(millis);
    }
    assertTrue(seen.size() > 100, "jitter should spread: " + seen.size() + " distinct delays");
    // The same seed gives the same schedule: the connection's randomness is injected, not global.
    assertEquals(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10)).delay(3, new SplittableRandom(42)),
        backoff.delay(3, new SplittableRandom(42)));
  }

  @Test
  void tinyStepsStillWork() {
    Backoff tiny = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1));
    long millis = tiny.delay(5, new SplittableRandom(1)).toMillis();
    assertTrue(millis == 0 || millis == 1, "delay " + millis);
    assertThrows(IllegalArgumentException.class, () -> backoff.delay(0, new SplittableRandom(1)));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
  }
}
