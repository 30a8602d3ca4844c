package io.edgegw.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final String SOURCES = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: shop-gw, namespace: shop}
      spec:
        selector: {role: shop}
        servers:
        - port: {number: 443, name: https, protocol: HTTPS}
          hosts: ["shop.example.com"]
          tls: {mode: SIMPLE, credentialName: shop-cert}
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: factory-gw, namespace: factory}
      spec:
        selector: {role: factory}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*"]
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: shop-cert, namespace: shop}
      type: kubernetes.io/tls
      data: {}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: unused, namespace: shop}
      data: {}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: shop, namespace: shop}
      spec:
        hosts: ["shop.example.com"]
        gateways: [shop-gw]
        http:
        - route:
          - destination: {host: cart}
          mirror: {host: audit.tools.svc.cluster.local}
        - delegate: {name: extra}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: extra, namespace: shop}
      spec:
        http:
        - route:
          - destination: {host: api.partner.com, port: {number: 443}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: mesh-only, namespace: shop}
      spec:
        hosts: ["cart"]
        http:
        - route:
          - destination: {host: internal}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: line, namespace: factory}
      spec:
        hosts: ["*"]
        gateways: [factory/factory-gw, mesh]
        tcp:
        - route:
          - destination: {host: plc.factory.svc.cluster.local, port: {number: 502}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: wrong-ns, namespace: other}
      spec:
        hosts: ["x.example.com"]
        gateways: [shop-gw]
        http:
        - route:
          - destination: {host: x}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: cart, namespace: shop}
      spec: {ports: [{port: 8080}]}
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: cart, namespace: shop}
      subsets:
      - addresses: [{ip: 10.0.0.1, targetRef: {kind: Pod, name: cart-1}}]
        ports: [{port: 8080}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: cart-1, namespace: shop, labels: {app: cart}}
      status: {podIP: 10.0.0.1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: audit, namespace: tools}
      spec: {ports: [{port: 80}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: internal, namespace: shop}
      spec: {ports: [{port: 80}]}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: partner, namespace: shop}
      spec:
        hosts: [api.partner.com]
        ports: [{number: 443, name: tls, protocol: TLS}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: partner-tls, namespace: shop}
      spec:
        host: api.partner.com
        trafficPolicy:
          tls: {mode: SIMPLE, credentialName: partner-ca}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: partner-ca, namespace: shop}
      data: {}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: plc, namespace: factory}
      spec:
        hosts: [plc.factory.svc.cluster.local]
        ports: [{number: 502, name: tcp, protocol: TCP}]
        resolution: STATIC
        workloadSelector: {labels: {app: plc}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: plc-1, namespace: factory}
      spec: {address: 192.168.1.10, labels: {app: plc}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: other-1, namespace: factory}
      spec: {address: 192.168.1.11, labels: {app: other}}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: cart, namespace: shop}
      spec:
        host: cart
        subsets: [{name: v1, labels: {app: cart}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: everything, namespace: shop}
      spec:
        host: "*.partner.com"
      """;

  private final Placement placement = new Placement("cluster.local");

  @Test
  void aShopGatewayGetsItsGatewayRoutesBackendsAndOnlyItsSecrets() {
    Set<String> shop = paths(Map.of("role", "shop", "site", "berlin"));
    assertEquals(new TreeSet<>(List.of(
        "gateway/shop/shop-gw",
        "virtualservice/shop/shop", "virtualservice/shop/extra",
        "service/shop/cart", "endpoints/shop/cart", "pod/shop/cart-1", "destinationrule/shop/cart",
        "service/tools/audit",
        "serviceentry/shop/partner", "destinationrule/shop/partner-tls", "destinationrule/shop/everything",
        "secret/shop/shop-cert", "secret/shop/partner-ca")), shop);
  }

  @Test
  void aFactoryGatewayGetsTheTcpRouteAndTheWorkloadsItsServiceEntrySelects() {
    Set<String> factory = paths(Map.of("role", "factory"));
    assertEquals(new TreeSet<>(List.of(
        "gateway/factory/factory-gw", "virtualservice/factory/line", "serviceentry/factory/plc",
        "workloadentry/factory/plc-1")), factory);
  }

  @Test
  void aGatewayNoSelectorMatchesGetsNothingAndNoKeyEverLeaksToIt() {
    assertEquals(Set.of(), paths(Map.of("role", "warehouse")));
    assertFalse(paths(Map.of("role", "factory")).stream().anyMatch(p -> p.startsWith("secret/")));
  }

  @Test
  void meshOnlyAndWronglyNamespacedVirtualServicesAreNeverSent() {
    Set<String> shop = paths(Map.of("role", "shop"));
    assertFalse(shop.contains("virtualservice/shop/mesh-only"));
    assertFalse(shop.contains("service/shop/internal"), "only a mesh-only route uses it");
    assertFalse(shop.contains("virtualservice/other/wrong-ns"), "shop-gw in its own namespace means other/shop-gw");
    assertFalse(shop.contains("secret/shop/unused"));
  }

  @Test
  void anEmptySelectorSelectsEveryGatewayAsInIstio() {
    String everywhere = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: all, namespace: ops}
        spec:
          servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}]
        """;
    assertTrue(paths(everywhere, Map.of("anything", "x")).contains("gateway/ops/all"));
  }

  @Test
  void aSourceTheSidecarWouldRejectIsReportedWithItsField() {
    String bad = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: broken, namespace: ops}
        spec:
          servers: [{port: {number: 99999, name: http, protocol: HTTP}, hosts: ["*"]}]
        """;
    Placement.Sources sources = placement.decode(read(bad));
    assertEquals(1, sources.errors().size());
    assertTrue(sources.errors().get(0).toString().contains("Gateway ops/broken"), sources.errors().toString());
  }

  @Test
  void theExampleSourceIsValidAndReachesShopsOnlyItsGatewayApiGatewayBerlinOnly() throws Exception {
    SourceDirectory.Snapshot example = new SourceDirectory(java.nio.file.Path.of("..", "examples", "fleet", "source")).read();
    assertEquals(List.of(), example.problems());
    Placement.Sources sources = placement.decode(example.resources());
    assertEquals(List.of(), sources.errors());
    // The Istio shop (Gateway, VirtualService, Service, Endpoints) everywhere; the Gateway API one in Berlin only.
    assertEquals(7, sources.placeOn(Map.of("role", "shop", "site", "berlin")).size());
    assertEquals(4, sources.placeOn(Map.of("role", "shop", "site", "paris")).size());
    assertEquals(0, sources.placeOn(Map.of("role", "factory")).size());
  }

  private Set<String> paths(Map<String, String> labels) {
    return paths(SOURCES, labels);
  }

  private Set<String> paths(String yaml, Map<String, String> labels) {
    Placement.Sources sources = placement.decode(read(yaml));
    assertEquals(List.of(), sources.errors());
    Set<String> out = new TreeSet<>();
    sources.placeOn(labels).keySet().forEach(k -> out.add(k.path()));
    return out;
  }

  static ImmutableList<Resource> read(String yaml) {
    return new ResourceReader().read(yaml).stream()
        .map(r -> ((ResourceReader.Ok) r).resource())
        .collect(ImmutableList.toImmutableList());
  }
}
