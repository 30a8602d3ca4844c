package io.edgegw.it.harness;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A client that sends one request after another through Envoy, each on a new connection, from
 * {@link #start} until {@link #stop}, and counts those that failed (no answer, or an answer the
 * predicate refuses). Failures keep their reason for the assertion message.
 */
public final class TrafficLoop implements AutoCloseable {
  private static final int FAILURES_KEPT = 20;

  /** What the loop saw. */
  public record Result(long ok, long failed, List<String> failures) {
    @Override
    public String toString() {
      return ok + " ok, " + failed + " failed" + (failures.isEmpty() ? "" : ": " + failures);
    }
  }

  private final int port;
  private final String host;
  private final String path;
  private final Predicate<HttpProbe.Response> good;
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  private TrafficLoop(int port, String host, String path, Predicate<HttpProbe.Response> good) {
    this.port = port;
    this.host = Objects.requireNonNull(host, "host");
    this.path = Objects.requireNonNull(path, "path");
    this.good = Objects.requireNonNull(good, "good");
    this.thread = new Thread(this::run, "traffic-" + host + path);
    this.thread.setDaemon(true);
  }

  /** Starts sending GET {@code path} with Host {@code host} to 127.0.0.1:{@code port}. */
  public static TrafficLoop start(int port, String host, String path, Predicate<HttpProbe.Response> good) {
    TrafficLoop loop = new TrafficLoop(port, host, path, good);
    loop.thread.start();
    return loop;
  }

  /** What the loop saw so far, while it runs. */
  public Result snapshot() {
    return new Result(ok.get(), failed.get(), List.copyOf(failures));
  }

  /** Stops after the request under way, and returns what the loop saw. */
  public Result stop() {
    stopped = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return snapshot();
  }

  @Override
  public void close() {
    stop();
  }

  private void run() {
    while (!stopped) {
      String failure;
      try {
        HttpProbe.Response response = HttpProbe.get(port, host, path);
        failure = good.test(response) ? null : response.status() + " from " + response.backend() + ": " + response.body();
      } catch (RuntimeException e) {
        failure = e.getMessage();
      }
      if (failure == null) {
        ok.incrementAndGet();
      } else {
        failed.incrementAndGet();
        if (failures.size() < FAILURES_KEPT) {
          failures.add(System.currentTimeMillis() + " " + failure);
        }
      }
    }
  }
}
