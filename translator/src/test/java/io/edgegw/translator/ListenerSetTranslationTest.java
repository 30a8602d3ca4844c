package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.gatewayapi.status.Condition;
import io.edgegw.translator.gatewayapi.status.ObjectStatus;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * ListenerSet decisions the IR golden {@code gwapi-listenersets} does not single out: precedence by
 * creationTimestamp before name, a ListenerSet re-evaluated when its Gateway starts allowing it, and
 * malformed ListenerSets and allowedListeners refused with the field named.
 */
class ListenerSetTranslationTest {
  private static final String HEAD = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: edgegw}
      spec: {controllerName: edgegw.io/gateway-controller}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: infra}
      spec:
        gatewayClassName: edgegw
        %s
        listeners:
        - {name: http, port: 80, protocol: HTTP, hostname: gw.example.com}
      """;

  private static IrTranslation translate(String allowed, String rest) {
    String yaml = HEAD.formatted(allowed) + rest;
    return new Translator().toIr(GoldenTest.inputs(yaml), GoldenTest.identity(yaml));
  }

  private static String set(String name, String created, String host) {
    return """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: ListenerSet
        metadata: {name: %s, namespace: infra, creationTimestamp: "%s"}
        spec:
          parentRef: {name: gw}
          listeners:
          - {name: l, port: 80, protocol: HTTP, hostname: %s}
        """.formatted(name, created, host);
  }

  private static ObjectStatus status(IrTranslation ir, Kind kind, String name) {
    return ir.statuses().get(ResourceKey.of(kind, "infra", name));
  }

  private static boolean accepted(ObjectStatus s) {
    return s.conditions().stream().filter(c -> c.type().equals(Condition.ACCEPTED)).findFirst().orElseThrow().status();
  }

  @Test
  void theOlderListenerSetKeepsAContestedHostnameWhateverTheNames() {
    IrTranslation ir = translate("allowedListeners: {namespaces: {from: All}}",
        set("a-younger", "2026-02-01T00:00:00Z", "x.example.com") + set("z-older", "2026-01-01T00:00:00Z", "x.example.com"));
    assertTrue(accepted(status(ir, Kind.LISTENER_SET, "z-older")));
    assertFalse(accepted(status(ir, Kind.LISTENER_SET, "a-younger")));
    String diagnostics = ir.diagnostics().toString();
    assertTrue(diagnostics.contains("infra/a-younger: spec.listeners[0]: port 80 and hostname x.example.com are"
        + " taken by ListenerSet infra/z-older listener l, which comes first; listener l is not served"
        + " (HostnameConflict)"), diagnostics);
    assertEquals(OptionalInt.of(1), status(ir, Kind.K8S_GATEWAY, "gw").attachedListenerSets());
  }

  @Test
  void aGatewayAllowsNoListenerSetUntilItSaysSo() {
    String sets = set("extra", "2026-01-01T00:00:00Z", "x.example.com");
    IrTranslation closed = translate("", sets);
    assertFalse(accepted(status(closed, Kind.LISTENER_SET, "extra")));
    assertEquals(OptionalInt.empty(), status(closed, Kind.K8S_GATEWAY, "gw").attachedListenerSets());
    assertFalse(closed.config().toString().contains("x.example.com"));

    IrTranslation open = translate("allowedListeners: {namespaces: {from: Same}}", sets);
    assertTrue(accepted(status(open, Kind.LISTENER_SET, "extra")));
    assertEquals(OptionalInt.of(1), status(open, Kind.K8S_GATEWAY, "gw").attachedListenerSets());
    assertTrue(open.config().toString().contains("x.example.com"));
  }

  @Test
  void malformedListenerSetsAndAllowedListenersAreRefusedNamingTheField() {
    IrTranslation ir = translate("allowedListeners: {namespaces: {from: Everyone}}", """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: ListenerSet
        metadata: {name: orphan, namespace: infra}
        spec:
          listeners:
          - {name: l, port: 80, protocol: HTTP}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: ListenerSet
        metadata: {name: twice, namespace: infra}
        spec:
          parentRef: {name: gw, sectionName: http}
          listeners:
          - {name: l, port: 80, protocol: HTTP}
          - {name: l, port: 81, protocol: HTTP}
        """);
    String diagnostics = ir.diagnostics().toString();
    for (String expected : new String[] {
        "ERROR Gateway.gateway.networking.k8s.io infra/gw: spec.allowedListeners.namespaces.from: must be"
            + " None, Same, All or Selector, got Everyone",
        "ERROR ListenerSet.gateway.networking.k8s.io infra/orphan: spec.parentRef: required",
        "ERROR ListenerSet.gateway.networking.k8s.io infra/twice: spec.parentRef.sectionName:",
        "ERROR ListenerSet.gateway.networking.k8s.io infra/twice: spec.listeners[1].name: listener name l"
            + " is used twice; names must be unique within a ListenerSet"}) {
      assertTrue(diagnostics.contains(expected), expected + " in " + diagnostics);
    }
  }
}
