package io.edgegw.server;

import io.edgegw.mqtt.ThreadOwner;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the config loop rebuilds. Leading edge: a change after a quiet spell is published as soon as the
 * events queued behind it are stored, so a lone change waits for nothing. A change within one debounce
 * interval of the last rebuild waits for the interval to end and rides along with what else arrives
 * meanwhile, so a burst costs about one translation per interval; during a long burst what is stored is
 * still published every {@link #MAX_COALESCING}.
 *
 * <p>{@link #execute} is safe from any thread; everything else runs on the loop thread.
 */
final class Coalescer {
  private static final Logger log = LoggerFactory.getLogger(Coalescer.class);
  /** The longest a change waits for a burst to end before it is published anyway. */
  static final Duration MAX_COALESCING = Duration.ofSeconds(1);

  private final ScheduledExecutorService loop;
  private final Duration debounce;
  private final Runnable rebuild;
  private final ThreadOwner owner = new ThreadOwner("the rebuild schedule");
  /** Events handed to the loop and not yet taken up; written from any thread. */
  private final AtomicInteger queued = new AtomicInteger();
  private ScheduledFuture<?> pending;
  private long firstChangeNanos;
  private long lastRebuildNanos = System.nanoTime() - Duration.ofDays(1).toNanos();

  /** {@code rebuild} runs on the loop and must call {@link #rebuilding()} first. */
  Coalescer(ScheduledExecutorService loop, Duration debounce, Runnable rebuild) {
    this.loop = Objects.requireNonNull(loop, "loop");
    this.debounce = Objects.requireNonNull(debounce, "debounce");
    this.rebuild = Objects.requireNonNull(rebuild, "rebuild");
  }

  /** Runs {@code task} on the loop, counted as queued until it starts; dropped once the loop stopped. */
  void execute(Runnable task) {
    queued.incrementAndGet();
    try {
      loop.execute(() -> {
        queued.decrementAndGet();
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("config loop task failed", e);
        }
        if (pending != null && System.nanoTime() - firstChangeNanos >= maxCoalescing().toNanos()) {
          // A long burst: publish what is stored so far rather than wait for the queue to drain.
          pending.cancel(false);
          rebuild.run();
        }
      });
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      log.debug("config loop stopped; event dropped");
    }
  }

  /** Something was stored: a rebuild is due, at once or at the end of the debounce interval. */
  void changed() {
    owner.check();
    if (pending == null) {
      long now = System.nanoTime();
      firstChangeNanos = now;
      long wait = Math.max(0, lastRebuildNanos + debounce.toNanos() - now);
      pending = loop.schedule(this::afterQueue, wait, TimeUnit.NANOSECONDS);
    }
  }

  /** A rebuild starts now: whatever was pending is part of it. */
  void rebuilding() {
    owner.check();
    pending = null;
    lastRebuildNanos = System.nanoTime();
  }

  private void afterQueue() {
    if (queued.get() > 0) {
      pending = loop.schedule(this::afterQueue, 0, TimeUnit.NANOSECONDS);
      return;
    }
    rebuild.run();
  }

  private Duration maxCoalescing() {
    return debounce.compareTo(MAX_COALESCING) > 0 ? debounce : MAX_COALESCING;
  }
}
