package io.edgegw.translator.gatewayapi.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ObjectStatusTest {
  private static final Instant T1 = Instant.parse("2026-01-01T10:00:00.123Z");
  private static final Instant T2 = Instant.parse("2026-01-01T11:00:00Z");
  private static final ResourceKey GW = ResourceKey.of(Kind.K8S_GATEWAY, "infra", "gw");
  private static final ResourceKey ROUTE = ResourceKey.of(Kind.HTTP_ROUTE, "infra", "r");

  private static ObjectStatus route(boolean accepted, Reason reason) {
    return ObjectStatus.route(OptionalLong.of(4), ImmutableList.of(new ParentStatus(
        new ParentStatus.ParentRef(Optional.empty(), Optional.empty(), Optional.empty(), "gw",
            Optional.of("http"), OptionalInt.empty()),
        "edgegw.io/gateway-controller",
        ImmutableList.of(new Condition(Condition.ACCEPTED, accepted, reason, "m"),
            new Condition(Condition.RESOLVED_REFS, true, Reason.RESOLVED_REFS, "ok")))));
  }

  @Test
  void aRouteStatusHasTheApiShapeAndEchoesOnlyTheParentRefFieldsGiven() {
    ObjectNode json = route(true, Reason.ACCEPTED).toJson(T1, Optional.empty());
    assertEquals("{\"parents\":[{\"parentRef\":{\"name\":\"gw\",\"sectionName\":\"http\"},"
        + "\"controllerName\":\"edgegw.io/gateway-controller\",\"conditions\":["
        + "{\"type\":\"Accepted\",\"status\":\"True\",\"observedGeneration\":4,"
        + "\"lastTransitionTime\":\"2026-01-01T10:00:00Z\",\"reason\":\"Accepted\",\"message\":\"m\"},"
        + "{\"type\":\"ResolvedRefs\",\"status\":\"True\",\"observedGeneration\":4,"
        + "\"lastTransitionTime\":\"2026-01-01T10:00:00Z\",\"reason\":\"ResolvedRefs\",\"message\":\"ok\"}]}]}",
        json.toString());
  }

  @Test
  void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
    ObjectNode first = route(true, Reason.ACCEPTED).toJson(T1, Optional.empty());
    assertEquals(first, route(true, Reason.ACCEPTED).toJson(T2, Optional.of(first)));
    ObjectNode changed = route(false, Reason.NOT_ALLOWED_BY_LISTENERS).toJson(T2, Optional.of(first));
    JsonNode conditions = changed.path("parents").path(0).path("conditions");
    assertEquals("2026-01-01T11:00:00Z", conditions.path(0).path("lastTransitionTime").asText());
    assertEquals("NotAllowedByListeners", conditions.path(0).path("reason").asText());
    assertEquals("2026-01-01T10:00:00Z", conditions.path(1).path("lastTransitionTime").asText());
  }

  @Test
  void withoutAGenerationThereIsNoObservedGeneration() {
    ObjectNode json = ObjectStatus.gatewayClass(OptionalLong.empty(),
        ImmutableList.of(new Condition(Condition.ACCEPTED, true, Reason.ACCEPTED, "m"))).toJson(T1, Optional.empty());
    assertEquals(1, json.size());
    assertFalse(json.path("conditions").path(0).has("observedGeneration"));
  }

  @Test
  void theReasonInADiagnosticIsTheLastKnownOneInParentheses() {
    assertEquals(Optional.of(Reason.INVALID_KIND), Reason.in("backend x/Y is not supported (only Service) (InvalidKind)"));
    assertEquals(Optional.of(Reason.BACKEND_NOT_FOUND), Reason.in("no Service a/b (BackendNotFound); left out"));
    assertEquals(Optional.empty(), Reason.in("listener http is not served (Conflicted)"));
  }

  @Test
  void theCollectorCountsARouteOncePerListenerAndKeepsTheFirstTrouble() {
    StatusCollector status = new StatusCollector("ctl");
    status.listener(GW, "http").supportedKinds("HTTPRoute").attach(ROUTE).attach(ROUTE);
    status.routeParent(ROUTE, 0).accepted(false, Reason.NO_MATCHING_PARENT, "first")
        .accepted(false, Reason.NOT_ALLOWED_BY_LISTENERS, "second").accepted(true, Reason.ACCEPTED, "ok");
    status.noteDiagnostics(ImmutableList.of(
        Diagnostic.warning(ROUTE, "spec.rules[0].backendRefs[0]", "no Service infra/x (BackendNotFound)"),
        Diagnostic.warning(GW, "spec.listeners[1].tls.certificateRefs[0]", "no Secret (InvalidCertificateRef)")));
    var built = status.build(inputs("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: infra, generation: 2}
        spec:
          gatewayClassName: c
          listeners:
          - {name: http, port: 80, protocol: HTTP}
          - {name: tls, port: 443, protocol: HTTPS}
          - {name: udp, port: 53, protocol: UDP}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: infra}
        spec:
          parentRefs: [{name: gw, port: 80}]
        """));
    ObjectStatus gateway = built.get(GW);
    assertEquals(ImmutableList.of("http", "tls", "udp"),
        gateway.listeners().stream().map(ListenerStatus::name).collect(ImmutableList.toImmutableList()));
    ListenerStatus http = gateway.listeners().get(0);
    assertEquals(1, http.attachedRoutes());
    assertEquals(ImmutableList.of("HTTPRoute"), http.supportedKinds());
    assertEquals(ImmutableList.of(
        "listener tls: Accepted False UnsupportedProtocol: protocol HTTPS is not supported (yet);"
            + " this listener is not served",
        "listener tls: Programmed False Invalid: not served: protocol HTTPS is not supported (yet);"
            + " this listener is not served",
        "listener tls: ResolvedRefs False InvalidCertificateRef: spec.listeners[1].tls.certificateRefs[0]:"
            + " no Secret (InvalidCertificateRef)",
        "listener udp: Accepted False UnsupportedProtocol: protocol UDP is not supported (yet);"
            + " this listener is not served",
        "listener udp: Programmed False Invalid: not served: protocol UDP is not supported (yet);"
            + " this listener is not served"), gateway.troubles());
    assertEquals("ListenersNotValid", gateway.conditions().get(0).reason().wire());
    assertTrue(gateway.conditions().get(0).status(), "accepted: some listeners are valid");
    assertEquals(OptionalLong.of(2), gateway.generation());
    assertEquals(ImmutableList.of(
        "parent gw: Accepted False NoMatchingParent: first",
        "parent gw: ResolvedRefs False BackendNotFound: spec.rules[0].backendRefs[0]: no Service infra/x"
            + " (BackendNotFound)"), built.get(ROUTE).troubles());
    assertEquals(80, built.get(ROUTE).parents().get(0).parentRef().port().getAsInt());
  }

  private static InputSet inputs(String yaml) {
    ImmutableSortedMap.Builder<ResourceKey, Resource> resources = ImmutableSortedMap.naturalOrder();
    for (ResourceReader.Read read : new ResourceReader().read(yaml)) {
      Resource r = ((ResourceReader.Ok) read).resource();
      resources.put(r.key(), r);
    }
    return new InputSet(resources.build());
  }
}
