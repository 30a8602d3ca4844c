package io.edgegw.mqtt;

import io.edgegw.mqtt.ResourceMessageDecoder.Accept;
import io.edgegw.mqtt.ResourceMessageDecoder.Decision;
import io.edgegw.mqtt.ResourceMessageDecoder.Reject;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceSink;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
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
 * Feeds the resources retained on the node's broker into a {@link ResourceSink}.
 *
 * <p>{@link #start()} never waits for the broker: the sidecar must serve its persisted
 * configuration while the broker is down. Connection attempts run on one daemon thread
 * ({@code edgegw-mqtt-connect}) with back-off from 500 ms up to {@link MqttSettings#maxReconnectDelay()},
 * forever, also after a lost connection. Every successful connect subscribes again, and the
 * broker answers with every retained resource, so the sink sees the full state again as upserts
 * (duplicates of what it already has; they must be harmless).
 *
 * <p>Messages are decoded and delivered on Paho's callback thread ({@code MQTT Call: <clientId>}),
 * one at a time in arrival order. Nothing thrown there escapes: a throw would drop the connection.
 */
public final class MqttResourceSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttResourceSource.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final int QOS = 1;
  private static final int FIRST_FAILURE_REASON_CODE = 0x80;

  private final MqttSettings settings;
  private final TopicContract topics;
  private final ResourceMessageDecoder decoder;
  private final ResourceSink sink;
  private final MqttConnectionOptions options;
  private final MqttAsyncClient client;
  private final ScheduledExecutorService connector;
  private final AtomicBoolean started = new AtomicBoolean();
  /** How far reconnects have backed off; grows with each failure, reset by a connection that lasted. */
  private final AtomicInteger backOffLevel = new AtomicInteger();
  private final AtomicInteger failuresSinceConnected = new AtomicInteger();
  private final AtomicBoolean attemptScheduled = new AtomicBoolean();
  private volatile boolean closed;
  private volatile boolean subscribed;
  private volatile long connectedAtNanos;
  private volatile String lastLoggedFailure = "";
  private volatile IMqttToken pendingConnect;

  public MqttResourceSource(MqttSettings settings, TopicContract topics, ResourceReader reader, ResourceSink sink) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.decoder = new ResourceMessageDecoder(topics, reader, settings.maxPayloadBytes());
    this.options = PahoOptions.of(settings, true);
    try {
      // In-memory: a file store would write into the working directory, and the broker's
      // retained messages are the durable copy anyway.
      this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException("cannot create an MQTT client for " + settings.serverUri() + ": " + e, e);
    }
    this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "edgegw-mqtt-connect");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts connecting in the background and returns at once. May be called once. */
  public void start() {
    if (closed || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("an MqttResourceSource starts once and not after close()");
    }
    client.setCallback(new Callback());
    log.info("mqtt: connecting to {} as {}; resources come from {}",
        settings.serverUri(), settings.clientId(), topics.resourceFilter());
    connector.execute(this::attemptConnect);
  }

  /** True while connected to the broker with the resource subscription acknowledged. */
  public boolean isConnected() {
    return subscribed && client.isConnected();
  }

  /** Disconnects cleanly (the broker keeps the session) and stops reconnecting. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    subscribed = false;
    connector.shutdownNow();
    long waitMillis = settings.connectTimeout().toMillis() + 1000;
    try {
      connector.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
      IMqttToken connecting = pendingConnect;
      if (connecting != null && !connecting.isComplete()) {
        // Paho refuses to close a client in the middle of a connect; let the attempt finish.
        connecting.waitForCompletion(waitMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MqttException e) {
      log.debug("mqtt: connect attempt ended during close: {}", PahoOptions.describe(e));
    }
    try {
      if (client.isConnected()) {
        client.disconnect(1000).waitForCompletion(2000);
      }
    } catch (MqttException e) {
      log.debug("mqtt: clean disconnect failed, forcing: {}", PahoOptions.describe(e));
      forceDisconnect();
    }
    try {
      client.close();
    } catch (MqttException e) {
      forceDisconnect();
      try {
        client.close(true);
      } catch (MqttException again) {
        log.warn("mqtt: could not release the client for {}: {}", settings.serverUri(), PahoOptions.describe(again));
      }
    }
    log.info("mqtt: closed connection to {}", settings.serverUri());
  }

  private void forceDisconnect() {
    try {
      client.disconnectForcibly(0, 1000, false);
    } catch (MqttException e) {
      log.debug("mqtt: forced disconnect: {}", PahoOptions.describe(e));
    }
  }

  private void attemptConnect() {
    attemptScheduled.set(false);
    if (closed || client.isConnected()) {
      return;
    }
    try {
      pendingConnect = client.connect(options, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          // connectComplete subscribes; it runs for every successful connect.
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          connectFailed(e);
        }
      });
    } catch (MqttException e) {
      if (e.getReasonCode() == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS
          || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_CONNECTED) {
        return; // the attempt under way reports its own outcome
      }
      connectFailed(e);
    } catch (RuntimeException e) {
      connectFailed(e);
    }
  }

  private void connectFailed(Throwable e) {
    if (closed) {
      return;
    }
    int attempt = backOffLevel.incrementAndGet();
    failuresSinceConnected.incrementAndGet();
    Duration delay = backOff(attempt);
    String why = PahoOptions.describe(e);
    // One WARN per distinct problem; repeats of it go to DEBUG so a long outage does not flood the log.
    if (!why.equals(lastLoggedFailure)) {
      lastLoggedFailure = why;
      log.warn("mqtt: cannot connect to {}: {}; retrying with back-off up to {}s",
          settings.serverUri(), why, settings.maxReconnectDelay().toSeconds());
    } else {
      log.debug("mqtt: attempt {} to connect to {} failed: {}; next in {} ms",
          attempt, settings.serverUri(), why, delay.toMillis());
    }
    schedule(delay);
  }

  private Duration backOff(int attempt) {
    long millis = FIRST_RETRY.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(millis, settings.maxReconnectDelay().toMillis()));
  }

  /** At most one attempt is ever waiting, whichever path (failure, lost connection) asked first. */
  private void schedule(Duration delay) {
    if (!attemptScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      connector.schedule(this::attemptConnect, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // close() shut the connector down; nothing left to do.
    }
  }

  private void subscribe() {
    MqttSubscription[] resources = {new MqttSubscription(topics.resourceFilter(), QOS)};
    try {
      client.subscribe(resources, null, new SubscribeOutcome(), new MqttProperties());
    } catch (MqttException | RuntimeException e) {
      subscriptionFailed(PahoOptions.describe(e));
    }
  }

  /** Paho reports a refused subscription as success with a failure reason code in the SUBACK. */
  private final class SubscribeOutcome implements MqttActionListener {
    @Override
    public void onSuccess(IMqttToken token) {
      int[] codes = token.getReasonCodes();
      if (codes != null && codes.length > 0 && codes[0] >= FIRST_FAILURE_REASON_CODE) {
        subscriptionFailed("broker refused it with reason code 0x" + Integer.toHexString(codes[0]));
        return;
      }
      subscribed = true;
      log.info("mqtt: subscribed to {}; the broker now sends every retained resource", topics.resourceFilter());
    }

    @Override
    public void onFailure(IMqttToken token, Throwable e) {
      subscriptionFailed(PahoOptions.describe(e));
    }
  }

  /** Without the subscription the connection is useless: drop it and go through the reconnect path. */
  private void subscriptionFailed(String why) {
    log.error("mqtt: cannot subscribe to {}: {}; reconnecting", topics.resourceFilter(), why);
    BrokerException failure = new BrokerException("subscription to " + topics.resourceFilter() + " failed: " + why);
    try {
      client.disconnect(0, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          connectFailed(failure);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          connectFailed(failure);
        }
      }, 0, new MqttProperties());
    } catch (MqttException e) {
      connectFailed(failure);
    }
  }

  private void handle(String topic, MqttMessage message) {
    byte[] payload = message.getPayload();
    Decision decision = decoder.decode(topic, payload);
    if (decision instanceof Accept accept) {
      log.info("mqtt: {} {} ({} bytes) from {}", accept.event().type().name().toLowerCase(Locale.ROOT),
          accept.event().key(), payload.length, topic);
    } else if (decision instanceof Reject reject) {
      log.warn("mqtt: rejected {} ({} bytes): {}", topic, payload.length, reject.reason());
    }
    decision.deliverTo(sink);
  }

  /** Paho calls these on its own threads; none of them may throw. */
  private final class Callback implements MqttCallback {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      connectedAtNanos = System.nanoTime();
      lastLoggedFailure = "";
      int failures = failuresSinceConnected.getAndSet(0);
      log.info("mqtt: connected to {}{}", serverUri, failures == 0 ? "" : " after " + failures + " failed attempt(s)");
      if (!closed) {
        subscribe();
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      subscribed = false;
      if (closed) {
        return;
      }
      // A connection that lived long enough resets the back-off; one that drops at once (for
      // example another client taking over the session id) keeps backing off.
      boolean lastedLong = System.nanoTime() - connectedAtNanos >= settings.maxReconnectDelay().toNanos();
      if (lastedLong) {
        backOffLevel.set(0);
      }
      int attempt = backOffLevel.incrementAndGet();
      Duration delay = backOff(attempt);
      log.warn("mqtt: lost connection to {}: {}; reconnecting in {} ms",
          settings.serverUri(), describe(response), delay.toMillis());
      schedule(delay);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      try {
        handle(topic, message);
      } catch (RuntimeException e) {
        log.error("mqtt: handling a message on {} failed; message dropped", topic, e);
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      log.warn("mqtt: client error: {}", PahoOptions.describe(e));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}

    private String describe(MqttDisconnectResponse response) {
      if (response == null) {
        return "no reason given";
      }
      if (response.getException() != null) {
        return PahoOptions.describe(response.getException());
      }
      return "broker sent DISCONNECT with reason code 0x" + Integer.toHexString(response.getReturnCode())
          + (response.getReasonString() == null ? "" : " (" + response.getReasonString() + ")");
    }
  }
}
