package io.edgegw.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes resources the way the sidecar expects them (retained, QoS 1, one JSON manifest per
 * topic); used by {@code edgegw publish} and by tests. Every call waits for the broker's PUBACK.
 *
 * <p>Give it a client id of its own: a publisher that reuses the sidecar's id takes over, and
 * ends, the sidecar's session.
 */
public final class MqttResourcePublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttResourcePublisher.class);

  private final MqttSettings settings;
  private final TopicContract topics;
  private final MqttConnectionOptions options;
  private final MqttAsyncClient client;
  private final ObjectMapper json = new ObjectMapper();

  public MqttResourcePublisher(MqttSettings settings, TopicContract topics) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.options = PahoOptions.of(settings, false);
    try {
      this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException("cannot create an MQTT client for " + settings.serverUri() + ": " + e, e);
    }
  }

  /** Connects, waiting at most the connect timeout. */
  public void connect() {
    try {
      client.connect(options).waitForCompletion(timeoutMillis());
    } catch (MqttException e) {
      throw new BrokerException("cannot connect to " + settings.serverUri() + ": " + PahoOptions.describe(e), e);
    }
    log.info("mqtt: publisher connected to {} as {}", settings.serverUri(), settings.clientId());
  }

  /** Retains {@code resource} as JSON on its topic. */
  public void publish(Resource resource) {
    byte[] payload;
    try {
      payload = json.writeValueAsBytes(resource.manifest());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(resource + ": cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
    // The sidecar would reject it anyway; failing here tells the operator directly.
    if (payload.length > settings.maxPayloadBytes()) {
      throw new IllegalArgumentException(resource + ": " + payload.length + " bytes as JSON exceeds the limit of "
          + settings.maxPayloadBytes() + " bytes");
    }
    send(topics.resourceTopic(resource.key()), payload);
    log.info("mqtt: published {} ({} bytes)", resource.key(), payload.length);
  }

  /** Clears the retained resource; the sidecar deletes it. */
  public void delete(ResourceKey key) {
    send(topics.resourceTopic(key), new byte[0]);
    log.info("mqtt: deleted {}", key);
  }

  /** Retains any payload on any topic; package-private so tests can send what operators get wrong. */
  void send(String topic, byte[] payload) {
    PahoClients.publishRetained(client, topic, payload, settings.connectTimeout());
  }

  private long timeoutMillis() {
    return settings.connectTimeout().toMillis();
  }

  /** Disconnects (waiting for outstanding acknowledgements briefly) and releases the client. */
  @Override
  public void close() {
    PahoClients.close(client);
  }
}
