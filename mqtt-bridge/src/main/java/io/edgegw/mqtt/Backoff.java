package io.edgegw.mqtt;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code first}, capped at {@code max}, with "equal jitter"
 * (each delay is drawn uniformly from the upper half of its step), so gateways that lost the same
 * broker do not all come back in the same millisecond.
 */
record Backoff(Duration first, Duration max) {
  static final Duration FIRST = Duration.ofMillis(500);

  Backoff {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    if (first.toMillis() < 1 || max.toMillis() < 1) {
      throw new IllegalArgumentException("first and max must be at least 1 ms");
    }
  }

  /** The step before jitter for the {@code attempt}-th retry (from 1): first, 2 x first, ... up to max. */
  Duration ceiling(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt counts from 1, got " + attempt);
    }
    long millis = first.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  /** A delay in {@code [ceiling/2, ceiling]}. */
  Duration delay(int attempt, RandomGenerator random) {
    long ceiling = ceiling(attempt).toMillis();
    long floor = ceiling / 2;
    return Duration.ofMillis(floor + random.nextLong(ceiling - floor + 1));
  }
}
