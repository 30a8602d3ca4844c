package io.edgegw.it.gatewayapi;

import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAYS;
import static io.edgegw.it.gatewayapi.StatusTopics.gatewayObserved;
import static io.edgegw.it.gatewayapi.StatusTopics.has;
import static io.edgegw.it.gatewayapi.StatusTopics.listener;
import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpProbe;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) on a Gateway's addresses and
 * infrastructure, and GatewayWithAttachedRoutesWithPort8080, through the real sidecar, broker and Envoy:
 * the conditions and {@code status.addresses} upstream reads from the API server are read from the
 * Gateway's {@code objectStatus} on MQTT; where upstream patches the Gateway, the test publishes it again
 * with the next generation. Beyond upstream, each checks traffic: a refused Gateway's listener on 8080
 * is not served, an accepted one's is. The harness's listener address is 127.0.0.1, so that is the
 * node's one usable address (what upstream's {@code --usable-network-addresses} names); 192.0.2.1
 * (TEST-NET-1) stands for an unusable one.
 */
class GatewayInfrastructureConformanceTest {
  private static final String USABLE = "127.0.0.1";
  private static final String UNUSABLE = "192.0.2.1";
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private StatusTopics status;

  @BeforeEach
  void start() throws Exception {
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
  void GatewayStaticAddresses() {
    String name = "gateway-static-addresses";
    ObjectNode gateway = suite.onlyDocumentOf("tests/gateway-static-addresses.yaml");
    ArrayNode addresses = (ArrayNode) gateway.path("spec").path("addresses");
    assertThat(addresses).hasSize(3);
    // Upstream substitutes the placeholders with the addresses the implementation names.
    ((ObjectNode) addresses.get(1)).put("type", "IPAddress").put("value", UNUSABLE);
    ((ObjectNode) addresses.get(2)).put("type", "IPAddress").put("value", USABLE);
    suite.publishAt(gateway, 1);
    JsonNode invalid = status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 1));
    assertThat(has(invalid.path("conditions"), "Accepted", "False", "UnsupportedAddress")).as(invalid.toString())
        .isTrue();

