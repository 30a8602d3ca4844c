package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code edgegw fleet sync}: keeps every announced gateway's retained resource topics equal to what
 * placement gives it from the source directory, publishing only differences.
 *
 * <p>On start it first collects what the broker retains (announcements, resources) and diffs against
 * that, so a restart publishes nothing when nothing changed. Afterwards it reconciles when the
 * source changes (polled), when a gateway's labels change or a new one announces itself, and when a
 * retained resource differs from what it published (someone else wrote it). A source with errors
 * publishes nothing: a broken commit must not take routes away from the fleet.
 *
 * <p>Threads: all state is owned by the {@code fleet-sync} thread; Paho's thread only enqueues.
 */
public final class FleetSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetSync.class);
  static final Duration QUIET = Duration.ofSeconds(1);
  static final Duration INITIAL_MAX = Duration.ofSeconds(30);
  /** Publishes in flight at once; below mosquitto's default Receive Maximum (20), Paho waits at any lower one. */
  static final int WINDOW = 16;

  /** What one reconcile did. */
  public record Round(int published, int deleted, ImmutableList<String> problems) {}

  private final FleetSource source;
  private final Placement placement;
  private final String prefix;
  private final Duration pollInterval;
  private final BrokerView view;
  private final FleetClient client;
  private final ScheduledExecutorService thread;
  private final Metrics metrics = new Metrics();
  private boolean started;
  private boolean dirty = true;
  private String fingerprint = "";
  private String settling = "";
  private Optional<Placement.Sources> sources = Optional.empty();
  private ImmutableList<String> lastProblems = ImmutableList.of();

  /** Counters for the log and tests; read from any thread. */
  public static final class Metrics {
    public volatile long published;
    public volatile long deleted;
    public volatile long rounds;
    public volatile long failedRounds;
  }

  public FleetSync(
      FleetSource source,
      Placement placement,
      MqttSettings settings,
      String prefix,
      Duration pollInterval) {
    this.source = Objects.requireNonNull(source, "source");
    this.placement = Objects.requireNonNull(placement, "placement");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.view = new BrokerView(prefix);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fleet-sync");
      t.setDaemon(true);
      return t;
    });
    this.client = new FleetClient(settings, List.of(view.resourceFilter(), view.announcementFilter()),
        (topic, payload) -> thread.execute(() -> {
          if (view.accept(topic, payload)) {
            dirty = true;
          }
        }));
  }

  public Metrics metrics() {
    return metrics;
  }

  /**
   * Connects, takes in what the broker retains, reconciles once and then every poll interval when
   * something changed. Throws when the broker cannot be reached at start.
   */
  public void start() {
    try {
      source.start();
    } catch (IOException e) {
      throw new IllegalStateException(source.describe() + ": " + e.getMessage(), e);
    }
    client.connect();
    client.awaitQuiet(QUIET, INITIAL_MAX);
    call(() -> {
      started = true;
      log.info("fleet: the broker retains {} gateway(s) under {}/", view.gateways().size(), prefix);
      return reconcile();
    });
    thread.scheduleWithFixedDelay(this::tick, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What the admin endpoint shows: taken on the sync's thread, immutable. */
  public record State(
      boolean ready,
      boolean connected,
      long published,
      long deleted,
      long rounds,
      long failedRounds,
      int sourceResources,
      ImmutableList<String> problems,
      ImmutableMap<String, GatewayAnnouncement> gateways,
      ImmutableMap<String, Integer> placed) {}

  public State state() {
    return call(
        () -> {
          ImmutableMap.Builder<String, Integer> placed = ImmutableMap.builder();
          view.gateways().keySet().forEach(id -> placed.put(id, view.resourcesOf(id).size()));
          return new State(
              // Not before the source has been read through once (a Kubernetes source: every kind
              // listed): until then nothing is published, so "ready" would mislead a rollout.
              started && source.ready(),
              client.isConnected(),
              metrics.published,
              metrics.deleted,
              metrics.rounds,
              metrics.failedRounds,
              sources.map(s -> s.resources().size()).orElse(0),
              lastProblems,
              ImmutableMap.copyOf(view.gateways()),
              placed.buildOrThrow());
        });
  }

  /**
   * Waits until the source has read everything once (a Kubernetes API listed every kind); for {@code
   * --once}, which must not reconcile against a partial view. False when {@code timeout} passed first.
   */
  public boolean awaitSourceReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!source.ready()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /** One reconcile now, on the sync's thread; for tests and {@code --once}. */
  public Round reconcileNow() {
    return call(() -> {
      dirty = true;
      return reconcile();
    });
  }

  private void tick() {
    try {
      if (started && client.isConnected()) {
        reconcile();
      }
    } catch (RuntimeException e) {
      metrics.failedRounds++;
      log.warn("fleet: reconcile failed, trying again in {} ms: {}", pollInterval.toMillis(), e.getMessage());
      dirty = true;
    }
  }

  private Round reconcile() {
    readSourceIfChanged();
    if (!dirty || sources.isEmpty() || !lastProblems.isEmpty()) {
      return new Round(0, 0, lastProblems);
    }
    ImmutableList<Reconciler.Change> changes = Reconciler.changes(sources.get(), view);
    // A window of publishes in flight: one change for a thousand gateways is a thousand publishes, and
    // waiting for each PUBACK in turn would make it a thousand round trips (docs/benchmarks.md, "Fleet").
    Deque<Sending> window = new ArrayDeque<>();
    for (Reconciler.Change change : changes) {
      if (window.size() >= WINDOW) {
        acknowledged(window.poll());
      }
      String topic = new TopicContract(prefix, change.gatewayId()).resourceTopic(change.key());
      window.add(new Sending(change, client.publishRetainedAsync(topic, change.payload().orElse(new byte[0]))));
    }
    while (!window.isEmpty()) {
      acknowledged(window.poll());
    }
    int deleted = (int) changes.stream().filter(Reconciler.Change::delete).count();
    int published = changes.size() - deleted;
    dirty = false;
    metrics.rounds++;
    if (published + deleted > 0) {
      log.info("fleet: {} published, {} deleted across {} gateway(s)", published, deleted, view.gateways().size());
    }
    return new Round(published, deleted, ImmutableList.of());
  }

  private record Sending(Reconciler.Change change, FleetClient.InFlight publish) {}

  /** Waits for one publish; only an acknowledged one counts as what the broker holds. */
  private void acknowledged(Sending sending) {
    client.await(sending.publish());
    Reconciler.Change change = sending.change();
    view.published(change.gatewayId(), change.key(), change.payload());
    if (change.delete()) {
      metrics.deleted++;
      log.info("fleet: deleted {} on {}", change.key(), change.gatewayId());
    } else {
      metrics.published++;
      log.info("fleet: published {} to {}", change.key(), change.gatewayId());
    }
  }

  private void readSourceIfChanged() {
    if (sources.isEmpty() && !source.ready()) {
      return; // not read through once yet: publishing a partial view would delete from the gateways
    }
    String now;
    try {
      now = source.fingerprint();
    } catch (IOException e) {
      problems(ImmutableList.of(source.describe() + ": cannot be read: " + e.getMessage()));
      fingerprint = ""; // read it again once it can be
      return;
    }
    if (now.equals(fingerprint) && sources.isPresent()) {
      return;
    }
    if (sources.isPresent() && !now.equals(settling)) {
      // Changed since the last look: wait one more poll for it to stop changing (a checkout in progress,
      // a file half written), so a half-updated directory is never published.
      settling = now;
      return;
    }
    try {
      SourceDirectory.Snapshot snapshot = source.read();
      Placement.Sources decoded = placement.decode(snapshot.resources());
      List<String> problems = new ArrayList<>(snapshot.problems());
      decoded.errors().forEach(d -> problems.add(d.toString()));
      fingerprint = now;
      sources = Optional.of(decoded);
      dirty = true;
      problems(ImmutableList.copyOf(problems));
      if (problems.isEmpty()) {
        log.info("fleet: source {} has {} resource(s)", source.describe(), snapshot.resources().size());
      }
    } catch (IOException e) {
      problems(ImmutableList.of(source.describe() + ": cannot be read: " + e.getMessage()));
    }
  }

  private void problems(ImmutableList<String> problems) {
    if (!problems.equals(lastProblems)) {
      problems.forEach(p -> log.error("fleet: source rejected, nothing is published until it is fixed: {}", p));
      if (problems.isEmpty() && !lastProblems.isEmpty()) {
        log.info("fleet: source is valid again");
      }
    }
    lastProblems = problems;
  }

  private <T> T call(Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
    source.close();
  }
}
