package io.edgegw.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The sidecar's meters, on one registry handed in by whoever builds the sidecar (Prometheus in
 * production, {@link #unregistered()} in unit tests). Names are Micrometer's; the Prometheus registry
 * renders {@code edgegw.xds.acks} as {@code edgegw_xds_acks_total}. See docs/admin.md.
 */
public final class Metrics {
  private final MeterRegistry registry;
  private final Counter snapshotsBuilt;
  private final Timer translation;
  private final Counter messagesReceived;
  private final Counter messagesRejected;

  public Metrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.snapshotsBuilt = Counter.builder("edgegw.snapshots.built")
        .description("Translations of the input set into Envoy resources").register(registry);
    this.translation = Timer.builder("edgegw.translation")
        .description("Time to translate the input set").register(registry);
    this.messagesReceived = Counter.builder("edgegw.messages.received")
        .description("Input messages (resources, deletions, unreadable documents) from MQTT and the config dir")
        .register(registry);
    this.messagesRejected = Counter.builder("edgegw.messages.rejected")
        .description("Input messages refused: unreadable, invalid or not storable").register(registry);
  }

  /** Meters that count but are exported nowhere: for components built without a sidecar. */
  public static Metrics unregistered() {
    return new Metrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  void translated(Duration took) {
    snapshotsBuilt.increment();
    translation.record(took);
  }

  /** A snapshot went into the cache: {@code cause} is {@code update} or {@code rollback}. */
  void pushed(String cause) {
    Counter.builder("edgegw.snapshots.pushed").description("Snapshots put into the xDS cache")
        .tag("cause", cause).register(registry).increment();
  }

  void ack(String type) {
    Counter.builder("edgegw.xds.acks").description("xDS responses Envoy accepted")
        .tag("type", type).register(registry).increment();
  }

  void nack(String type) {
    Counter.builder("edgegw.xds.nacks").description("xDS responses Envoy rejected")
        .tag("type", type).register(registry).increment();
  }

  void messageReceived() {
    messagesReceived.increment();
  }

  void messageRejected() {
    messagesRejected.increment();
  }

  /** Gauges read the sidecar's immutable views when scraped. */
  void bindGauges(Supplier<XdsStatus> envoy, Supplier<Boolean> mqttConnected, Supplier<StatusBoard> statuses) {
    Gauge.builder("edgegw.envoys.connected", () -> envoy.get().clients().size())
        .description("Envoys (distinct node ids) holding an xDS stream").register(registry);
    Gauge.builder("edgegw.mqtt.connected", () -> mqttConnected.get() ? 1 : 0)
        .description("1 while the MQTT source is connected to its broker (0 also when MQTT is off)").register(registry);
    for (ResourceStatus.State state : ResourceStatus.State.values()) {
      Gauge.builder("edgegw.resources", () -> statuses.get().resources().values().stream()
              .filter(s -> s.state() == state).count())
          .description("Input resources by status").tag("status", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder("edgegw.resources.unreadable", () -> statuses.get().unreadable().size())
        .description("Input documents that could not be read, by origin").register(registry);
  }
}
