package io.edgegw.it.gatewayapi;

import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAYS;
import static io.edgegw.it.gatewayapi.StatusTopics.HTTP_ROUTES;
import static io.edgegw.it.gatewayapi.StatusTopics.LISTENER_SETS;
import static io.edgegw.it.gatewayapi.StatusTopics.has;
import static io.edgegw.it.gatewayapi.StatusTopics.listener;
import static io.edgegw.it.gatewayapi.StatusTopics.parentConditions;
import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream's ListenerSet conformance tests (sigs.k8s.io/gateway-api v1.6.3 {@code
 * conformance/tests/listenerset-*}), with their manifests, through the real sidecar, broker and Envoy:
 * requests where upstream sends them, and the conditions upstream reads from the API server read here
 * from the objects' {@code objectStatus} on the MQTT status topics. Every Gateway of a test shares the
 * node's one address (docs/gateway-api.md, "One node, several Gateways"), and so do the ListenerSets'
 * listeners: upstream's Gateway address is the Envoy's port 80 here.
 */
class ListenerSetConformanceTest {
  private static final String CONTROLLER = GatewayApiConformance.CONTROLLER;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private StatusTopics status;
  @TempDir Path pkiDir;

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
  void ListenerSetDefaultNotAllowed() {
    suite.apply("tests/listenerset-default-not-allowed.yaml");
    gatewayAccepted("gateway-default-does-not-allow-listenerset");
    attachedListenerSets("gateway-default-does-not-allow-listenerset", 0);
    listenerSetIs(INFRA_NS, "listenerset-default-not-allowed", "False", "NotAllowed", "False", "NotAllowed");
    // Its listener is not served: its hostname gets the other port-80 listeners' answer.
    gw.awaitStatus("listenerset-default-not-allowed-listener.com", "/", 404);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void ListenerSetAllowedNamespaceNone() {
    suite.apply("tests/listenerset-allowed-namespace-none.yaml");
    gatewayAccepted("gateway-does-not-allow-listenerset");
    attachedListenerSets("gateway-does-not-allow-listenerset", 0);
    listenerSetIs(INFRA_NS, "listenerset-not-allowed", "False", "NotAllowed", "False", "NotAllowed");
  }

  @Test
  void ListenerSetAllowedNamespaceSame() {
    suite.apply("tests/listenerset-allowed-namespace-same.yaml");
    gatewayAccepted("gateway-allows-listenerset-in-same-namespace");
    attachedListenerSets("gateway-allows-listenerset-in-same-namespace", 1);
    JsonNode set = listenerSetIs(INFRA_NS, "listenerset-in-same-namespace", "True", "Accepted", "True", "Programmed");
    listenerAccepted(set, "listenerset-in-same-namespace-listener");
    listenerSetIs("gateway-api-listenerset-not-allowed-ns", "listenerset-in-different-namespace",
        "False", "NotAllowed", "False", "NotAllowed");
  }

  @Test
  void ListenerSetAllowedNamespaceSelector() {
    suite.apply("tests/listenerset-allowed-namespace-selector.yaml");
    gatewayAccepted("gateway-allows-listenerset-in-selected-namespace");
    attachedListenerSets("gateway-allows-listenerset-in-selected-namespace", 1);
    JsonNode set = listenerSetIs("gateway-api-listenerset-selector-allowed-ns", "listenerset-in-selected-namespace",
        "True", "Accepted", "True", "Programmed");
    listenerAccepted(set, "listenerset-in-selected-namespace-listener");
    listenerSetIs("gateway-api-listenerset-selector-not-allowed-ns", "listenerset-not-in-selected-namespace",
        "False", "NotAllowed", "False", "NotAllowed");
  }

  @Test
  void ListenerSetHTTPRouting() {
    suite.apply("tests/listenerset-http-routing.yaml");
    String gateway = "gateway-with-listener-sets-http-routing";
    gatewayAccepted(gateway);
    attachedListenerSets(gateway, 2);
    for (String route : List.of("attaches-to-all-listeners", "gateway-route", "gateway-section-route")) {
      routeParentAccepted(route, gateway);
    }
    for (String route : List.of("attaches-to-all-listeners", "listener-set-http-routing-1-route",
        "listener-set-http-routing-1-section-route")) {
      routeParentAccepted(route, "listener-set-http-routing-1");
    }
    for (String route : List.of("attaches-to-all-listeners", "listener-set-http-routing-2-route")) {
      routeParentAccepted(route, "listener-set-http-routing-2");
    }
    JsonNode one = awaitSetListeners(INFRA_NS, "listener-set-http-routing-1", 2);
    listenerAccepted(one, "listener-set-http-routing-1-listener-1", 3);
    listenerAccepted(one, "listener-set-http-routing-1-listener-2", 2);
    JsonNode two = awaitSetListeners(INFRA_NS, "listener-set-http-routing-2", 2);
    listenerAccepted(two, "listener-set-http-routing-2-listener-1", 2);
    listenerAccepted(two, "listener-set-http-routing-2-listener-2", 2);

    String[] gatewayHosts = {"gateway-listener-1.com", "gateway-listener-2.com"};
    String[] set1Hosts = {"listener-set-http-routing-1-listener-1.com", "listener-set-http-routing-1-listener-2.com"};
    String[] set2Hosts = {"listener-set-http-routing-2-listener-1.com", "listener-set-http-routing-2-listener-2.com"};
    for (String[] hosts : List.of(gatewayHosts, set1Hosts, set2Hosts)) {
      for (String host : hosts) {
        gw.awaitBackend(host, "/route", "infra-backend-v1");
        expect(host, "/gateway-route", hosts == gatewayHosts ? "infra-backend-v2" : null);
        expect(host, "/gateway-section-route", host.equals("gateway-listener-1.com") ? "infra-backend-v3" : null);
        expect(host, "/listener-set-http-routing-1-route", hosts == set1Hosts ? "infra-backend-v2" : null);
        expect(host, "/listener-set-http-routing-1-section-route",
            host.equals("listener-set-http-routing-1-listener-1.com") ? "infra-backend-v3" : null);
        expect(host, "/listener-set-http-routing-2-route", hosts == set2Hosts ? "infra-backend-v2" : null);
      }
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void ListenerSetAllowedRoutesNamespaces() {
    suite.apply("tests/listenerset-allowed-routes-namespaces.yaml");
    String gateway = "gateway-with-listener-sets-test-allowed-routes";
    gatewayAccepted(gateway);
    attachedListenerSets(gateway, 2);

    // Same-namespace ListenerSet.
    String set = "listenerset-test-allowed-routes-namespaces";
    routeParentAccepted("route-in-same-namespace", set);
    JsonNode same = awaitSetListeners(INFRA_NS, set, 3);
    listenerAccepted(same, "listener-set-listener-allowed-routes-all", 3);
    listenerAccepted(same, "listener-set-listener-allowed-routes-same", 1);
    listenerAccepted(same, "listener-set-listener-allowed-routes-selector", 1);
    String all = "listener-set-listener-allowed-routes-all.com";
    gw.awaitBackend(all, "/route-in-same-namespace", "infra-backend-v1");
    gw.awaitBackend(all, "/route-in-selected-namespace", "infra-backend-v2");
    gw.awaitBackend(all, "/route-not-in-selected-namespace", "infra-backend-v3");
    String sameHost = "listener-set-listener-allowed-routes-same.com";
    expect(sameHost, "/route-in-same-namespace", "infra-backend-v1");
    expect(sameHost, "/route-in-selected-namespace", null);
    expect(sameHost, "/route-not-in-selected-namespace", null);
    String selector = "listener-set-listener-allowed-routes-selector.com";
    expect(selector, "/route-in-same-namespace", null);
    expect(selector, "/route-in-selected-namespace", "infra-backend-v2");
    expect(selector, "/route-not-in-selected-namespace", null);

    // Cross-namespace ListenerSet: its allowedRoutes Same is the ListenerSet's namespace, not the Gateway's.
    String crossNs = "gateway-api-ls-cross-ns";
    String cross = "listenerset-test-allowed-routes-cross-ns";
    JsonNode inSetNs = status.await(HTTP_ROUTES, crossNs, "route-in-listenerset-namespace",
        s -> has(parentConditions(s, cross), "Accepted", "True", ""));
    assertThat(has(parentConditions(inSetNs, cross), "ResolvedRefs", "True", "")).isTrue();
    status.await(HTTP_ROUTES, INFRA_NS, "route-in-gateway-namespace",
        s -> has(parentConditions(s, cross), "Accepted", "False", "NotAllowedByListeners"));
    JsonNode crossSet = awaitSetListeners(crossNs, cross, 1);
    listenerAccepted(crossSet, "listener-set-listener-allowed-routes-cross-ns-same", 1);
    String crossHost = "listener-set-listener-allowed-routes-cross-ns-same.com";
    gw.awaitBackend(crossHost, "/route-in-listenerset-namespace", "infra-backend-v1");
    expect(crossHost, "/route-in-gateway-namespace", null);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void ListenerSetAllowedRoutesSupportedKinds() {
    suite.apply("tests/listenerset-allowed-routes-supported-kinds.yaml");
    gatewayAccepted("gateway-with-listener-sets-test-supported-route-kinds");
    JsonNode set = status.await(LISTENER_SETS, INFRA_NS, "listenerset-test-allowed-routes-supported-kinds",
        s -> has(listener(s, "listener-set-listener-allowed-routes-tls-only").path("conditions"),
            "ResolvedRefs", "False", "InvalidRouteKinds"));
    assertThat(listener(set, "listener-set-listener-allowed-routes-tls-only").path("supportedKinds")).isEmpty();
  }

  @Test
  void ListenerSetHostnameConflict() {
    suite.apply("tests/listenerset-hostname-conflict.yaml");
    conflicts("gateway-with-listenerset-hostname-conflict", "hostname-conflict", "HostnameConflict");
  }

  @Test
  void ListenerSetProtocolConflict() {
    suite.apply("tests/listenerset-protocol-conflict.yaml");
    conflicts("gateway-with-listenerset-protocol-conflict", "protocol-conflict", "ProtocolConflict");
  }

  @Test
  void ListenerSetReferenceGrant() {
    suite.publishTlsSecrets(pkiDir, "gateway-listener.com", "listenerset-with-reference-grant-listener.com");
    suite.apply("tests/listenerset-reference-grant.yaml");
    gatewayAccepted("gateway-with-listener-sets-test-reference-grant");
    JsonNode granted = listenerSetIs(INFRA_NS, "listenerset-with-reference-grant", "True", "", "True", "");
    assertThat(has(listener(granted, "listenerset-with-reference-grant-listener").path("conditions"),
        "ResolvedRefs", "True", "")).isTrue();
    JsonNode refused = listenerSetIs("gateway-api-listener-sets-test-reference-grant-ns",
        "listenerset-without-reference-grant", "False", "ListenersNotValid", "False", "ListenersNotValid");
    assertThat(has(listener(refused, "listenerset-without-reference-grant-listener").path("conditions"),
        "ResolvedRefs", "False", "RefNotPermitted")).isTrue();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void ListenerSetDualParentRefIndependence() {
    suite.apply("tests/listenerset-dual-parentref-independence.yaml");
    String gateway = "gateway-dual-parentref";
    String set = "ls-dual-parentref";
    gatewayAccepted(gateway);
    attachedListenerSets(gateway, 1);
    JsonNode listeners = awaitSetListeners(INFRA_NS, set, 1);
    listenerAccepted(listeners, "ls-dual-parentref-listener", 2);

    // Both parentRefs are Accepted.
    routeParentAccepted("route-dual-parentref-both", gateway);
    routeParentAccepted("route-dual-parentref-both", set);
    gw.awaitBackend("gw-dual.com", "/dualboth", "infra-backend-v1");
    gw.awaitBackend("ls-dual.com", "/dualboth", "infra-backend-v1");

    // One of two parentRefs is Accepted: the Gateway has no listener of the ListenerSet's name.
    status.await(HTTP_ROUTES, INFRA_NS, "route-dual-parentref-one",
        s -> has(parentConditions(s, gateway), "Accepted", "False", "NoMatchingParent"));
    routeParentAccepted("route-dual-parentref-one", set);
    gw.awaitBackend("ls-dual.com", "/dualone", "infra-backend-v2");
    expect("gw-dual.com", "/dualone", null);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void ListenerSetGatewayParentSectionNameNotFound() {
    suite.apply("tests/listenerset-gateway-parent-section-name-not-found.yaml");
    gatewayAccepted("gateway-section-name");
    attachedListenerSets("gateway-section-name", 1);
    routeParentAccepted("route-via-listenerset", "listenerset-section-name");
    status.await(HTTP_ROUTES, INFRA_NS, "route-via-gateway",
        s -> has(parentConditions(s, "gateway-section-name"), "Accepted", "False", "NoMatchingParent"));
    gw.awaitBackend("ls-section-name.com", "/goodsection", "infra-backend-v1");
    gw.awaitStatus("gw-section.com", "/badsection", 404);
  }

  /**
   * Upstream compares the whole {@code parents} list, with the group and kind the API server defaults
   * into a parentRef; here the parentRef is echoed as published (no API server defaults it), so
   * group and kind are checked where the manifest writes them.
   */
  @Test
  void ListenerSetRouteStatusScopedToParentRef() {
    suite.apply("tests/listenerset-route-status-scoped-to-parentref.yaml");
    String gateway = "gateway-parentref";
    String set = "listenerset-parentref";
    gatewayAccepted(gateway);
    attachedListenerSets(gateway, 1);
    JsonNode listeners = awaitSetListeners(INFRA_NS, set, 1);
    listenerAccepted(listeners, "listenerset-parentref-listener", 1);

    JsonNode gatewayOnly = routeParentAccepted("route-parentref-gwonly", gateway);
    onlyParent(gatewayOnly, gateway, "");
    JsonNode setOnly = routeParentAccepted("route-parentref-lsonly", set);
    onlyParent(setOnly, set, "ListenerSet");
    assertThat(setOnly.path("parents").path(0).path("parentRef").path("group").asText())
        .isEqualTo("gateway.networking.k8s.io");
    gw.awaitBackend("gw-parentref.com", "/gwonly", "infra-backend-v1");
    gw.awaitBackend("listenerset-parentref.com", "/lsonly", "infra-backend-v2");
    expect("listenerset-parentref.com", "/gwonly", null);
    expect("gw-parentref.com", "/lsonly", null);
  }

  /**
   * Upstream's two conflict tests, named alike: the Gateway's listeners and the first ListenerSet
   * listener of a port and hostname (or protocol) are served, the later ones Conflicted; a ListenerSet
   * left without a valid listener is not Accepted (ListenersNotValid) and not counted.
   */
  private void conflicts(String gateway, String kind, String reason) {
    gatewayAccepted(gateway);
    JsonNode g = status.await(GATEWAYS, INFRA_NS, gateway, s -> s.path("listeners").size() == 2);
    listenerAccepted(g, "gateway-listener");
    listenerAccepted(g, kind + "-with-gateway-listener");
    attachedListenerSets(gateway, 2);

    JsonNode first = listenerSetIs(INFRA_NS, "listenerset-with-" + kind + "-with-gateway-1",
        "True", "", "True", "Programmed");
    listenerAccepted(first, "listener-set-1-listener");
    conflicted(first, kind + "-with-gateway-listener", reason);
    listenerAccepted(first, kind + "-with-listener-set-listener");

    JsonNode second = listenerSetIs(INFRA_NS, "listenerset-with-" + kind + "-with-gateway-2",
        "False", "ListenersNotValid", "False", "ListenersNotValid");
    conflicted(second, kind + "-with-gateway-listener", reason);

    JsonNode third = listenerSetIs(INFRA_NS, "listenerset-with-" + kind + "-with-listener-set-1",
        "True", "", "True", "Programmed");
    listenerAccepted(third, "listener-set-2-listener");
    conflicted(third, kind + "-with-listener-set-listener", reason);

    JsonNode fourth = listenerSetIs(INFRA_NS, "listenerset-with-" + kind + "-with-listener-set-2",
        "False", "ListenersNotValid", "False", "ListenersNotValid");
    conflicted(fourth, kind + "-with-listener-set-listener", reason);
    assertThat(gw.envoy().nacks()).isZero();
  }

  private void gatewayAccepted(String gateway) {
    status.await(GATEWAYS, INFRA_NS, gateway, s -> has(s.path("conditions"), "Accepted", "True", ""));
  }

  /** Upstream's GatewayMustHaveAttachedListeners (an absent count is 0). */
  private void attachedListenerSets(String gateway, int count) {
    status.await(GATEWAYS, INFRA_NS, gateway,
        s -> s.path("conditions").size() > 0 && s.path("attachedListenerSets").asInt(0) == count);
  }

  /** The ListenerSet's Accepted and Programmed as upstream checks them ({@code ""}: any reason). */
  private JsonNode listenerSetIs(String namespace, String name, String accepted, String acceptedReason,
      String programmed, String programmedReason) {
    return status.await(LISTENER_SETS, namespace, name,
        s -> has(s.path("conditions"), "Accepted", accepted, acceptedReason)
            && has(s.path("conditions"), "Programmed", programmed, programmedReason));
  }

  private JsonNode awaitSetListeners(String namespace, String name, int count) {
    return status.await(LISTENER_SETS, namespace, name, s -> s.path("listeners").size() == count);
  }

  /** Upstream's generateAcceptedListenerConditions: ResolvedRefs, Accepted and Programmed True. */
  private static void listenerAccepted(JsonNode owner, String name) {
    JsonNode conditions = listener(owner, name).path("conditions");
    for (String type : List.of("ResolvedRefs", "Accepted", "Programmed")) {
      assertThat(has(conditions, type, "True", "")).as(name + " " + type).isTrue();
    }
  }

  /** As above, with upstream's supportedKinds (HTTPRoute) and attachedRoutes. */
  private void listenerAccepted(JsonNode set, String name, int attachedRoutes) {
    listenerAccepted(set, name);
    JsonNode l = listener(set, name);
    assertThat(l.path("attachedRoutes").asInt()).as(name + " attachedRoutes").isEqualTo(attachedRoutes);
    assertThat(l.path("supportedKinds").findValuesAsText("kind")).as(name).contains("HTTPRoute");
  }

  private static void conflicted(JsonNode set, String name, String reason) {
    JsonNode conditions = listener(set, name).path("conditions");
    assertThat(has(conditions, "Accepted", "False", reason)).as(name + " Accepted").isTrue();
    assertThat(has(conditions, "Programmed", "False", reason)).as(name + " Programmed").isTrue();
    assertThat(has(conditions, "Conflicted", "True", reason)).as(name + " Conflicted").isTrue();
  }

  /** Upstream's RoutesAndParentMustBeAccepted for one route and parent (named {@code parent}). */
  private JsonNode routeParentAccepted(String route, String parent) {
    JsonNode s = status.await(HTTP_ROUTES, INFRA_NS, route,
        r -> has(parentConditions(r, parent), "Accepted", "True", ""));
    assertThat(has(parentConditions(s, parent), "ResolvedRefs", "True", "")).as(route + " " + parent).isTrue();
    return s;
  }

  private static void onlyParent(JsonNode route, String parent, String kind) {
    assertThat(route.path("parents")).hasSize(1);
    JsonNode only = route.path("parents").path(0);
    assertThat(only.path("parentRef").path("name").asText()).isEqualTo(parent);
    assertThat(only.path("parentRef").path("namespace").asText()).isEqualTo(INFRA_NS);
    assertThat(only.path("parentRef").path("kind").asText()).isEqualTo(kind);
    assertThat(only.path("controllerName").asText()).isEqualTo(CONTROLLER);
  }

  /** One request: answered by {@code backend}, or 404 when it is null. */
  private void expect(String host, String path, String backend) {
    if (backend == null) {
      gw.awaitStatus(host, path, 404);
    } else {
      gw.awaitBackend(host, path, backend);
    }
  }
}
