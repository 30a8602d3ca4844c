package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the sidecar still takes in changes, for {@code /healthz/live} (docs/admin.md): a probe task
 * must run on the config loop every {@link #BEAT} and has run within {@link #LOOP_LIMIT}, and no source
 * may report itself stuck. A broker that is merely unreachable keeps the sidecar live (offline autonomy
 * is a normal state; the MQTT connection keeps trying); a process that is up but can no longer apply any
 * change is not, and is best restarted. Readiness ({@code /healthz/ready}) is about what Envoy is served
 * and does not look at this.
 */
public final class Liveness {
  private static final Logger log = LoggerFactory.getLogger(Liveness.class);
  /** How often the config loop runs the probe task. */
  static final Duration BEAT = Duration.ofSeconds(5);
  /**
   * How long the loop may go without running it: far above the longest translation measured (a few
   * seconds for the largest inputs the documented limits allow, docs/resilience.md).
   */
  static final Duration LOOP_LIMIT = Duration.ofSeconds(60);

  /** The answer: live, or not with the reasons. */
  public record Verdict(boolean live, ImmutableList<String> problems) {
    public Verdict {
      Objects.requireNonNull(problems, "problems");
    }
  }

  private final LongSupplier nanos;
  private final Supplier<ImmutableList<Optional<String>>> sources;
  private volatile long lastBeatNanos;
  /** What the last check found, so that probes every few seconds log only the changes. */
  private volatile boolean wasLive = true;

  /**
   * @param nanos the clock ({@link System#nanoTime()} in production)
   * @param sources each source's {@link Source#stuck()}, asked at every check
   */
  Liveness(LongSupplier nanos, Supplier<ImmutableList<Optional<String>>> sources) {
    this.nanos = Objects.requireNonNull(nanos, "nanos");
    this.sources = Objects.requireNonNull(sources, "sources");
    this.lastBeatNanos = nanos.getAsLong();
  }

  /** Runs the probe task on {@code loop} every {@link #BEAT}, from now on. */
  void beatOn(ScheduledExecutorService loop) {
    loop.scheduleWithFixedDelay(this::beat, 0, BEAT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The config loop ran the probe task. */
  void beat() {
    lastBeatNanos = nanos.getAsLong();
  }

  /** Safe from any thread. */
  public Verdict check() {
    ImmutableList.Builder<String> problems = ImmutableList.builder();
    long sinceBeat = nanos.getAsLong() - lastBeatNanos;
    if (sinceBeat > LOOP_LIMIT.toNanos()) {
      problems.add("config loop: no probe task ran for " + TimeUnit.NANOSECONDS.toSeconds(sinceBeat)
          + " s (it runs one every " + BEAT.toSeconds() + " s)");
    }
    for (Optional<String> stuck : sources.get()) {
      stuck.ifPresent(problems::add);
    }
    ImmutableList<String> all = problems.build();
    if (all.isEmpty() != wasLive) {
      wasLive = all.isEmpty();
      if (wasLive) {
        log.info("live again: changes are taken in");
      } else {
        log.error("not live (/healthz/live answers 503): {}", String.join("; ", all));
      }
    }
    return new Verdict(all.isEmpty(), all);
  }
}
