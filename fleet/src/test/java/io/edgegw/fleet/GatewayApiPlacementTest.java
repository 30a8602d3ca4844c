package io.edgegw.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The Gateway API placement rule of docs/fleet.md, on manifests as an operator writes them. */
class GatewayApiPlacementTest {
  private static final Map<String, String> SHOP = ImmutableMap.of("role", "shop", "site", "berlin");
  private static final Map<String, String> FACTORY = ImmutableMap.of("role", "factory");

  private static final String CLASS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: edge}
      spec: {controllerName: edgegw.io/gateway-controller}
      """;

  private static String gateway(String name, String annotation, String tls) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: %s
          namespace: web
        %s
        spec:
          gatewayClassName: edge
          listeners:
          - {name: http, port: 80, protocol: HTTP}
        %s
        """.formatted(name, annotation.isEmpty() ? "" : "  annotations: {\"edgegw.io/gateway-selector\": \"" + annotation + "\"}",
        tls);
  }

  private static String route(String name, String gateway, String backend) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: %s, namespace: web}
        spec:
          parentRefs: [{name: %s}]
          rules:
          - backendRefs: [{name: %s, port: 8080}]
        """.formatted(name, gateway, backend);
  }

  private static String service(String name, String namespace) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: %1$s, namespace: %2$s}
        subsets:
        - addresses: [{ip: 10.0.0.1}]
          ports: [{name: http, port: 8080}]
        """.formatted(name, namespace);
  }

  private static String secret(String name, String namespace) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: %s}
        type: kubernetes.io/tls
        data: {}
        """.formatted(name, namespace);
  }

  private static final String HTTPS = """
        - name: https
          port: 443
          protocol: HTTPS
          hostname: shop.example.com
          tls:
            certificateRefs: [{name: shop-cert}, {name: other-cert, namespace: certs}]
      """;

  @Test
  void aGatewayGoesWhereItsSelectorMatchesWithItsClassRoutesBackendsAndOnlyTheSecretsItUses() {
    Placement.Sources sources = sources(CLASS, gateway("shop", "role=shop", HTTPS), route("cart", "shop", "cart"),
        service("cart", "web"), service("unused", "web"), secret("shop-cert", "web"), secret("other-cert", "certs"),
        secret("spare-cert", "web"));

    assertEquals(Set.of(
        "gatewayclasses.gateway.networking.k8s.io/default/edge",
        "gateways.gateway.networking.k8s.io/web/shop",
        "httproutes.gateway.networking.k8s.io/web/cart",
        "service/web/cart", "endpoints/web/cart",
        // certs/other-cert is referenced from another namespace without a ReferenceGrant: the sidecar would
        // refuse the reference (RefNotPermitted), so the key stays in the cloud.
        "secret/web/shop-cert"), placed(sources, SHOP));
    assertEquals(Set.of(), placed(sources, FACTORY));
  }

  @Test
  void theGatewaysOwnSelectorWinsOverItsClassesAndNeitherMeansNowhere() {
    String selectingClass = CLASS.replace("metadata: {name: edge}",
        "metadata: {name: edge, annotations: {\"edgegw.io/gateway-selector\": \"role=factory\"}}");
    Placement.Sources sources = sources(selectingClass, gateway("by-class", "", ""),
        gateway("own", "role=shop, site=berlin", ""));
    assertEquals(Set.of("gatewayclasses.gateway.networking.k8s.io/default/edge",
        "gateways.gateway.networking.k8s.io/web/by-class"), placed(sources, FACTORY));
    assertEquals(Set.of("gatewayclasses.gateway.networking.k8s.io/default/edge",
        "gateways.gateway.networking.k8s.io/web/own"), placed(sources, SHOP));
    assertEquals(Set.of(), placed(sources, ImmutableMap.of("role", "shop", "site", "paris")));

    Placement.Sources unselected = sources(CLASS, gateway("nobody", "", ""), route("r", "nobody", "cart"),
        service("cart", "web"));
    assertEquals(Set.of(), placed(unselected, SHOP));
    assertEquals(Set.of(), placed(unselected, ImmutableMap.of()));
  }

  @Test
  void anEmptySelectorSelectsEveryGatewayAndRoutesFollowTheirParentsOnly() {
    Placement.Sources sources = sources(CLASS, gateway("all", "", "").replace("  name: all",
        "  name: all\n  annotations: {\"edgegw.io/gateway-selector\": \"\"}"), gateway("shop", "role=shop", ""),
        route("everywhere", "all", "cart"), route("shop-only", "shop", "till"), service("cart", "web"),
        service("till", "web"));
    assertEquals(Set.of("gatewayclasses.gateway.networking.k8s.io/default/edge",
        "gateways.gateway.networking.k8s.io/web/all", "httproutes.gateway.networking.k8s.io/web/everywhere",
        "service/web/cart", "endpoints/web/cart"), placed(sources, FACTORY));
    assertTrue(placed(sources, SHOP).containsAll(Set.of("httproutes.gateway.networking.k8s.io/web/shop-only",
        "service/web/till", "httproutes.gateway.networking.k8s.io/web/everywhere")));
  }

  @Test
  void aMalformedSelectorIsAnErrorNamingTheResourceAndField() {
    Placement.Sources sources = sources(CLASS, gateway("shop", "role", ""));
    List<Diagnostic> errors = sources.errors();
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).toString().contains("Gateway.gateway.networking.k8s.io web/shop"), errors.toString());
    assertEquals("metadata.annotations[edgegw.io/gateway-selector]", errors.get(0).field());
  }

  @Test
  void aBackendTlsPolicyTravelsWithTheServiceItTargetsAndItsCaConfigMaps() {
    String policy = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata: {name: %1$s, namespace: web}
        spec:
          targetRefs: [{group: "", kind: Service, name: %1$s}]
          validation:
            caCertificateRefs: [{group: "", kind: ConfigMap, name: %1$s-ca}]
            hostname: %1$s.example.com
        """;
    String configMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: %s-ca, namespace: web}
        data: {ca.crt: ""}
        """;
    Placement.Sources sources = sources(CLASS, gateway("shop", "role=shop", ""), route("cart", "shop", "cart"),
        service("cart", "web"), service("unused", "web"), policy.formatted("cart"), configMap.formatted("cart"),
        policy.formatted("unused"), configMap.formatted("unused"));

    Set<String> shop = placed(sources, SHOP);
    assertTrue(shop.contains("backendtlspolicies.gateway.networking.k8s.io/web/cart"), shop.toString());
    assertTrue(shop.contains("configmap/web/cart-ca"), shop.toString());
    assertTrue(shop.stream().noneMatch(k -> k.contains("unused")), shop.toString());
    assertEquals(Set.of(), placed(sources, FACTORY));
  }

  @Test
  void aReferenceGrantTravelsWithTheCrossNamespaceReferenceItAllowsAndTheNamespacesWithTheirResources() {
    String grant = """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: web-certs, namespace: certs}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: web}]
          to: [{group: "", kind: Secret, name: other-cert}]
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: unrelated, namespace: certs}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}]
          to: [{group: "", kind: Service}]
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: web, labels: {shared: "yes"}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: elsewhere}
        """;
    Placement.Sources sources = sources(CLASS, gateway("shop", "role=shop", HTTPS), grant,
        secret("shop-cert", "web"), secret("other-cert", "certs"));
    Set<String> shop = placed(sources, SHOP);
    assertTrue(shop.contains("secret/certs/other-cert"), shop.toString());
    assertTrue(shop.stream().anyMatch(p -> p.endsWith("/certs/web-certs")), shop.toString());
    assertTrue(shop.stream().noneMatch(p -> p.endsWith("/certs/unrelated")), shop.toString());
    assertTrue(shop.stream().anyMatch(p -> p.startsWith("namespace") && p.endsWith("/web")), shop.toString());
    assertTrue(shop.stream().noneMatch(p -> p.endsWith("/elsewhere")), shop.toString());
    assertEquals(Set.of(), placed(sources, FACTORY));
  }

  private static Placement.Sources sources(String... yaml) {
    List<Resource> resources = new ArrayList<>();
    for (ResourceReader.Read read : new ResourceReader().read(String.join("---\n", yaml))) {
      if (read instanceof ResourceReader.Ok ok) {
        resources.add(ok.resource());
      } else {
        throw new AssertionError(read.toString());
      }
    }
    return new Placement("cluster.local").decode(resources);
  }

  private static Set<String> placed(Placement.Sources sources, Map<String, String> labels) {
    assertEquals(List.of(), sources.errors().stream().filter(d -> !d.field().startsWith("metadata.annotations")).toList());
    Set<String> out = new TreeSet<>();
    sources.placeOn(labels).keySet().forEach(k -> out.add(k.path()));
    return out;
  }
}
