package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import io.edgegw.mqtt.MqttSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A read-only look at the fleet for {@code edgegw fleet status}: collects what the broker retains, then reports. */
public final class FleetWatch implements AutoCloseable {
  private final BrokerView view;
  private final FleetClient client;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fleet-status");
    t.setDaemon(true);
    return t;
  });

  public FleetWatch(MqttSettings settings, String prefix) {
    this.view = new BrokerView(prefix);
    this.client = new FleetClient(settings, List.of(view.resourceFilter(), view.statusFilter()),
        (topic, payload) -> thread.execute(() -> view.accept(topic, payload)));
  }

  /** Connects and waits until the broker has delivered what it retains. */
  public FleetWatch start() {
    client.connect();
    client.awaitQuiet(FleetSync.QUIET, FleetSync.INITIAL_MAX);
    return this;
  }

  public ImmutableList<FleetReport.Gateway> report() {
    return call(() -> FleetReport.of(view));
  }

  /** Waits until {@link FleetReport#settled} or {@code timeout}; the last report either way. */
  public ImmutableList<FleetReport.Gateway> awaitSettled(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ImmutableList<FleetReport.Gateway> report = report();
    while (!FleetReport.settled(report) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
      report = report();
    }
    return report;
  }

  private <T> T call(Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    client.close();
    thread.shutdown();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
