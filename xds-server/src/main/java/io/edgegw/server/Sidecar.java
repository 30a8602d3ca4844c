package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import io.edgegw.mqtt.MqttConnection;
import io.edgegw.mqtt.MqttResourceSource;
import io.edgegw.mqtt.MqttStatusPublisher;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.ResourceReader;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running sidecar. Start order: load the store, translate and publish (so a persisted config is
 * served at once, even with the broker down), xDS server, admin, then the sources. {@link #close()}
 * stops everything in reverse order and releases the ports.
 */
public final class Sidecar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

  private final Deque<AutoCloseable> started; // closed last-in first-out
  private final ConfigLoop configLoop;
  private final SnapshotPublisher publisher;
  private final XdsCallbacks xdsCallbacks;
  private final XdsServer xdsServer;
  private final AdminServer adminServer;
  private final ImmutableList<Source> sources;

  private Sidecar(Deque<AutoCloseable> started, ConfigLoop configLoop, SnapshotPublisher publisher,
      XdsCallbacks xdsCallbacks, XdsServer xdsServer, AdminServer adminServer, ImmutableList<Source> sources) {
    this.started = started;
    this.configLoop = configLoop;
    this.publisher = publisher;
    this.xdsCallbacks = xdsCallbacks;
    this.xdsServer = xdsServer;
    this.adminServer = adminServer;
    this.sources = sources;
  }

  public static Sidecar start(SidecarConfig config, Components components) throws Exception {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(components, "components");
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      ConfigStore store = ConfigStore.open(config.stateDir());
      log.info("loaded {} resources from {}", store.inputSet().resources().size(), config.stateDir());

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
      Optional<MqttConnection> mqtt = config.mqtt().map(settings ->
          new MqttConnection(settings, config.topics(), Clock.systemUTC(), RandomGenerator.getDefault()));
      Consumer<StatusBoard> statusReporter = mqtt
          .<Consumer<StatusBoard>>map(c -> new StatusReporter(new MqttStatusPublisher(c), Clock.systemUTC()))
          .orElse(board -> {});
      SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
      ConfigLoop configLoop = new ConfigLoop(loop, store, components.validator(), components.translator(),
          config.identity(), publisher, config.debounce(), statusReporter);
      configLoop.rebuildNow();

      XdsCallbacks callbacks = new XdsCallbacks(loop, publisher, configLoop::envoyRejected);
      XdsServer xds = XdsServer.start(config.xdsAddress(), publisher.cache(), callbacks);
      started.push(xds);

      AdminServer admin = AdminServer.start(config.adminAddress(), new AdminServer.View(
          callbacks::status, configLoop::statuses, publisher::current));
      started.push(admin);

      ImmutableList.Builder<Source> sources = ImmutableList.builder();
      if (config.configDir().isPresent()) {
        sources.add(new FileSource(config.configDir().get(), new ResourceReader(), configLoop, POLL_INTERVAL));
      }
      mqtt.ifPresent(connection -> sources.add(mqttSource(
          new MqttResourceSource(connection, new ResourceReader(), configLoop))));
      ImmutableList<Source> built = sources.build();
      for (Source source : built) {
        started.push(source);
        source.start();
      }
      log.info("edgegw sidecar started: {}", config);
      return new Sidecar(started, configLoop, publisher, callbacks, xds, admin, built);
    } catch (Exception | Error e) {
      closeAll(started);
      throw e;
    }
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
