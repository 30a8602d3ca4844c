package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import io.edgegw.kube.KubeSettings;
import io.edgegw.kube.KubeSource;
import io.edgegw.kube.KubeStatusWriter;
import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.mqtt.MqttConnection;
import io.edgegw.mqtt.MqttResourceSource;
import io.edgegw.mqtt.MqttStatusPublisher;
import io.edgegw.mqtt.StatusPublisher;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.ResourceReader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import com.google.common.util.concurrent.Uninterruptibles;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running sidecar. Start order: load the store, translate and publish (so a persisted config is
 * served at once, even with the broker down), xDS server, admin, then the sources. {@link #close()}
 * stops everything in reverse order and releases the ports.
 */
public final class Sidecar implements AutoCloseable {
  /** The release, as announced on the gateway's MQTT status topic and printed by {@code --version}. */
  public static final String SOFTWARE_VERSION = "0.1.0";
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

  private final Deque<AutoCloseable> started; // closed last-in first-out
  /** How often, at most, the acknowledged snapshot is written to the state directory. */
  private static final Duration SNAPSHOT_SAVE_INTERVAL = Duration.ofSeconds(1);
  private final ConfigLoop configLoop;
  private final SnapshotPublisher publisher;
  private final XdsCallbacks xdsCallbacks;
  private final XdsTraffic xdsTraffic;
  private final XdsServer xdsServer;
  private final AdminServer adminServer;
  private final ImmutableList<Source> sources;

  private Sidecar(Deque<AutoCloseable> started, ConfigLoop configLoop, SnapshotPublisher publisher,
      XdsCallbacks xdsCallbacks, XdsTraffic xdsTraffic, XdsServer xdsServer, AdminServer adminServer,
      ImmutableList<Source> sources) {
    this.started = started;
    this.configLoop = configLoop;
    this.publisher = publisher;
    this.xdsCallbacks = xdsCallbacks;
    this.xdsTraffic = xdsTraffic;
    this.xdsServer = xdsServer;
    this.adminServer = adminServer;
    this.sources = sources;
  }

  public static Sidecar start(SidecarConfig config, Components components) throws Exception {
    return start(config, components, openState(config));
  }

  /** As {@link #start(SidecarConfig, Components)}, with the state directory {@link #openState opened}. */
  public static Sidecar start(SidecarConfig config, Components components, StateOnDisk state) throws Exception {
    return start(config, components, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), state);
  }

  /** As {@link #start(SidecarConfig, Components)}, with the registry that {@code /metrics} exports. */
  public static Sidecar start(SidecarConfig config, Components components, PrometheusMeterRegistry registry)
      throws Exception {
    return start(config, components, registry, openState(config));
  }

  /** The store, not read yet, and the digest of its files, being computed on a thread of its own. */
  public record StateOnDisk(ConfigStore store, Future<String> digest) {}

  /**
   * Opens the store in the state directory and starts reading and hashing its files, which the saved
   * snapshot is checked against (0.1-0.3 s of a cold start at 1000 routes). No protobuf class is touched,
   * so {@code run} calls this before {@link StartWarmup} has ended, and the hashing runs while the main
   * thread waits for it; call after logging is set up.
   */
  public static StateOnDisk openState(SidecarConfig config) throws IOException {
    // Read on the config loop, behind a saved snapshot if there is one (see start).
    ConfigStore store = ConfigStore.unloaded(config.stateDir(), config.maxStoreBytes());
    FutureTask<String> digest = new FutureTask<>(store::digestOnDisk);
    Thread digester = new Thread(digest, "store-digest");
    digester.setDaemon(true);
    digester.start();
    return new StateOnDisk(store, digest);
  }

  private static Sidecar start(SidecarConfig config, Components components, PrometheusMeterRegistry registry,
      StateOnDisk state) throws Exception {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(components, "components");
    Objects.requireNonNull(registry, "registry");
    Metrics metrics = new Metrics(registry);
    Clock clock = Clock.systemUTC();
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      ConfigStore store = state.store();
      // What Envoy last acknowledged, served before the inputs are read and translated, but only while
      // the store holds exactly the inputs it was made from (a crash soon after a change leaves it older).
      // The store's digest is being computed meanwhile (openState): they share no state.
      // One encoder for Envoy and the saved snapshot: each remembers the same hosts' bytes.
      ResourceEncoder encoder = new ResourceEncoder();
      ServedSnapshotFile snapshotFile = new ServedSnapshotFile(config.stateDir(), encoder);
      Future<String> storeDigest = state.digest();
      Optional<ServedSnapshotFile.Saved> savedFile = snapshotFile.load();
      Optional<SnapshotPublisher.Published> saved = savedFile
          .filter(s -> matchesStore(s, storeDigest))
          .map(ServedSnapshotFile.Saved::published);
      Callable<Void> load = () -> {
        store.load();
        log.info("loaded {} resources from {}", store.inputSet().resources().size(), config.stateDir());
        return null;
      };

      ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "config-loop");
        t.setDaemon(true);
        return t;
      });
      started.push(() -> {
        loop.shutdown();
        if (!loop.awaitTermination(5, TimeUnit.SECONDS)) {
          loop.shutdownNow();
        }
      });
      // One MQTT connection carries both directions: resources in, per-resource status out.
      Optional<MqttConnection> mqttConnection = config.mqtt().map(settings ->
          new MqttConnection(settings, config.topics(), clock, RandomGenerator.getDefault()));
      // The online message carries what the fleet needs: labels for placement, what is served now and
      // since when, and how many inputs stand where (so the sync need not read every resource status).
      AtomicReference<String> servedVersion = new AtomicReference<>();
      AtomicReference<Instant> lastApplied = new AtomicReference<>();
      AtomicReference<GatewayAnnouncement.Counts> counts = new AtomicReference<>();
      mqttConnection.ifPresent(
          c ->
              c.describeWith(
                  () ->
                      new GatewayAnnouncement.Identity(
                          Optional.of(config.gatewayLabels()),
                          Optional.of(SOFTWARE_VERSION),
                          Optional.ofNullable(servedVersion.get()),
                          Optional.ofNullable(lastApplied.get()),
                          Optional.ofNullable(counts.get()))));
      // Per-resource status: to the MQTT status topic, and into the .status of the Gateway API objects
      // the Kubernetes source owns (unless --kube-write-status=false).
      Optional<StatusPublisher> mqttStatus = mqttConnection.map(MqttStatusPublisher::new);
      Optional<KubeStatusWriter> kubeStatus = Optional.empty();
      if (config.kube().map(KubeSettings::writeStatus).orElse(false)) {
        KubeStatusWriter writer = new KubeStatusWriter(config.kube().get());
        started.push(writer);
        kubeStatus = Optional.of(writer);
      }
      Optional<StatusPublisher> statusPublisher = kubeStatus.isEmpty() ? mqttStatus
          : Optional.of(new KubeStatusPublisher(mqttStatus.orElse(KubeStatusPublisher.NONE), kubeStatus.get(),
              store::owner));
      Consumer<StatusBoard> perResource = statusPublisher
          .<Consumer<StatusBoard>>map(p -> new StatusReporter(p, clock))
          .orElse(board -> {});
      Consumer<StatusBoard> statusReporter = board -> {
        GatewayAnnouncement.Counts now = board.counts();
        if (!now.equals(counts.getAndSet(now))) {
          mqttConnection.ifPresent(MqttConnection::announce);
        }
        perResource.accept(board);
      };
      SnapshotSaver saver = new SnapshotSaver(snapshotFile, SNAPSHOT_SAVE_INTERVAL);
      started.push(saver);
      SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache(), metrics, clock,
          config.versionsKept());
      publisher.addAckListener(acked -> {
        saver.offer(acked);
        servedVersion.set(acked.version());
        lastApplied.set(clock.instant());
        mqttConnection.ifPresent(MqttConnection::announce);
      });
      GatewayIdentity identity = config.identity(NodeAddresses.read());
      log.info(
          "node policy: listeners may bind {} on ports {}-{}; reserved ports {}; upstreams refused {} except {}",
          identity.nodePolicy().listenAddresses().isEmpty()
              ? "any address"
              : identity.nodePolicy().listenAddresses(),
          identity.nodePolicy().minListenPort(),
          identity.nodePolicy().maxListenPort(),
          identity.nodePolicy().reservedPorts(),
          identity.nodePolicy().deniedUpstreams(),
          identity.nodePolicy().allowedUpstreams());
      ConfigLoop configLoop = new ConfigLoop(loop, store, components.validator(), components.translator(),
          identity, publisher, config.debounce(), statusReporter, metrics,
          Optional.of(new QuarantineFile(config.stateDir())));
      if (savedFile.isPresent()) {
        // What a refusal before this run's first acknowledgement suspects: the inputs changed since.
        configLoop.previousRunInputs(savedFile.get().inputDigests());
        if (saved.isEmpty()) {
          // Too old to serve first, but Envoy had it: what a refusal rolls back to rather than nothing.
          publisher.rememberPreviousRun(savedFile.get().published());
        }
      }
      if (saved.isPresent()) {
        // Served at once; the stored resources are read and translated on the loop while xDS starts,
        // which sends Envoy nothing when it finds the same content (the usual case), or the newer config.
        configLoop.call(() -> {
          publisher.restore(saved.get());
          return null;
        });
        loop.execute(() -> {
          try {
            load.call();
            configLoop.rebuildSoon();
          } catch (Exception e) {
            // Translating a half-read store would take routes away: keep what Envoy acknowledged.
            log.error("cannot read the state directory {}; still serving the saved snapshot", config.stateDir(), e);
          }
        });
      } else {
        configLoop.call(load);
        configLoop.rebuildNow();
      }

      ImmutableList.Builder<Source> sources = ImmutableList.builder();
      if (config.configDir().isPresent()) {
        sources.add(new FileSource(config.configDir().get(), new ResourceReader(), configLoop, POLL_INTERVAL));
      }
      Optional<Source> mqtt = mqttConnection.map(connection -> mqttSource(
          new MqttResourceSource(connection, new ResourceReader(), configLoop)));
      mqtt.ifPresent(sources::add);
      config
          .kube()
          .ifPresent(
              settings ->
                  sources.add(
                      kubeSource(new KubeSource(settings, new ResourceReader(), configLoop))));
      ImmutableList<Source> built = sources.build();

      XdsCallbacks callbacks = new XdsCallbacks(loop, publisher, configLoop::envoyRejected, metrics, clock);
      metrics.bindGauges(callbacks::status, () -> mqtt.map(Source::isConnected).orElse(false), configLoop::statuses);
      XdsTraffic traffic = new XdsTraffic();
      // Route scopes: outside java-control-plane's cache, so told of every snapshot the cache gets; their
      // ACKs and NACKs go to the same callbacks, and so to the same rollbacks, status and traffic counts.
      ScopedRoutesServer scopes = new ScopedRoutesServer(publisher::current, encoder, List.of(callbacks, traffic));
      publisher.addServeListener(scopes::served);
      XdsServer xds = XdsServer.start(config.xdsAddress(), publisher.cache(), encoder, scopes, callbacks, traffic);
      started.push(xds);

      Liveness liveness = new Liveness(System::nanoTime,
          () -> built.stream().map(Source::stuck).collect(ImmutableList.toImmutableList()));
      liveness.beatOn(loop);
      AdminServer admin = AdminServer.start(config.adminAddress(), new AdminServer.View(
          callbacks::status, configLoop::statuses, publisher::current, publisher::versions, registry::scrape,
          liveness::check));
      started.push(admin);

      for (Source source : built) {
        started.push(source);
        source.start();
      }
      log.info("edgegw sidecar started: {}", config);
      return new Sidecar(started, configLoop, publisher, callbacks, traffic, xds, admin, built);
    } catch (Exception | Error e) {
      closeAll(started);
      throw e;
    }
  }

  private static boolean matchesStore(ServedSnapshotFile.Saved saved, Future<String> storeDigest) {
    try {
      if (saved.inputsDigest().equals(Uninterruptibles.getUninterruptibly(storeDigest))) {
        return true;
      }
      log.info("the saved snapshot predates the stored resources; translating them first");
    } catch (ExecutionException e) {
      log.warn("cannot read the state directory to check the saved snapshot: {}", e.getCause().toString());
    }
    return false;
  }

  public int xdsPort() {
    return xdsServer.port();
  }

  public int adminPort() {
    return adminServer.port();
  }

  public ConfigLoop configLoop() {
    return configLoop;
  }

  public StatusBoard statuses() {
    return configLoop.statuses();
  }

  public XdsStatus envoyStatus() {
    return xdsCallbacks.status();
  }

  /** What the xDS server has sent to Envoy so far (responses, resources, bytes; SotW and delta). */
  public XdsTraffic.Totals xdsTraffic() {
    return xdsTraffic.totals();
  }

  public SnapshotPublisher publisher() {
    return publisher;
  }

  public ImmutableList<Source> sources() {
    return sources;
  }

  /**
   * Serves {@code resources} as they are, bypassing translation, on the config loop. For end-to-end
   * tests that provoke a real NACK; the next input change replaces it with a translation again.
   */
  public SnapshotPublisher.Outcome publishRaw(EnvoyResources resources) {
    return configLoop.call(() -> publisher.publish(resources));
  }

  @Override
  public void close() {
    closeAll(started);
    log.info("edgegw sidecar stopped");
  }

  private static Source kubeSource(KubeSource kube) {
    return new Source() {
      @Override
      public void start() throws Exception {
        kube.start();
      }

      @Override
      public boolean isConnected() {
        return kube.isConnected();
      }

      @Override
      public Optional<String> stuck() {
        return kube.stuck();
      }

      @Override
      public void close() {
        kube.close();
      }
    };
  }

  private static Source mqttSource(MqttResourceSource mqtt) {
    return new Source() {
      @Override
      public void start() {
        mqtt.start();
      }

      @Override
      public boolean isConnected() {
        return mqtt.isConnected();
      }

      @Override
      public Optional<String> stuck() {
        return mqtt.stuck();
      }

      @Override
      public void close() {
        mqtt.close();
      }
    };
  }

  private static void closeAll(Deque<AutoCloseable> started) {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.toString());
      }
    }
  }
}
