package io.edgegw.mqtt;

import io.edgegw.mqtt.ResourceMessageDecoder.Accept;
import io.edgegw.mqtt.ResourceMessageDecoder.Decision;
import io.edgegw.mqtt.ResourceMessageDecoder.Ignore;
import io.edgegw.mqtt.ResourceMessageDecoder.Reject;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceSink;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the resources retained on the node's broker into a {@link ResourceSink}: it subscribes
 * to {@link TopicContract#resourceFilter()} and, when {@link MqttSettings#kubeedgeTopic()} is
 * set, to KubeEdge's envelopes there, on an {@link MqttConnection}.
 *
 * <p>{@link #start()} never waits for the broker: the sidecar must serve its persisted
 * configuration while the broker is down. The connection keeps trying forever, and every
 * successful connect subscribes again, so the broker sends every retained resource again and the
 * sink sees the full state again as upserts (duplicates of what it already has; they must be
 * harmless).
 *
 * <p>Messages are decoded and delivered on Paho's callback thread ({@code MQTT Call: <clientId>}),
 * one at a time in arrival order. With a {@link StoringSink}, an upsert or delete is acknowledged to
 * the broker only once the sink has stored it, so a crash in between cannot lose it: the broker
 * delivers it again. Other sinks get messages acknowledged on delivery.
 */
public final class MqttResourceSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttResourceSource.class);

  private final MqttConnection connection;
  private final ResourceSink sink;

  /** A source with a connection of its own; share it with {@link MqttStatusPublisher} via {@link #connection()}. */
  public MqttResourceSource(MqttSettings settings, TopicContract topics, ResourceReader reader, ResourceSink sink) {
    this(new MqttConnection(settings, topics), reader, sink);
  }

  /**
   * A source on {@code connection}, which must not be started yet. {@link #start()} and
   * {@link #close()} start and close that connection.
   */
  public MqttResourceSource(MqttConnection connection, ResourceReader reader, ResourceSink sink) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.sink = Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(reader, "reader");
    MqttSettings settings = connection.settings();
    ResourceMessageDecoder resources =
        new ResourceMessageDecoder(connection.topics(), reader, settings.maxPayloadBytes());
    connection.subscribe(connection.topics().resourceFilter(),
        (topic, payload, ack) -> handle(topic, payload, resources.decode(topic, payload), ack));
    settings
        .kubeedgeTopic()
        .ifPresent(
            filter -> {
              KubeEdgeEnvelopeDecoder kubeedge =
                  new KubeEdgeEnvelopeDecoder(reader, settings.maxPayloadBytes());
              connection.subscribe(
                  filter,
                  (topic, payload, ack) ->
                      handle(topic, payload, kubeedge.decode(topic, payload), ack));
            });
  }

  /** The connection this source subscribes on; status publishing shares it. */
  public MqttConnection connection() {
    return connection;
  }

  /** Starts the connection in the background and returns at once. May be called once. */
  public void start() {
    connection.start();
  }

  /** True while connected to the broker with the subscriptions acknowledged. */
  public boolean isConnected() {
    return connection.isConnected();
  }

  /** Why intake from the broker is stuck (not merely disconnected: that is normal), if it is. */
  public Optional<String> stuck() {
    return connection.stuck();
  }

  /** Closes the connection: pending statuses, then offline status, then a clean disconnect. Idempotent. */
  @Override
  public void close() {
    connection.close();
  }

  private void handle(String topic, byte[] payload, Decision decision, Runnable ack) {
    if (decision instanceof Accept accept) {
      log.info("mqtt: {} {} ({} bytes) from {}", accept.event().type().name().toLowerCase(Locale.ROOT),
          accept.event().key(), payload.length, accept.origin());
    } else if (decision instanceof Reject reject) {
      log.warn("mqtt: rejected {} ({} bytes): {}", reject.origin(), payload.length, reject.reason());
    } else if (decision instanceof Ignore ignore) {
      log.debug("mqtt: ignored {}: {}", ignore.origin(), ignore.why());
    }
    if (decision instanceof Accept accept && sink instanceof StoringSink storing) {
      storing.accept(accept.event(), ack);
    } else {
      decision.deliverTo(sink);
      ack.run(); // nothing to keep: a rejection is re-read from the retained message after a restart
    }
  }
}
