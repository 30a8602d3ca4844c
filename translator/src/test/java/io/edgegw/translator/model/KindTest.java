package io.edgegw.translator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The two kinds named Gateway never share a name; the names that existed before stay as they were. */
class KindTest {
  private final ResourceReader reader = new ResourceReader();

  @Test
  void everyNameIsUnique() {
    for (Function<Kind, String> name : java.util.List.<Function<Kind, String>>of(
        Kind::topicName, Kind::resourceName, Kind::displayName)) {
      assertEquals(Kind.values().length, Arrays.stream(Kind.values()).map(name).distinct().count());
    }
  }

  @Test
  void istioGatewayKeepsItsNamesAndTheGatewayApiGatewayIsQualified() {
    assertEquals("gateway", Kind.GATEWAY.topicName());
    assertEquals("Gateway", Kind.GATEWAY.displayName());
    assertEquals("gateways.networking.istio.io", Kind.GATEWAY.resourceName());
    assertEquals("gateways.gateway.networking.k8s.io", Kind.K8S_GATEWAY.topicName());
    assertEquals("gateways.gateway.networking.k8s.io", Kind.K8S_GATEWAY.resourceName());
    assertEquals("Gateway.gateway.networking.k8s.io", Kind.K8S_GATEWAY.displayName());
    assertEquals("httproutes.gateway.networking.k8s.io", Kind.HTTP_ROUTE.topicName());
    assertEquals("grpcroutes.gateway.networking.k8s.io", Kind.GRPC_ROUTE.topicName());
    assertEquals("tlsroutes.gateway.networking.k8s.io", Kind.TLS_ROUTE.topicName());
    assertEquals("tcproutes.gateway.networking.k8s.io", Kind.TCP_ROUTE.topicName());
    assertEquals("TLSRoute.gateway.networking.k8s.io", Kind.TLS_ROUTE.displayName());
    assertEquals("gatewayclasses.gateway.networking.k8s.io", Kind.GATEWAY_CLASS.topicName());
    assertEquals("referencegrants.gateway.networking.k8s.io", Kind.REFERENCE_GRANT.topicName());
    assertEquals("ReferenceGrant.gateway.networking.k8s.io", Kind.REFERENCE_GRANT.displayName());
    // Namespace came with the Gateway API: kubectl's resource name as topic level, plain printed name.
    assertEquals("namespaces", Kind.NAMESPACE.topicName());
    assertEquals("Namespace", Kind.NAMESPACE.displayName());
    assertEquals("services", Kind.SERVICE.resourceName());
    assertEquals("service", Kind.SERVICE.topicName());
    assertEquals("Gateway.gateway.networking.k8s.io web/gw", ResourceKey.of(Kind.K8S_GATEWAY, "web", "gw").toString());
    assertEquals("Gateway web/gw", ResourceKey.of(Kind.GATEWAY, "web", "gw").toString());
  }

  @Test
  void userNamesResolveAndAPlainGatewayIsIstios() {
    assertEquals(Optional.of(Kind.GATEWAY), Kind.fromUserName("Gateway"));
    assertEquals(Optional.of(Kind.GATEWAY), Kind.fromUserName("gateway"));
    assertEquals(Optional.of(Kind.K8S_GATEWAY), Kind.fromUserName("gateways.gateway.networking.k8s.io"));
    assertEquals(Optional.of(Kind.K8S_GATEWAY), Kind.fromUserName("Gateway.gateway.networking.k8s.io"));
    assertEquals(Optional.of(Kind.HTTP_ROUTE), Kind.fromUserName("HTTPRoute.gateway.networking.k8s.io"));
    assertEquals(Optional.empty(), Kind.fromUserName("HTTPRoute"));
  }

  @Test
  void aClusterScopedKindIsAlwaysInNamespaceDefault() {
    ResourceReader.Read read = reader.read(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: edgegw, namespace: web}\n"
            + "spec: {controllerName: edgegw.io/gateway-controller}\n").get(0);
    ResourceReader.Ok ok = assertInstanceOf(ResourceReader.Ok.class, read);
    assertEquals(ResourceKey.of(Kind.GATEWAY_CLASS, "default", "edgegw"), ok.resource().key());
    assertEquals("default", ok.resource().manifest().path("metadata").path("namespace").asText());
    ResourceReader.Ok namespace = assertInstanceOf(ResourceReader.Ok.class,
        reader.read("apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n").get(0));
    assertEquals(ResourceKey.of(Kind.NAMESPACE, "default", "web"), namespace.resource().key());
  }

  @Test
  void theManifestsGroupDecidesWhichGateway() {
    ResourceReader.Read istio = reader.read("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\n").get(0);
    ResourceReader.Read gatewayApi = reader.read(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: web}\n").get(0);
    assertEquals(Kind.GATEWAY, assertInstanceOf(ResourceReader.Ok.class, istio).resource().key().kind());
    assertEquals(ResourceKey.of(Kind.K8S_GATEWAY, "web", "gw"),
        assertInstanceOf(ResourceReader.Ok.class, gatewayApi).resource().key());
    ResourceReader.Read alpha = reader.read(
        "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: HTTPRoute\nmetadata: {name: r}\n").get(0);
    assertEquals("apiVersion: unsupported version gateway.networking.k8s.io/v1alpha2",
        assertInstanceOf(ResourceReader.Failed.class, alpha).error());
  }

  @Test
  void tlsRouteAndTcpRouteAreReadInTheirExperimentalVersionsToo() {
    for (String version : List.of("v1", "v1alpha2", "v1alpha3")) {
      ResourceReader.Read tls = reader.read(
          "apiVersion: gateway.networking.k8s.io/" + version + "\nkind: TLSRoute\nmetadata: {name: r}\n").get(0);
      assertEquals(Kind.TLS_ROUTE, assertInstanceOf(ResourceReader.Ok.class, tls).resource().key().kind());
    }
    ResourceReader.Read tcp = reader.read(
        "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: r}\n").get(0);
    assertEquals(Kind.TCP_ROUTE, assertInstanceOf(ResourceReader.Ok.class, tcp).resource().key().kind());
    ResourceReader.Read tcpAlpha3 = reader.read(
        "apiVersion: gateway.networking.k8s.io/v1alpha3\nkind: TCPRoute\nmetadata: {name: r}\n").get(0);
    assertInstanceOf(ResourceReader.Failed.class, tcpAlpha3);
  }
}
