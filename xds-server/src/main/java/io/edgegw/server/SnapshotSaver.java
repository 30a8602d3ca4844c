package io.edgegw.server;

import com.google.common.hash.HashCode;
import io.edgegw.translator.memo.Memo;
import io.edgegw.translator.model.Resource;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the newest acknowledged snapshot to its {@link ServedSnapshotFile} on a thread of its own, at
 * most once per {@code interval} (a snapshot holds every route: writing it for each of ten changes a
 * second would wear an edge box's flash for nothing), and once more on close. Off the config loop, so
 * a change is never delayed by it.
 */
public final class SnapshotSaver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotSaver.class);

  private final ServedSnapshotFile file;
  private final Duration interval;
  private final ScheduledThreadPoolExecutor writer = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "snapshot-saver");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<SnapshotPublisher.Published> pending = new AtomicReference<>();
  private SnapshotPublisher.Published saved; // writer thread only
  private final Memo<Resource, HashCode> fileDigests = Memo.byIdentity(); // writer thread only

  public SnapshotSaver(ServedSnapshotFile file, Duration interval) {
    this.file = Objects.requireNonNull(file, "file");
    this.interval = Objects.requireNonNull(interval, "interval");
    // close() writes what is pending at once; a write still waiting for its interval is not needed then.
    writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Safe from any thread; returns at once. A snapshot not translated from known inputs (a restored one,
   * a test's raw publish) is not saved: a start could not tell whether the store still matches it.
   */
  public void offer(SnapshotPublisher.Published published) {
    if (Objects.requireNonNull(published, "published").inputs().isEmpty()) {
      return;
    }
    if (pending.getAndSet(published) == null) {
      writer.schedule(this::write, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void write() {
    SnapshotPublisher.Published next = pending.getAndSet(null);
    if (next == null || next == saved) {
      return;
    }
    try {
      // The digest serializes every input changed since the last save: done here, off the config loop.
      ConfigStore.Digests digests = ConfigStore.digests(next.inputs().orElseThrow(), fileDigests);
      file.save(next, digests.overall(), digests.byPath());
      saved = next;
    } catch (IOException | RuntimeException e) {
      log.warn("cannot save the served snapshot (a restart translates the stored resources instead): {}", e.toString());
    }
  }

  @Override
  public void close() throws InterruptedException {
    writer.execute(this::write);
    writer.shutdown();
    if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
      writer.shutdownNow();
    }
  }
}
