package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.AddressRange;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.PathNormalization;
import io.edgegw.translator.model.NodePolicy;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The node policy: listen addresses and ports, the node's control ports, refused upstreams (issue #11). */
class NodePolicyTest {
  private static final NodePolicy POLICY = new NodePolicy(ImmutableSet.of("0.0.0.0", "10.0.0.5"), 1024, 65535,
      ImmutableSortedMap.of(18000, "the sidecar's xDS port", 15000, "Envoy's admin port", 1883, "the MQTT broker's port"),
      NodePolicy.DEFAULT_DENIED_UPSTREAMS, ImmutableList.of(), ImmutableSet.of("10.0.0.5"));
  private static final GatewayIdentity IDENTITY = new GatewayIdentity(ImmutableMap.of("istio", "edgegateway"), "cluster.local",
      "0.0.0.0", ImmutableMap.of(80, 8080, 81, 15000), POLICY, PathNormalization.BASE, GatewayIdentity.DEFAULT_NAMESPACE);

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}
      """;
  private static final String ROUTE = """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: vs, namespace: default}
      spec:
        hosts: ["*"]
        gateways: [gw]
        http: [{route: [{destination: {host: backend.example.com, port: {number: 80}}}]}]
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: se, namespace: default}
      spec:
        hosts: [backend.example.com]
        ports: [{number: 80, name: http, protocol: HTTP}]
        resolution: STATIC
        endpoints: [{address: 10.0.0.9}, {address: ADDRESS}]
      """;

  private static Translation translate(String yaml, GatewayIdentity identity) {
    return new Translator().translate(GoldenTest.inputs(yaml), identity);
  }

  private static List<String> errors(Translation t) {
    return t.diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::toString).collect(Collectors.toList());
  }

  private static String server(String fields) {
    return GATEWAY + "  - {port: {number: 9443, name: extra, protocol: HTTP}, hosts: [\"*\"]" + fields + "}\n";
  }

  @Test
  void aServerOnAnAddressTheNodeDoesNotAllowIsNotServed() {
    Translation t = translate(server(", bind: 192.0.2.1"), IDENTITY);
    assertEquals(List.of("ERROR Gateway default/gw: spec.servers[1].bind: address 192.0.2.1 is not one this node lets listeners bind"
        + " [0.0.0.0, 10.0.0.5] (--allowed-listen-addresses); this server is not served"), errors(t));
    assertEquals(List.of("0.0.0.0_8080"), t.resources().listeners().stream().map(l -> l.getName()).toList());
  }

  @Test
  void aServerOnANodeAddressIsServed() {
    Translation t = translate(server(", bind: 10.0.0.5"), IDENTITY);
    assertEquals(List.of(), errors(t));
    assertEquals(2, t.resources().listeners().size());
  }

  @Test
  void portsBelowTheRangeAndReservedPortsAreRefusedAfterThePortMap() {
    String yaml = GATEWAY + "  - {port: {number: 443, name: low, protocol: HTTP}, hosts: [\"*\"]}\n"
        + "  - {port: {number: 81, name: admin, protocol: HTTP}, hosts: [\"*\"]}\n"
        + "  - {port: {number: 18000, name: xds, protocol: HTTP}, hosts: [\"*\"]}\n"
        + "  - {port: {number: 1883, name: mqtt, protocol: TCP}, hosts: [\"*\"]}\n";
    List<String> errors = errors(translate(yaml, IDENTITY));
    assertEquals(4, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("spec.servers[1].port.number: port 443 is outside the ports this node lets listeners bind, 1024-65535"), errors.get(0));
    assertTrue(errors.get(1).contains("spec.servers[2].port.number: port 15000 is Envoy's admin port on this node; a listener cannot take it"
        + " (Gateway port 81 mapped to 15000)"), errors.get(1));
    assertTrue(errors.get(2).contains("spec.servers[3].port.number: port 18000 is the sidecar's xDS port"), errors.get(2));
    assertTrue(errors.get(3).contains("spec.servers[4].port.number: port 1883 is the MQTT broker's port"), errors.get(3));
  }

  @Test
  void loopbackAndLinkLocalUpstreamsAreRefusedByDefault() {
    for (String address : List.of("127.0.0.1", "169.254.169.254", "::1", "fe80::1", "0.0.0.0")) {
      Translation t = translate(GATEWAY + ROUTE.replace("ADDRESS", "'" + address + "'"), IDENTITY);
      List<String> errors = errors(t);
      assertEquals(1, errors.size(), errors.toString());
      assertTrue(errors.get(0).startsWith("ERROR ServiceEntry default/se: spec.endpoints[1].address: upstream address " + address
          + " is refused by this node's policy"), errors.get(0));
      assertEquals(List.of("10.0.0.9"), endpoints(t));
    }
  }

  @Test
  void allowUpstreamLetsLoopbackThroughButNeverToAReservedPort() {
    NodePolicy allowing = new NodePolicy(POLICY.listenAddresses(), 1024, 65535, POLICY.reservedPorts(),
        POLICY.deniedUpstreams(), ImmutableList.of(AddressRange.of("127.0.0.0/8")), POLICY.nodeAddresses());
    GatewayIdentity identity = new GatewayIdentity(IDENTITY.labels(), "cluster.local", "0.0.0.0", IDENTITY.portMap(), allowing, PathNormalization.BASE,
        GatewayIdentity.DEFAULT_NAMESPACE);
    assertEquals(List.of(), errors(translate(GATEWAY + ROUTE.replace("ADDRESS", "127.0.0.1"), identity)));
    for (String address : List.of("127.0.0.1", "10.0.0.5", "127.0.0.2")) {
      String yaml = GATEWAY + ROUTE.replace("ADDRESS", address).replace("{address: " + address + "}",
          "{address: " + address + ", ports: {http: 15000}}");
      List<String> errors = errors(translate(yaml, identity));
      assertEquals(1, errors.size(), errors.toString());
      assertTrue(errors.get(0).contains("spec.endpoints[1].address: upstream " + address + ":15000 is Envoy's admin port on this node"),
          errors.get(0));
    }
  }

  @Test
  void aDnsEntryForLocalhostIsLoopback() {
    String yaml = GATEWAY + ROUTE.replace("resolution: STATIC", "resolution: DNS")
        .replace("endpoints: [{address: 10.0.0.9}, {address: ADDRESS}]", "endpoints: [{address: localhost}]");
    List<String> errors = errors(translate(yaml, IDENTITY));
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("spec.endpoints[0].address: upstream address localhost is refused"), errors.get(0));
  }

  @Test
  void withoutAPolicyEverythingIsAsBefore() {
    GatewayIdentity open = new GatewayIdentity(IDENTITY.labels(), "cluster.local", "0.0.0.0", ImmutableMap.of());
    assertEquals(List.of(), errors(translate(server(", bind: 192.0.2.1") + ROUTE.replace("ADDRESS", "127.0.0.1"), open)));
  }

  private static List<String> endpoints(Translation t) {
    return t.resources().endpoints().stream()
        .flatMap(a -> a.getEndpointsList().stream())
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .toList();
  }
}
