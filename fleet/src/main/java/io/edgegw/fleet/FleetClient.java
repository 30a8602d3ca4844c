package io.edgegw.fleet;

import io.edgegw.mqtt.BrokerException;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.PahoClients;
import io.edgegw.mqtt.PahoOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud side's MQTT client: a clean session (everything it needs is retained), subscriptions
 * renewed after each automatic reconnect, and retained QoS 1 publishes, many in flight at once, each
 * waited for.
 * Messages go to {@code handler} on Paho's thread; the handler hands them to its owner's thread.
 */
final class FleetClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetClient.class);
  private static final int QOS = 1;
  private static final int FIRST_FAILURE_REASON_CODE = 0x80;

  private final MqttSettings settings;
  private final List<String> filters;
  private final BiConsumer<String, byte[]> handler;
  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private volatile long lastMessageNanos = System.nanoTime();
  private volatile boolean subscribed;

  FleetClient(MqttSettings settings, List<String> filters, BiConsumer<String, byte[]> handler) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.filters = List.copyOf(filters);
    this.handler = Objects.requireNonNull(handler, "handler");
    this.options = PahoOptions.of(settings, false);
    this.options.setAutomaticReconnect(true);
    this.options.setAutomaticReconnectDelay(1, (int) Math.max(1, settings.maxReconnectDelay().toSeconds()));
    try {
      this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException("cannot create an MQTT client for " + settings.serverUri() + ": " + e, e);
    }
    client.setCallback(new Callback());
  }

  /** Connects and subscribes, waiting at most the connect timeout for each. */
  void connect() {
    try {
      client.connect(options).waitForCompletion(timeoutMillis());
    } catch (MqttException e) {
      throw new BrokerException("cannot connect to " + settings.serverUri() + ": " + PahoOptions.describe(e), e);
    }
    subscribe();
    if (!subscribed) {
      throw new BrokerException("the broker at " + settings.serverUri() + " refused the subscription to " + filters
          + " (check the ACL of user " + settings.username().orElse("(anonymous)") + ")", null);
    }
    log.info("fleet: connected to {} as {}; watching {}", settings.serverUri(), settings.clientId(), filters);
  }

  private void subscribe() {
    MqttSubscription[] subscriptions =
        filters.stream().map(f -> new MqttSubscription(f, QOS)).toArray(MqttSubscription[]::new);
    try {
      IMqttToken token = client.subscribe(subscriptions);
      token.waitForCompletion(timeoutMillis());
      int[] codes = token.getReasonCodes();
      subscribed = codes != null && java.util.Arrays.stream(codes).allMatch(c -> c < FIRST_FAILURE_REASON_CODE);
      lastMessageNanos = System.nanoTime();
    } catch (MqttException e) {
      subscribed = false;
      log.warn("fleet: cannot subscribe to {}: {}", filters, PahoOptions.describe(e));
    }
  }

  boolean isConnected() {
    return client.isConnected() && subscribed;
  }

  /**
   * Waits until no message arrived for {@code quiet} (the broker has delivered what it retains),
   * at most {@code max}.
   */
  void awaitQuiet(Duration quiet, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      long idle = System.nanoTime() - lastMessageNanos;
      if (idle >= quiet.toNanos()) {
        return;
      }
      LockSupport.parkNanos(Math.min(quiet.toNanos() - idle, Duration.ofMillis(100).toNanos()));
    }
  }

  /** A retained publish sent and not yet known to be acknowledged; {@link #await} it. */
  record InFlight(String topic, IMqttToken token) {}

  /**
   * Sends a retained publish without waiting for its acknowledgement, so many can be on the way at
   * once (one round trip for a window of them instead of one each). Waits only while the client's
   * in-flight limit (the broker's Receive Maximum) is reached.
   */
  InFlight publishRetainedAsync(String topic, byte[] payload) {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(QOS);
    message.setRetained(true);
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    while (true) {
      try {
        return new InFlight(topic, client.publish(topic, message));
      } catch (MqttException e) {
        if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() > deadline) {
          throw new BrokerException("publish to " + topic + " failed: " + PahoOptions.describe(e), e);
        }
        LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
      }
    }
  }

  /** Waits for the broker's acknowledgement of {@code publish}; throws when it fails or refuses. */
  void await(InFlight publish) {
    try {
      publish.token().waitForCompletion(timeoutMillis());
    } catch (MqttException e) {
      throw new BrokerException("publish to " + publish.topic() + " failed: " + PahoOptions.describe(e), e);
    }
    int[] codes = publish.token().getReasonCodes();
    if (codes != null && codes.length > 0 && codes[0] >= FIRST_FAILURE_REASON_CODE) {
      throw new BrokerException("broker refused the publish to " + publish.topic() + " with reason code 0x"
          + Integer.toHexString(codes[0]));
    }
  }

  private long timeoutMillis() {
    return settings.connectTimeout().toMillis();
  }

  @Override
  public void close() {
    PahoClients.close(client);
  }

  private final class Callback implements MqttCallback {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (reconnect) {
        log.info("fleet: reconnected to {}; subscribing again", serverUri);
        // A clean session lost the subscriptions; Paho's thread must not block on the token.
        Thread resubscribe = new Thread(FleetClient.this::subscribe, "fleet-resubscribe");
        resubscribe.setDaemon(true);
        resubscribe.start();
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      subscribed = false;
      log.warn("fleet: lost the broker: {}", response.getReasonString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      lastMessageNanos = System.nanoTime();
      handler.accept(topic, message.getPayload());
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      log.warn("fleet: MQTT error: {}", PahoOptions.describe(e));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
