package io.edgegw.it.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
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
  static final String GRPC_ROUTES = "grpcroutes.gateway.networking.k8s.io";
  static final String TLS_ROUTES = "tlsroutes.gateway.networking.k8s.io";
  static final String TCP_ROUTES = "tcproutes.gateway.networking.k8s.io";
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

  /**
   * Upstream's {@code <Kind>RouteMustHaveCondition}: waits until the route's parent entry for Gateway
   * {@code gateway} (in the route's namespace) has the condition, and returns the route's status.
   */
  JsonNode awaitRouteCondition(String kind, String namespace, String route, String gateway, String type,
      String status, String reason) {
    return await(kind, namespace, route, s -> has(parentConditions(s, gateway), type, status, reason));
  }

  /**
   * Upstream's {@code GatewayAnd<Kind>RoutesMustBeAccepted}: each route's parent entry for the Gateway
   * is Accepted True (reason Accepted) by our controller, and every listener of the Gateway is
   * Accepted, Programmed and ResolvedRefs.
   */
  void awaitGatewayAndRoutesAccepted(String kind, String namespace, String gateway, String... routes) {
    for (String route : routes) {
      JsonNode s = awaitRouteCondition(kind, namespace, route, gateway, "Accepted", "True", "Accepted");
      boolean ours = false;
      for (JsonNode parent : s.path("parents")) {
        ours |= parent.path("parentRef").path("name").asText().equals(gateway)
            && parent.path("controllerName").asText().equals(GatewayApiConformance.CONTROLLER);
      }
      if (!ours) {
        throw new AssertionError(route + ": no parent entry of our controller for " + gateway + ": " + s);
      }
    }
    await(GATEWAYS, namespace, gateway, s -> {
      if (s.path("listeners").isEmpty()) {
        return false;
      }
      for (JsonNode l : s.path("listeners")) {
        for (String type : List.of("Accepted", "Programmed", "ResolvedRefs")) {
          if (!has(l.path("conditions"), type, "True", "")) {
            return false;
          }
        }
      }
      return true;
    });
  }

  /**
   * Upstream's {@code <Kind>RouteMustHaveNoAcceptedParents}: no parent entry, or one that is not
   * Accepted. Waits for the status to be there first (an empty one proves nothing here: the
   * translation gives a route its parents at once).
   */
  JsonNode awaitNoAcceptedParents(String kind, String namespace, String route) {
    return await(kind, namespace, route, s -> s.path("parents").size() == 1
        && has(s.path("parents").path(0).path("conditions"), "Accepted", "False", ""));
  }

  /** Upstream's GatewayMustHaveZeroRoutes: no listener, or one with no route attached. */
  JsonNode awaitZeroRoutes(String namespace, String gateway) {
    return await(GATEWAYS, namespace, gateway, s -> s.path("listeners").size() == 1
        && s.path("listeners").path(0).path("attachedRoutes").asInt(-1) == 0);
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

  /** Upstream's GatewayMustHaveLatestConditions: the Gateway's and its listeners' conditions. */
  static boolean gatewayObserved(JsonNode gateway, long generation) {
    if (!allObserved(gateway.path("conditions"), generation) || gateway.path("listeners").isEmpty()) {
      return false;
    }
    for (JsonNode l : gateway.path("listeners")) {
      if (!allObserved(l.path("conditions"), generation)) {
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
