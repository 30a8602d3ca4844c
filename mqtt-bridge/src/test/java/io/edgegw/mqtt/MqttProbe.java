package io.edgegw.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A plain test client: records what arrives on one filter, and publishes raw messages. */
final class MqttProbe implements AutoCloseable {
  record Received(String topic, String payload, boolean retained) {}

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final MqttAsyncClient client;

  MqttProbe(String serverUri, String clientId) throws MqttException {
    client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(new Received(topic, new String(message.getPayload(), UTF_8), message.isRetained()));
      }

      @Override
      public void disconnected(MqttDisconnectResponse response) {}

      @Override
      public void mqttErrorOccurred(MqttException exception) {}

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    client.connect(options).waitForCompletion(5000);
  }

  MqttProbe subscribe(String filter) throws MqttException {
    client.subscribe(filter, 1).waitForCompletion(5000);
    return this;
  }

  void publish(String topic, String payload, boolean retained) throws MqttException {
    client.publish(topic, payload.getBytes(UTF_8), 1, retained).waitForCompletion(5000);
  }

  List<String> payloadsOn(String topic) {
    return received.stream().filter(r -> r.topic().equals(topic)).map(Received::payload).toList();
  }

  String lastOn(String topic) {
    List<String> all = payloadsOn(topic);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnect().waitForCompletion(2000);
    }
    client.close();
  }
}
