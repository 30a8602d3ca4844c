package io.edgegw.it.gatewayapi;

import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAYS;
import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAY_CLASSES;
import static io.edgegw.it.gatewayapi.StatusTopics.HTTP_ROUTES;
import static io.edgegw.it.gatewayapi.StatusTopics.allObserved;
import static io.edgegw.it.gatewayapi.StatusTopics.gatewayObserved;
import static io.edgegw.it.gatewayapi.StatusTopics.has;
import static io.edgegw.it.gatewayapi.StatusTopics.listener;
import static io.edgegw.it.gatewayapi.StatusTopics.parentConditions;
import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status parts of upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3 {@code
 * conformance/tests}), with their manifests, through the real sidecar, broker and Envoy: the
 * conditions upstream reads from the API server are read here from the objects' {@code
 * objectStatus} on the MQTT status topics (and {@code /resources}), which is what a cloud-side tool
 * writes back. Where upstream patches an object and the API server bumps {@code metadata.generation},
 * the test publishes the changed object with the next generation itself.
 */
class StatusConformanceTest {
  private static final String CONTROLLER = GatewayApiConformance.CONTROLLER;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private StatusTopics status;
  @TempDir Path pkiDir;

  @BeforeEach
  void start() throws Exception {
    // With the base manifests' Namespaces, as upstream: GatewayWithAttachedRoutes selects by their labels.
    suite = GatewayApiConformance.start(b -> b, Set.of());
    gw = suite.gateway();
    status = new StatusTopics(gw);
  }

  @AfterEach
  void stop() {
    status.close();
    suite.close();
  }

  @Test
  void GatewayClassObservedGenerationBump() {
    ObjectNode gwc = suite.onlyDocumentOf("tests/gatewayclass-observed-generation-bump.yaml");
    String name = gwc.path("metadata").path("name").asText();
    suite.publishAt(gwc, 1);
    JsonNode first = status.await(GATEWAY_CLASSES, "default", name,
        s -> allObserved(s.path("conditions"), 1));
    assertThat(has(first.path("conditions"), "Accepted", "True", "")).isTrue();

    ((ObjectNode) gwc.get("spec")).put("description", "new");
    suite.publishAt(gwc, 2);
    JsonNode bumped = status.await(GATEWAY_CLASSES, "default", name,
        s -> allObserved(s.path("conditions"), 2));
    assertThat(has(bumped.path("conditions"), "Accepted", "True", "")).isTrue();
  }

