package io.edgegw.mqtt;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes statuses retained with QoS 1 on {@link TopicContract#statusTopic(ResourceKey)}, over
 * the sidecar's {@link MqttConnection}; {@link #clear} publishes an empty retained payload.
 *
 * <p>{@link #publish} and {@link #clear} only record the latest payload per resource and wake the
 * connection's thread ({@code edgegw-mqtt}), which hands them to the broker, at most
 * {@value #MAX_IN_FLIGHT} unacknowledged at a time and one per resource, so each topic's
 * messages stay in order. A newer status replaces one not yet sent. While disconnected the
 * latest per resource is kept and sent after the next connect; a publish that failed is sent
 * again unless a newer one replaced it. {@link MqttConnection#close()} sends what is pending
 * before the offline status.
 */
public final class MqttStatusPublisher implements StatusPublisher {
  private static final Logger log = LoggerFactory.getLogger(MqttStatusPublisher.class);
  static final int MAX_IN_FLIGHT = 8;
  private static final Duration RETRY = Duration.ofMillis(500);
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

  private final MqttConnection connection;
  private final TopicContract topics;
  private final Object lock = new Object();
  /** Latest unsent payload per resource, oldest first. */
  @GuardedBy("lock")
  private final Map<ResourceKey, byte[]> pending = new LinkedHashMap<>();
  /** Payloads handed to Paho and not confirmed yet, at most one per resource. */
  @GuardedBy("lock")
  private final Map<ResourceKey, byte[]> inFlight = new HashMap<>();
  /** Counts connects; completions of publishes from an earlier connection are ignored. */
  @GuardedBy("lock")
  private long epoch;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  public MqttStatusPublisher(MqttConnection connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.topics = connection.topics();
    connection.onConnected(this::reconnected);
    connection.onClosing(this::flush);
  }

  @Override
  public void publish(ResourceKey key, StatusMessage status) {
    enqueue(Objects.requireNonNull(key, "key"), status.toJson());
  }

  @Override
  public void clear(ResourceKey key) {
    enqueue(Objects.requireNonNull(key, "key"), new byte[0]);
  }

  /** How many statuses wait to be sent or confirmed; for tests and the admin view. */
  int backlog() {
    synchronized (lock) {
      return pending.size() + inFlight.size();
    }
  }

  private void enqueue(ResourceKey key, byte[] payload) {
    synchronized (lock) {
      pending.put(key, payload);
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      connection.execute(() -> {
        drainScheduled.set(false);
        drain();
      });
    }
  }

  /**
   * After a connect nothing from the earlier connection is known to have arrived: send its
   * unconfirmed statuses again, unless newer ones wait.
   */
  private void reconnected() {
    synchronized (lock) {
      epoch++;
      inFlight.forEach(pending::putIfAbsent);
      inFlight.clear();
    }
    drain();
  }

  /** On close: sends everything pending, waiting up to {@link #FLUSH_TIMEOUT} for the broker. */
  private void flush() {
    long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
    while (connection.canPublish() && System.nanoTime() < deadline) {
      drain();
      synchronized (lock) {
        if (pending.isEmpty() && inFlight.isEmpty()) {
          return;
        }
        try {
          lock.wait(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    synchronized (lock) {
      if (!pending.isEmpty() || !inFlight.isEmpty()) {
        log.warn(
            "mqtt: closing with {} status update(s) not confirmed by the broker",
            pending.size() + inFlight.size());
      }
    }
  }

  private record Send(ResourceKey key, byte[] payload) {}

  private void drain() {
    if (!connection.canPublish()) {
      return; // the next connect drains
    }
    List<Send> batch = new ArrayList<>();
    long sendEpoch;
    synchronized (lock) {
      sendEpoch = epoch;
      Iterator<Map.Entry<ResourceKey, byte[]>> it = pending.entrySet().iterator();
      while (it.hasNext() && inFlight.size() < MAX_IN_FLIGHT) {
        Map.Entry<ResourceKey, byte[]> next = it.next();
        if (inFlight.putIfAbsent(next.getKey(), next.getValue()) == null) {
          batch.add(new Send(next.getKey(), next.getValue()));
          it.remove();
        }
      }
    }
    for (Send send : batch) {
      try {
        connection.publishRetained(topics.statusTopic(send.key()), send.payload(), new Outcome(send, sendEpoch));
      } catch (MqttException | RuntimeException e) {
        log.debug("mqtt: status for {} not handed over: {}; retrying", send.key(), PahoOptions.describe(e));
        failed(send, sendEpoch);
        connection.schedule(this::drain, RETRY);
      }
    }
  }

  /** Puts a failed status back unless a newer one for the same resource is already waiting. */
  private void failed(Send send, long sendEpoch) {
    synchronized (lock) {
      if (sendEpoch != epoch) {
        return; // reconnected() already put it back
      }
      inFlight.remove(send.key());
      pending.putIfAbsent(send.key(), send.payload());
    }
  }

  private final class Outcome implements MqttActionListener {
    private final Send send;
    private final long sendEpoch;

    Outcome(Send send, long sendEpoch) {
      this.send = send;
      this.sendEpoch = sendEpoch;
    }

    @Override
    public void onSuccess(IMqttToken token) {
      int[] codes = token.getReasonCodes();
      if (codes != null && codes.length > 0 && codes[0] >= MqttConnection.FIRST_FAILURE_REASON_CODE) {
        // Refused (e.g. not authorized): sending it again would be refused again.
        log.warn("mqtt: broker refused the status for {} on {} with reason code 0x{}", send.key(),
            topics.statusTopic(send.key()), Integer.toHexString(codes[0]));
      }
      synchronized (lock) {
        if (sendEpoch == epoch) {
          inFlight.remove(send.key());
        }
        lock.notifyAll();
      }
      scheduleDrain();
    }

    @Override
    public void onFailure(IMqttToken token, Throwable e) {
      log.debug("mqtt: status for {} failed: {}; kept for the next connect", send.key(), PahoOptions.describe(e));
      failed(send, sendEpoch);
      scheduleDrain();
    }
  }
}
