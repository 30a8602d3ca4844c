package io.edgegw.mqtt;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every edgegw MQTT client that publishes resources does the same way with a Paho client. */
public final class PahoClients {
  private static final Logger log = LoggerFactory.getLogger(PahoClients.class);
  private static final int QOS = 1;
  private static final int FIRST_FAILURE_REASON_CODE = 0x80;

  private PahoClients() {}

  /**
   * Retains {@code payload} on {@code topic} with QoS 1 (empty: clears it) and waits up to
   * {@code timeout} for the broker's acknowledgement; a refusal (reason code 0x80 and up) is an error.
   */
  public static void publishRetained(MqttAsyncClient client, String topic, byte[] payload, Duration timeout) {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(QOS);
    message.setRetained(true);
    IMqttToken token;
    try {
      token = publish(client, topic, message, timeout);
    } catch (MqttException e) {
      throw new BrokerException("publish to " + topic + " failed: " + PahoOptions.describe(e), e);
    }
    int[] codes = token.getReasonCodes();
    if (codes != null && codes.length > 0 && codes[0] >= FIRST_FAILURE_REASON_CODE) {
      throw new BrokerException("broker refused the publish to " + topic + " with reason code 0x"
          + Integer.toHexString(codes[0]));
    }
  }

  /**
   * Publishes {@code message} and waits up to {@code timeout} for it to complete (for QoS 1, the
   * broker's acknowledgement, whose reason codes the token holds).
   */
  public static IMqttToken publish(MqttAsyncClient client, String topic, MqttMessage message, Duration timeout)
      throws MqttException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        IMqttToken token = client.publish(topic, message);
        token.waitForCompletion(timeout.toMillis());
        return token;
      } catch (MqttException e) {
        // Paho counts a publish as in flight until a moment after its token completes (paho.mqtt.java
        // #551, #993): a fast sequence of waited-for publishes can trip its limit. Nothing was sent;
        // try again shortly.
        if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() > deadline) {
          throw e;
        }
        LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
      }
    }
  }

  /** Disconnects (waiting for outstanding acknowledgements briefly, then forcibly) and releases the client. */
  public static void close(MqttAsyncClient client) {
    try {
      if (client.isConnected()) {
        client.disconnect(1000).waitForCompletion(2000);
      }
    } catch (MqttException e) {
      log.debug("mqtt: disconnect failed, forcing: {}", PahoOptions.describe(e));
      try {
        client.disconnectForcibly(0, 1000, false);
      } catch (MqttException ignored) {
        // Already gone; close() below releases what is left.
      }
    }
    try {
      client.close();
    } catch (MqttException e) {
      log.debug("mqtt: could not release the client: {}", PahoOptions.describe(e));
    }
  }
}