    addresses.remove(0); // the address of a type not supported
    suite.publishAt(gateway, 2);
    JsonNode unusable = status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 2));
    assertThat(has(unusable.path("conditions"), "Accepted", "True", "Accepted")).as(unusable.toString()).isTrue();
    assertThat(has(unusable.path("conditions"), "Programmed", "False", "AddressNotUsable"))
        .as(unusable.toString()).isTrue();
    assertNotServedOn8080();

    addresses.remove(0); // the unusable address
    suite.publishAt(gateway, 3);
    JsonNode usable = status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 3));
    assertThat(has(usable.path("conditions"), "Accepted", "True", "Accepted")).as(usable.toString()).isTrue();
    assertThat(has(usable.path("conditions"), "Programmed", "True", "Programmed")).as(usable.toString()).isTrue();
    assertListener(usable, "http", 0);
    assertThat(usable.path("addresses")).as(usable.toString()).hasSize(1);
    assertThat(usable.path("addresses").path(0).path("value").asText()).isEqualTo(USABLE);
    assertThat(usable.path("addresses").path(0).path("type").asText()).isEqualTo("IPAddress");
    awaitServedOn8080();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayOptionalAddressValue() {
    String name = "gateway-without-address-value";
    suite.publishAt(suite.onlyDocumentOf("tests/gateway-optional-address-value.yaml"), 1);
    // Upstream's WaitForGatewayAddress: an address with a type, on the latest conditions.
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, name,
        s -> gatewayObserved(s, 1) && s.path("addresses").path(0).hasNonNull("type"));
    assertThat(gateway.path("addresses").path(0).path("type").asText()).isEqualTo("IPAddress");
    assertThat(gateway.path("addresses").path(0).path("value").asText()).isEqualTo(USABLE);
    assertThat(has(gateway.path("conditions"), "Programmed", "True", "Programmed")).as(gateway.toString()).isTrue();
    awaitServedOn8080();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayInvalidParametersRef() {
    String name = "gateway-invalid-parameters-ref";
    suite.publishAt(suite.onlyDocumentOf("tests/gateway-invalid-parameters-ref.yaml"), 1);
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 1));
    assertThat(has(gateway.path("conditions"), "Accepted", "False", "InvalidParameters")).as(gateway.toString())
        .isTrue();
    assertThat(has(gateway.path("conditions"), "Programmed", "False", "")).as(gateway.toString()).isTrue();
    assertThat(gateway.path("addresses").isMissingNode()).as(gateway.toString()).isTrue();
    suite.awaitWarning(GATEWAYS, INFRA_NS, name, "spec.infrastructure.parametersRef", "(InvalidParameters)");
    assertThat(gw.envoy().nacks()).isZero();
  }

  /**
   * Upstream also reads the Gateway's infrastructure labels and annotations off the ServiceAccount, Pod
   * or Service the implementation generated for it; an edge node generates none, so that part is not
   * ported (docs/gateway-api.md). Here: Accepted, as upstream, and served.
   */
  @Test
  void GatewayInfrastructureMetadata() {
    String name = "gateway-with-infrastructure-metadata";
    suite.publishAt(suite.onlyDocumentOf("tests/gateway-infrastructure.yaml"), 1);
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, name, s -> gatewayObserved(s, 1));
    assertThat(has(gateway.path("conditions"), "Accepted", "True", "")).as(gateway.toString()).isTrue();
    assertThat(has(gateway.path("conditions"), "Programmed", "True", "")).as(gateway.toString()).isTrue();
    assertThat(suite.warnings(GATEWAYS, INFRA_NS, name)).isEmpty();
    awaitServedOn8080();
    assertThat(gw.envoy().nacks()).isZero();
  }

  /**
   * Upstream checks the listeners' status; here also that the route, attached by sectionName to the
   * listener on 80, answers there and not on the listener on 8080.
   */
  @Test
  void GatewayWithAttachedRoutesWithPort8080() {
    String name = "gateway-with-two-listeners-and-one-attached-route";
    for (ObjectNode doc : suite.documentsOf("tests/gateway-with-attached-routes-with-port-8080.yaml")) {
      suite.publishAt(doc, 1);
    }
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, name,
        s -> gatewayObserved(s, 1) && listener(s, "http").path("attachedRoutes").asInt() == 1);
    assertThat(gateway.path("listeners")).hasSize(2);
    assertListener(gateway, "http-unattached", 0);
    assertListener(gateway, "http", 1);
    gw.awaitBackend("any.host", "/", "infra-backend-v1");
    awaitServedOn8080();
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** Upstream's listener check: HTTPRoute among supportedKinds, Accepted and ResolvedRefs True, the count. */
  private static void assertListener(JsonNode gateway, String name, int attached) {
    JsonNode l = listener(gateway, name);
    assertThat(l.path("attachedRoutes").asInt(-1)).as(l.toString()).isEqualTo(attached);
    boolean httpRoute = false;
    for (JsonNode k : l.path("supportedKinds")) {
      httpRoute |= k.path("group").asText().equals("gateway.networking.k8s.io")
          && k.path("kind").asText().equals("HTTPRoute");
    }
    assertThat(httpRoute).as(l.toString()).isTrue();
    assertThat(has(l.path("conditions"), "Accepted", "True", "")).as(l.toString()).isTrue();
    assertThat(has(l.path("conditions"), "ResolvedRefs", "True", "")).as(l.toString()).isTrue();
  }

  /** The Gateway's listener on 8080 is served: Envoy answers there (404: no route on it). */
  private void awaitServedOn8080() {
    int port = gw.listenerPort(8080);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> HttpProbe.get(port, "any.host", "/").status() == 404);
  }

  /** Nothing listens on 8080: the only Gateway with a listener there is not served. */
  private void assertNotServedOn8080() {
    assertThatThrownBy(() -> HttpProbe.get(gw.listenerPort(8080), "any.host", "/"))
        .isInstanceOf(UncheckedIOException.class);
  }
}
