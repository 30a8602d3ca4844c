package io.edgegw.it.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.edgegw.it.harness.EdgeGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * What an operator far away sees of the Gateway API objects: their {@code objectStatus} on the
 * sidecar's retained MQTT status topics, and (for comparison) in {@code /resources}.
 */
final class StatusTopics implements AutoCloseable {
  static final String GATEWAY_CLASSES = "gatewayclasses.gateway.networking.k8s.io";
  static final String GATEWAYS = "gateways.gateway.networking.k8s.io";
  static final String HTTP_ROUTES = "httproutes.gateway.networking.k8s.io";
  static final String LISTENER_SETS = "listenersets.gateway.networking.k8s.io";
  private static final String STATUS = "edgegw/" + EdgeGateway.GATEWAY_ID + "/status/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final EdgeGateway gateway;
  private final MqttClient client;
  private final Map<String, JsonNode> latest = new ConcurrentHashMap<>();
  private final Map<String, Integer> messages = new ConcurrentHashMap<>();

  StatusTopics(EdgeGateway gateway) throws MqttException {
    this.gateway = gateway;
    client = new MqttClient(gateway.broker().url(), "it-status-reader", new MemoryPersistence());
    client.connect(new MqttConnectionOptions());
    // Paho 1.2.5's subscribe(topic, qos, listener) recurses forever; the array form works.
    IMqttMessageListener record = (topic, message) -> {
      String key = topic.substring(STATUS.length());
      latest.put(key, message.getPayload().length == 0 ? MissingNode.getInstance() : JSON.readTree(message.getPayload()));
      messages.merge(key, 1, Integer::sum);
    };
    client.subscribe(new MqttSubscription[] {new MqttSubscription(STATUS + "#", 1)},
        new IMqttMessageListener[] {record});
  }

  /** The latest {@code objectStatus} on the object's status topic (missing until there is one). */
  JsonNode objectStatus(String kind, String namespace, String name) {
    return latest.getOrDefault(kind + "/" + namespace + "/" + name, MissingNode.getInstance()).path("objectStatus");
  }

  /** How many status messages arrived for the object. */
  int messages(String kind, String namespace, String name) {
    return messages.getOrDefault(kind + "/" + namespace + "/" + name, 0);
  }

  /** Waits until the object's status on MQTT satisfies {@code wanted}, and returns it. */
  JsonNode await(String kind, String namespace, String name, Predicate<JsonNode> wanted) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> wanted.test(objectStatus(kind, namespace, name)));
    return objectStatus(kind, namespace, name);
  }

  /** The object's {@code objectStatus} in the admin API's {@code /resources}. */
  JsonNode fromAdmin(String kind, String namespace, String name) {
    try {
      JsonNode list = JSON.readTree(gateway.admin("/resources?kind=" + kind + "&namespace=" + namespace + "&name="
          + name)).path("resources");
      return list.path(0).path("objectStatus");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The conditions of the route's parent entry for Gateway {@code gatewayName}. */
  static JsonNode parentConditions(JsonNode routeStatus, String gatewayName) {
    for (JsonNode parent : routeStatus.path("parents")) {
      if (parent.path("parentRef").path("name").asText().equals(gatewayName)) {
        return parent.path("conditions");
      }
    }
    return MissingNode.getInstance();
  }

  /** The listener's entry in a Gateway's status. */
  static JsonNode listener(JsonNode gatewayStatus, String name) {
    for (JsonNode listener : gatewayStatus.path("listeners")) {
      if (listener.path("name").asText().equals(name)) {
        return listener;
      }
    }
    return MissingNode.getInstance();
  }

  /**
   * Upstream's condition check: a condition of that type with that status and, unless {@code reason}
   * is empty, that reason.
   */
  static boolean has(JsonNode conditions, String type, String status, String reason) {
    for (JsonNode c : conditions) {
      if (c.path("type").asText().equals(type) && c.path("status").asText().equals(status)
          && (reason.isEmpty() || c.path("reason").asText().equals(reason))) {
        return true;
      }
    }
    return false;
  }

  /** Upstream's "latest conditions": every condition observed this generation. */
  static boolean allObserved(JsonNode conditions, long generation) {
    if (conditions.isEmpty()) {
      return false;
    }
    for (JsonNode c : conditions) {
      if (c.path("observedGeneration").asLong(-1) != generation) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    try {
      client.disconnect();
      client.close();
    } catch (MqttException e) {
      // The broker goes away with the test's gateway.
    }
  }
}
