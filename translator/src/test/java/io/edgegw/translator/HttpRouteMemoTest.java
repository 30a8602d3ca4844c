package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The Gateway API front end's per-HTTPRoute memo ({@code gatewayapi.HttpRouteMemo}): an unchanged
 * HTTPRoute is not translated again, and a change in anything a route's translation reads (a Service
 * port, a ReferenceGrant, a listener hostname, ...) is never answered with a stale result: every
 * translation with the memo equals a fresh one, Envoy resources, diagnostics and statuses alike (also
 * over every Gateway API IR golden: IncrementalTranslationTest).
 */
class HttpRouteMemoTest {
  private final Translator translator = new Translator();

  @Test
  void anUnchangedRouteIsNotTranslatedAgain() {
    TranslationMemo memo = new TranslationMemo();
    GatewayIdentity identity = GoldenTest.identity("");
    InputSet base = GoldenTest.inputs(config(20, "*.example.com", 8080, "app"));
    assertFresh(base, identity, memo);
    assertEquals(20, memo.httpRoutes.translated());
    assertFresh(base, identity, memo);
    assertEquals(0, memo.httpRoutes.translated());
    // One route added: only it is translated; removed again: none.
    InputSet more = with(base, GoldenTest.inputs(route("extra", 99, "app")));
    assertFresh(more, identity, memo);
    assertEquals(1, memo.httpRoutes.translated());
    assertFresh(base, identity, memo);
    assertEquals(0, memo.httpRoutes.translated());
    // One route edited: only it.
    assertFresh(with(base, GoldenTest.inputs(route("r3", 3, "app").replace("/p3", "/edited"))), identity, memo);
    assertEquals(1, memo.httpRoutes.translated());
  }

  @Test
  void aServicePortChangeIsNeverServedStale() {
    assertChangeTranslatesAfresh(config(20, "*.example.com", 8080, "app"), config(20, "*.example.com", 9090, "app"));
  }

  @Test
  void aReferenceGrantChangeIsNeverServedStale() {
    // The grant lets HTTPRoutes of namespace app reach the Service in namespace web; then of another.
    assertChangeTranslatesAfresh(config(20, "*.example.com", 8080, "app"), config(20, "*.example.com", 8080, "other"));
  }

  @Test
  void aListenerHostnameChangeIsNeverServedStale() {
    assertChangeTranslatesAfresh(config(20, "*.example.com", 8080, "app"), config(20, "h1.example.com", 8080, "app"));
  }

  /**
   * {@code before}, then {@code after} (one object changed, every HTTPRoute the same instance), then
   * {@code before} again, each with the memo: each equals a fresh translation, and the change did
   * change the result (so a stale one would have been caught).
   */
  private void assertChangeTranslatesAfresh(String before, String after) {
    GatewayIdentity identity = GoldenTest.identity("");
    TranslationMemo memo = new TranslationMemo();
    InputSet first = GoldenTest.inputs(before);
    InputSet changed = GoldenTest.inputs(after);
    // The HTTPRoutes (and every other unchanged object) stay the very instances of the first set.
    ImmutableSortedMap.Builder<ResourceKey, Resource> mixed = ImmutableSortedMap.naturalOrder();
    changed.resources().forEach((k, v) -> {
      Resource old = first.resources().get(k);
      mixed.put(k, old != null && old.manifest().equals(v.manifest()) ? old : v);
    });
    InputSet second = new InputSet(mixed.build());
    assertEquals(1, second.resources().values().stream()
        .filter(r -> r != first.resources().get(r.key())).count(), "one object changed");
    Translation a = assertFresh(first, identity, memo);
    Translation b = assertFresh(second, identity, memo);
    assertNotEquals(a, b, "the change changes the translation");
    assertFresh(first, identity, memo);
  }

  /**
   * A Gateway with one HTTP listener of {@code listenerHost}, a Service {@code web/backend} on
   * {@code servicePort} that the HTTPRoutes of namespace {@code grantedNamespace} may refer to, and
   * {@code routes} HTTPRoutes in namespace app, {@code h<i>.example.com}, path {@code /p<i>}, every
   * third to the Service in web on 8080, the others to app/local.
   */
  private static String config(int routes, String listenerHost, int servicePort, String grantedNamespace) {
    return """
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
          listeners:
          - {name: http, port: 80, protocol: HTTP, hostname: "%s", allowedRoutes: {namespaces: {from: All}}}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: ReferenceGrant
        metadata: {name: to-backend, namespace: web}
        spec:
          from:
          - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: %s}
          to:
          - {group: "", kind: Service, name: backend}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend, namespace: web}
        spec: {ports: [{name: http, port: %d}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: local, namespace: app}
        spec: {ports: [{name: http, port: 8080}]}
        ---
        %s
        """.formatted(listenerHost, grantedNamespace, servicePort,
            IntStream.range(0, routes).mapToObj(i -> route("r" + i, i, i % 3 == 0 ? "web" : "app"))
                .collect(Collectors.joining("---\n")));
  }

  private static String route(String name, int i, String backendNamespace) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: %s, namespace: app, creationTimestamp: "2024-01-01T00:00:%02dZ"}
        spec:
          parentRefs: [{name: gw, namespace: infra}]
          hostnames: [h%d.example.com]
          rules:
          - matches: [{path: {type: PathPrefix, value: /p%d}}]
            backendRefs: [{name: %s, namespace: %s, port: 8080}]
        """.formatted(name, i % 60, i, i, backendNamespace.equals("web") ? "backend" : "local", backendNamespace);
  }

  private Translation assertFresh(InputSet inputs, GatewayIdentity identity, TranslationMemo memo) {
    Translation fresh = translator.translate(inputs, identity);
    Translation remembered = translator.translate(inputs, identity, memo);
    assertEquals(fresh.diagnostics(), remembered.diagnostics(), "diagnostics of " + inputs.resources().keySet());
    assertEquals(EnvoyJson.toYaml(fresh.resources()), EnvoyJson.toYaml(remembered.resources()),
        "resources of " + inputs.resources().keySet());
    assertEquals(fresh.statuses(), remembered.statuses(), "statuses of " + inputs.resources().keySet());
    assertEquals(fresh, remembered);
    return remembered;
  }

  private static InputSet with(InputSet inputs, InputSet added) {
    ImmutableSortedMap.Builder<ResourceKey, Resource> out = ImmutableSortedMap.naturalOrder();
    inputs.resources().forEach((k, v) -> {
      if (!added.resources().containsKey(k)) {
        out.put(k, v);
      }
    });
    out.putAll(added.resources());
    return new InputSet(out.build());
  }
}
