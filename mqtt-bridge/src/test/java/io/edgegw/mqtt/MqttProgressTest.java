package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the connection's intake counts as stuck (for /healthz/live), and when it does not. */
class MqttProgressTest {
  private static final Duration MAX_DELAY = Duration.ofSeconds(10);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Back-off cap + connect timeout + grace: 50 s. */
  private static final long LIMIT = MAX_DELAY.plus(CONNECT_TIMEOUT).plus(MqttConnection.STUCK_GRACE).toNanos();
  private static final long T0 = 1_000_000_000_000L;

  private static Optional<String> stuck(MqttConnection.Progress progress, long now) {
    return progress.stuck(now, MAX_DELAY, CONNECT_TIMEOUT);
  }

  @Test
  void anUnreachableBrokerIsNotStuckWhileAttemptsKeepEnding() {
    // The last attempt failed just now, after hours without a connection.
    MqttConnection.Progress progress = new MqttConnection.Progress(false, false, T0, 0, T0 - Duration.ofHours(3).toNanos());
    assertEquals(Optional.empty(), stuck(progress, T0 + LIMIT));
  }

  @Test
  void noAttemptEndingForLongerThanTheBackOffAndTheConnectTimeoutIsStuck() {
    MqttConnection.Progress progress = new MqttConnection.Progress(false, false, T0, 0, T0);
    Optional<String> why = stuck(progress, T0 + LIMIT + 1_000_000_000L);
    assertTrue(why.isPresent());
    assertTrue(why.get().startsWith("MQTT: not connected, and no connect attempt ended for 51 s"), why.get());
  }

  @Test
  void aConnectedIdleConnectionIsNeverStuck() {
    MqttConnection.Progress progress = new MqttConnection.Progress(false, true, T0, 0, T0);
    assertEquals(Optional.empty(), stuck(progress, T0 + Duration.ofDays(3).toNanos()));
  }

  @Test
  void messagesThatStayUnacknowledgedMeanIntakeIsStuckEvenWhileConnected() {
    MqttConnection.Progress waiting = new MqttConnection.Progress(false, true, T0, 2, T0);
    assertEquals(Optional.empty(), stuck(waiting, T0 + MqttConnection.ACK_LIMIT.toNanos()));
    Optional<String> why = stuck(waiting, T0 + MqttConnection.ACK_LIMIT.plusSeconds(1).toNanos());
    assertTrue(why.isPresent());
    assertTrue(why.get().contains("2 delivered message(s) not stored and acknowledged for 121 s"), why.get());
  }

  @Test
  void aClosedOrUnstartedConnectionIsNotStuck() {
    MqttConnection.Progress closed = new MqttConnection.Progress(true, false, T0, 3, T0);
    assertEquals(Optional.empty(), stuck(closed, T0 + Duration.ofHours(1).toNanos()));
  }

  @Test
  void aStartedConnectionToNowhereIsNotStuckAtFirst() {
    MqttConnection connection = new MqttConnection(
        MqttSettings.defaults("edgegw-progress").withServerUri("tcp://127.0.0.1:" + Mosquitto.freePort()),
        TopicContract.defaults());
    try {
      connection.start();
      assertEquals(Optional.empty(), connection.stuck());
    } finally {
      connection.close();
    }
  }
}