  @Test
  void GatewayObservedGenerationBump() {
    ObjectNode gateway = suite.onlyDocumentOf("tests/gateway-observed-generation-bump.yaml");
    String name = gateway.path("metadata").path("name").asText();
    suite.publishAt(gateway, 1);
    status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 1));

    ObjectNode alternate = ((ArrayNode) gateway.path("spec").path("listeners")).addObject();
    alternate.put("name", "alternate").put("hostname", "foo.com").put("port", 80).put("protocol", "HTTP");
    alternate.putObject("allowedRoutes").putObject("namespaces").put("from", "All");
    suite.publishAt(gateway, 2);
    JsonNode bumped = status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 2));
    assertThat(bumped.path("listeners")).hasSize(2);
    assertThat(has(bumped.path("conditions"), "Accepted", "True", "")).isTrue();
    assertThat(has(bumped.path("conditions"), "Programmed", "True", "")).isTrue();
  }

  @Test
  void HTTPRouteObservedGenerationBump() {
    ObjectNode route = suite.onlyDocumentOf("tests/httproute-observed-generation-bump.yaml");
    String name = route.path("metadata").path("name").asText();
    suite.publishAt(route, 1);
    status.await(HTTP_ROUTES, INFRA_NS, name, s -> allObserved(parentConditions(s, "same-namespace"), 1));
    gw.awaitBackend("any.host", "/", "infra-backend-v1");

    ((ObjectNode) route.at("/spec/rules/0/backendRefs/0")).put("name", "infra-backend-v2");
    suite.publishAt(route, 2);
    JsonNode bumped = status.await(HTTP_ROUTES, INFRA_NS, name,
        s -> allObserved(parentConditions(s, "same-namespace"), 2));
    JsonNode conditions = parentConditions(bumped, "same-namespace");
    assertThat(has(conditions, "Accepted", "True", "")).isTrue();
    assertThat(has(conditions, "ResolvedRefs", "True", "")).isTrue();
    gw.awaitBackend("any.host", "/", "infra-backend-v2");
  }

  /**
   * Upstream's first two parts; the third (an HTTPS listener with an unresolved certificateRef) needs
   * HTTPS listeners, which are not served yet.
   */
  @Test
  void GatewayWithAttachedRoutes() {
    suite.apply("tests/gateway-with-attached-routes.yaml");
    JsonNode one = status.await(GATEWAYS, INFRA_NS, "gateway-with-one-attached-route",
        s -> listener(s, "http").path("attachedRoutes").asInt() == 1);
    assertListener(one, "http", 1);

    JsonNode two = status.await(GATEWAYS, INFRA_NS, "gateway-with-two-attached-routes",
        s -> listener(s, "http").path("attachedRoutes").asInt() == 2);
    assertListener(two, "http", 2);
    JsonNode notAccepted = status.await(HTTP_ROUTES, INFRA_NS, "http-route-not-accepted",
        s -> parentConditions(s, "gateway-with-two-attached-routes").size() > 0);
    assertThat(has(parentConditions(notAccepted, "gateway-with-two-attached-routes"), "Accepted", "False",
        "NoMatchingListenerHostname")).isTrue();
    assertThat(status.fromAdmin("Gateway.gateway.networking.k8s.io", INFRA_NS, "gateway-with-two-attached-routes"))
        .isEqualTo(two);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteInvalidNonExistentBackendRef() {
    suite.apply("tests/httproute-invalid-nonexistent-backendref.yaml");
    String name = "invalid-nonexistent-backend-ref";
    JsonNode route = status.await(HTTP_ROUTES, INFRA_NS, name,
        s -> has(parentConditions(s, "same-namespace"), "ResolvedRefs", "False", "BackendNotFound"));
    assertThat(has(parentConditions(route, "same-namespace"), "Accepted", "True", "")).isTrue();
    assertThat(route.path("parents").path(0).path("controllerName").asText()).isEqualTo(CONTROLLER);
    gatewayAndListenersAccepted("same-namespace");
    gw.awaitStatus("any.host", "/", 500);
    // The same status in the admin API, and on the CLI's source of truth.
    assertThat(status.fromAdmin("HTTPRoute.gateway.networking.k8s.io", INFRA_NS, name)).isEqualTo(route);
  }

  @Test
  void HTTPRouteInvalidBackendRefUnknownKind() {
    suite.apply("tests/httproute-invalid-backendref-unknown-kind.yaml");
    JsonNode route = status.await(HTTP_ROUTES, INFRA_NS, "invalid-backend-ref-unknown-kind",
        s -> has(parentConditions(s, "same-namespace"), "ResolvedRefs", "False", "InvalidKind"));
    assertThat(has(parentConditions(route, "same-namespace"), "Accepted", "True", "")).isTrue();
    gatewayAndListenersAccepted("same-namespace");
    gw.awaitStatus("any.host", "/v2", 500);
  }

  @Test
  void HTTPRouteInvalidParentRefNotMatchingSectionName() {
    suite.apply("tests/httproute-invalid-parentref-not-matching-section-name.yaml");
    JsonNode route = status.await(HTTP_ROUTES, INFRA_NS, "httproute-listener-not-matching-section-name",
        s -> has(parentConditions(s, "same-namespace"), "Accepted", "False", "NoMatchingParent"));
    for (JsonNode parent : route.path("parents")) {
      assertThat(has(parent.path("conditions"), "Accepted", "True", "")).as("no accepted parent").isFalse();
    }
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, "same-namespace", s -> s.path("listeners").size() > 0);
    for (JsonNode l : gateway.path("listeners")) {
      assertThat(l.path("attachedRoutes").asInt()).isZero();
    }
  }

  @Test
  void HTTPRouteInvalidParentRefSectionNameNotMatchingPort() {
    suite.apply("tests/httproute-invalid-parentref-section-name-not-matching-port.yaml");
    String gatewayName = "gateway-with-one-not-matching-port-and-section-name-route";
    JsonNode route = status.await(HTTP_ROUTES, INFRA_NS, "httproute-listener-section-name-not-matching-port",
        s -> has(parentConditions(s, gatewayName), "Accepted", "False", "NoMatchingParent"));
    for (JsonNode parent : route.path("parents")) {
      assertThat(has(parent.path("conditions"), "Accepted", "True", "")).as("no accepted parent").isFalse();
    }
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, gatewayName, s -> s.path("listeners").size() > 0);
    for (JsonNode l : gateway.path("listeners")) {
      assertThat(l.path("attachedRoutes").asInt()).isZero();
    }
  }

  /**
   * Upstream's GatewayListenerUnsupportedProtocol (file gateway-invalid-listeners-unsupported-protocol):
   * a listener of an unknown protocol is Accepted False UnsupportedProtocol with no supported kinds; the
   * Gateway is Accepted only if another listener is, and says ListenersNotValid either way.
   */
  @Test
  void GatewayListenerUnsupportedProtocol() {
    List<ObjectNode> docs = suite.documentsOf("tests/gateway-invalid-listeners-unsupported-protocol.yaml");
    for (ObjectNode doc : docs) {
      suite.publishAt(doc, 1);
    }
    JsonNode only = status.await(GATEWAYS, INFRA_NS, "gateway-only-unsupported-protocols", s -> gatewayObserved(s, 1));
    assertThat(has(only.path("conditions"), "Accepted", "False", "ListenersNotValid")).as(only.toString()).isTrue();
    assertThat(only.path("listeners")).hasSize(1);
    assertUnsupported(listener(only, "invalid"));

    JsonNode mixed = status.await(GATEWAYS, INFRA_NS, "gateway-supported-and-unsupported-protocols",
        s -> gatewayObserved(s, 1));
    assertThat(has(mixed.path("conditions"), "Accepted", "True", "ListenersNotValid")).as(mixed.toString()).isTrue();
    assertThat(mixed.path("listeners")).hasSize(2);
    JsonNode http = listener(mixed, "http");
    assertThat(has(http.path("conditions"), "Accepted", "True", "Accepted")).as(http.toString()).isTrue();
    assertThat(supportsHttpRoute(http)).as(http.toString()).isTrue();
    assertThat(http.path("attachedRoutes").asInt(-1)).isZero();
    assertUnsupported(listener(mixed, "invalid"));
    assertThat(gw.envoy().nacks()).isZero();
  }

  private static void assertUnsupported(JsonNode l) {
    assertThat(has(l.path("conditions"), "Accepted", "False", "UnsupportedProtocol")).as(l.toString()).isTrue();
    assertThat(l.path("supportedKinds")).as(l.toString()).isEmpty();
    assertThat(l.path("attachedRoutes").asInt(-1)).isZero();
  }

  /**
   * Upstream's GatewayModifyListeners: a listener added to a Gateway becomes Accepted and ResolvedRefs
   * with its route attached; a listener removed from one disappears from its status. Upstream checks
   * status only; here traffic too (the added listener serves its host, the removed one no longer does).
   */
  @Test
  void GatewayModifyListeners() throws Exception {
    SSLContext client = suite.publishTlsSecrets(pkiDir, "secure.test.com").clientContext(Optional.empty());
    List<ObjectNode> docs = suite.documentsOf("tests/gateway-modify-listeners.yaml");
    // Upstream's two Gateways have an address each; here they would share port 443 and its host, so
    // each part runs alone, as upstream's parts are sequential.
    ObjectNode add = named(docs, "gateway-add-listener");
    suite.publishAt(add, 1);
    suite.publishAt(named(docs, "http-route-1"), 1);
    status.await(GATEWAYS, INFRA_NS, "gateway-add-listener", s -> gatewayObserved(s, 1));

    // should be able to add a listener that then becomes available for routing traffic
    ObjectNode http = ((ArrayNode) add.path("spec").path("listeners")).addObject();
    http.put("name", "http").put("port", 80).put("protocol", "HTTP").put("hostname", "data.test.com");
    http.putObject("allowedRoutes").putObject("namespaces").put("from", "All");
    suite.publishAt(add, 2);
    JsonNode added = status.await(GATEWAYS, INFRA_NS, "gateway-add-listener", s -> gatewayObserved(s, 2));
    assertThat(added.path("listeners")).hasSize(2);
    assertModified(listener(added, "https"));
    assertModified(listener(added, "http"));
    gw.awaitBackend("data.test.com", "/", "infra-backend-v1");
    assertThat(https(client).backend()).isEqualTo("infra-backend-v1");
    gw.delete("httproutes.gateway.networking.k8s.io", INFRA_NS, "http-route-1");
    gw.delete(GATEWAYS, INFRA_NS, "gateway-add-listener");

    // should be able to remove listeners, which would then stop routing the relevant traffic
    ObjectNode remove = named(docs, "gateway-remove-listener");
    suite.publishAt(remove, 1);
    suite.publishAt(named(docs, "http-route-2"), 1);
    status.await(GATEWAYS, INFRA_NS, "gateway-remove-listener", s -> gatewayObserved(s, 1));
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> https(client).backend(), "infra-backend-v1"::equals);
    ArrayNode listeners = (ArrayNode) remove.path("spec").path("listeners");
    assertThat(listeners).hasSize(2);
    for (int i = listeners.size() - 1; i >= 0; i--) {
      if (!listeners.get(i).path("name").asText().equals("http")) {
        listeners.remove(i);
      }
    }
    suite.publishAt(remove, 2);
    JsonNode removed = status.await(GATEWAYS, INFRA_NS, "gateway-remove-listener", s -> gatewayObserved(s, 2));
    assertThat(removed.path("listeners")).hasSize(1);
    assertModified(listener(removed, "http"));
    // Port 443 stays open for the base manifests' HTTPS Gateway, which routes nothing for this host.
    await().atMost(Duration.ofSeconds(20)).until(() -> httpsStatus(client), s -> s != 200);
    gw.awaitBackend("any.host", "/", "infra-backend-v1");
    assertThat(gw.envoy().nacks()).isZero();
  }

  private int httpsStatus(SSLContext client) {
    try {
      return https(client).status();
    } catch (IOException e) {
      return -1;
    }
  }

  private HttpProbe.Response https(SSLContext client) throws IOException {
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "secure.test.com", client)) {
      return HttpProbe.get(socket, "secure.test.com", "/", true);
    }
  }

  private static void assertModified(JsonNode l) {
    assertThat(supportsHttpRoute(l)).as(l.toString()).isTrue();
    assertThat(has(l.path("conditions"), "Accepted", "True", "")).as(l.toString()).isTrue();
    assertThat(has(l.path("conditions"), "ResolvedRefs", "True", "")).as(l.toString()).isTrue();
    assertThat(l.path("attachedRoutes").asInt(-1)).as(l.toString()).isEqualTo(1);
  }

  /** Upstream's check of supportedKinds: the expected kinds are among them (more are allowed). */
  private static boolean supportsHttpRoute(JsonNode l) {
    for (JsonNode k : l.path("supportedKinds")) {
      if (k.path("group").asText().equals("gateway.networking.k8s.io") && k.path("kind").asText().equals("HTTPRoute")) {
        return true;
      }
    }
    return false;
  }

  private static ObjectNode named(List<ObjectNode> docs, String name) {
    return docs.stream().filter(d -> d.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow();
  }

  /** Upstream's GatewayAndHTTPRoutesMustBeAccepted, the Gateway half: every listener Accepted, Programmed, ResolvedRefs. */
  private void gatewayAndListenersAccepted(String gatewayName) {
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, gatewayName, s -> s.path("listeners").size() > 0);
    assertThat(has(gateway.path("conditions"), "Accepted", "True", "")).isTrue();
    for (JsonNode l : gateway.path("listeners")) {
      for (String type : List.of("Accepted", "Programmed", "ResolvedRefs")) {
        assertThat(has(l.path("conditions"), type, "True", "")).as(l.path("name") + " " + type).isTrue();
      }
    }
  }

  private static void assertListener(JsonNode gateway, String name, int attached) {
    JsonNode l = listener(gateway, name);
    assertThat(l.path("attachedRoutes").asInt()).isEqualTo(attached);
    assertThat(l.path("supportedKinds").path(0).path("group").asText()).isEqualTo("gateway.networking.k8s.io");
    assertThat(l.path("supportedKinds").path(0).path("kind").asText()).isEqualTo("HTTPRoute");
    assertThat(has(l.path("conditions"), "Accepted", "True", "")).isTrue();
    assertThat(has(l.path("conditions"), "ResolvedRefs", "True", "")).isTrue();
  }
}
