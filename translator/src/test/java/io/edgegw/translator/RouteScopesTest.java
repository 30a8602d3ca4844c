package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.xds.EnvoyTypes;
import io.edgegw.translator.xds.ScopedRoutesDelivery;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routes per host (scoped RDS), through the translator's real entry point: which ports get it, what
 * their listeners, route configurations and scopes look like, that everything else is what it would be
 * without it, and that an unchanged host keeps its very instances from one translation to the next.
 */
class RouteScopesTest {
  private static final String XDS_CLUSTER = "xds-grpc";
  private final Translator translator = new Translator();
  private final GatewayIdentity off = GoldenTest.identity("");
  private final GatewayIdentity on = off.withRouteScopes(XDS_CLUSTER);

  @Test
  void anEligiblePortsConnectionManagerTakesScopedRoutesInsteadOfRds() {
    EnvoyResources out = translate(config(hosts(3), List.of()), on);
    HttpConnectionManager hcm = hcm(out, "0.0.0.0_80");
    assertFalse(hcm.hasRds());
    ScopedRoutes expected = ScopedRoutes.newBuilder()
        .setName("http.80")
        .setScopeKeyBuilder(ScopedRoutes.ScopeKeyBuilder.newBuilder().addFragments(
            ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.newBuilder().setHeaderValueExtractor(
                ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor.newBuilder()
                    .setName(":authority").setElementSeparator(":").setIndex(0))))
        .setRdsConfigSource(ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance()).setResourceApiVersion(ApiVersion.V3))
        .setScopedRds(ScopedRds.newBuilder().setScopedRdsConfigSource(ConfigSource.newBuilder()
            .setResourceApiVersion(ApiVersion.V3)
            .setApiConfigSource(ApiConfigSource.newBuilder()
                .setApiType(ApiConfigSource.ApiType.DELTA_GRPC)
                .setTransportApiVersion(ApiVersion.V3)
                .addGrpcServices(GrpcService.newBuilder()
                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(XDS_CLUSTER))
                    .addInitialMetadata(HeaderValue.newBuilder()
                        .setKey("x-edgegw-scoped-routes").setValue("http.80"))))))
        .build();
    assertEquals(expected, hcm.getScopedRoutes());
    assertEquals("x-edgegw-scoped-routes", ScopedRoutesDelivery.STREAM_HEADER);
    // Everything else in the connection manager is as without scopes.
    HttpConnectionManager without = hcm(translate(config(hosts(3), List.of()), off), "0.0.0.0_80");
    assertEquals(without.toBuilder().clearRds().build(), hcm.toBuilder().clearScopedRoutes().build());
  }

  @Test
  void eachHostGetsARouteConfigurationAndEachDomainAScope() {
    EnvoyResources scoped = translate(config(hosts(3), List.of()), on);
    RouteConfiguration port = route(translate(config(hosts(3), List.of()), off), "http.80");
    assertEquals(
        port.getVirtualHostsList().stream().map(v -> "http.80/" + v.getName()).toList(),
        scoped.routes().stream().map(RouteConfiguration::getName).toList());
    for (int i = 0; i < 3; i++) {
      RouteConfiguration host = scoped.routes().get(i);
      assertEquals(List.of(port.getVirtualHosts(i)), host.getVirtualHostsList());
      // The route configuration's own fields are the port's.
      assertEquals(port.toBuilder().clearVirtualHosts().setName(host.getName()).build(),
          host.toBuilder().clearVirtualHosts().build());
    }
    assertEquals(3, scoped.scopes().size());
    for (int i = 0; i < 3; i++) {
      String domain = "h" + i + ".example.com";
      assertEquals(ScopedRouteConfiguration.newBuilder()
              .setName("http.80/" + domain)
              .setRouteConfigurationName("http.80/" + domain + ":80")
              .setKey(ScopedRouteConfiguration.Key.newBuilder().addFragments(
                  ScopedRouteConfiguration.Key.Fragment.newBuilder().setStringKey(domain)))
              .build(),
          scoped.scopes().get(i));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"*.example.com", "*", "Upper.example.com"})
  void aPortWithOneHostThatIsNotAnExactLowerCaseNameStaysOnRds(String host) {
    String config = config(List.of("a.example.com", host, "z.example.com"), List.of());
    EnvoyResources scoped = translate(config, on);
    assertTrue(hcm(scoped, "0.0.0.0_80").hasRds());
    assertTrue(scoped.scopes().isEmpty());
    assertEquals(translate(config, off), scoped);
  }

  @Test
  void withoutTheOptionEveryGoldenCaseIsAsBeforeAndWithItOnlyEligiblePortsChange() throws IOException {
    int withScopes = 0;
    for (String name : GoldenTest.cases().toList()) {
      String input = java.nio.file.Files.readString(GoldenTest.ROOT.resolve(name).resolve("input.yaml"));
      InputSet inputs = GoldenTest.inputs(input);
      GatewayIdentity identity = GoldenTest.identity(input);
      EnvoyResources before = translator.translate(inputs, identity).resources();
      assertTrue(before.scopes().isEmpty(), name);
      assertEquals(before, new Translator().translate(inputs, identity, new TranslationMemo()).resources(), name);
      EnvoyResources scoped = translator.translate(inputs, identity.withRouteScopes(XDS_CLUSTER)).resources();
      assertSameApartFromScopes(name, before, scoped);
      withScopes += scoped.scopes().isEmpty() ? 0 : 1;
    }
    assertTrue(withScopes > 0, "no golden case has a port that can be scoped");
  }

  @Test
  void twoPortsOneEligibleAndOneNot() {
    String config = config(hosts(2), List.of("*.example.com"));
    EnvoyResources scoped = translate(config, on);
    EnvoyResources unscoped = translate(config, off);
    assertTrue(hcm(scoped, "0.0.0.0_80").hasScopedRoutes());
    assertTrue(hcm(scoped, "0.0.0.0_8080").hasRds());
    assertEquals("http.8080", hcm(scoped, "0.0.0.0_8080").getRds().getRouteConfigName());
    assertEquals(listener(unscoped, "0.0.0.0_8080"), listener(scoped, "0.0.0.0_8080"));
    assertEquals(List.of("http.80/h0.example.com:80", "http.80/h1.example.com:80", "http.8080"),
        scoped.routes().stream().map(RouteConfiguration::getName).toList());
    assertEquals(route(unscoped, "http.8080"), route(scoped, "http.8080"));
    assertEquals(List.of("http.80/h0.example.com", "http.80/h1.example.com"),
        scoped.scopes().stream().map(ScopedRouteConfiguration::getName).toList());
    assertEquals(unscoped.clusters(), scoped.clusters());
    assertEquals(unscoped.endpoints(), scoped.endpoints());
  }

  /**
   * 50 hosts, then a 51st, then one of them edited, with one memo: every other host's route
   * configuration and scope are the very instances of the translation before, so the publisher hashes
   * and encodes only what changed.
   */
  @Test
  void anUnchangedHostKeepsItsRouteConfigurationAndScopeInstances() {
    TranslationMemo memo = new TranslationMemo();
    List<String> hosts = new ArrayList<>(hosts(50));
    EnvoyResources first = translator.translate(GoldenTest.inputs(config(hosts, List.of())), on, memo).resources();
    assertEquals(50, first.routes().size());
    assertEquals(50, first.scopes().size());
    hosts.add("new.example.com");
    EnvoyResources second = translator.translate(GoldenTest.inputs(config(hosts, List.of())), on, memo).resources();
    assertEquals(51, second.routes().size());
    assertEquals(51, second.scopes().size());
    Map<String, RouteConfiguration> routes = byName(second.routes(), RouteConfiguration::getName);
    Map<String, ScopedRouteConfiguration> scopes = byName(second.scopes(), ScopedRouteConfiguration::getName);
    first.routes().forEach(r -> assertSame(r, routes.get(r.getName()), r.getName()));
    first.scopes().forEach(s -> assertSame(s, scopes.get(s.getName()), s.getName()));
    assertSame(first.listeners().get(0), second.listeners().get(0));
    assertEquals(translate(config(hosts, List.of()), on), second);

    // One host's routes edited: that host's route configuration is new, the other 50 are kept.
    String edited = config(hosts, List.of()).replace("prefix: /h7.example.com", "prefix: /edited");
    EnvoyResources third = translator.translate(GoldenTest.inputs(edited), on, memo).resources();
    Map<String, RouteConfiguration> thirdRoutes = byName(third.routes(), RouteConfiguration::getName);
    for (RouteConfiguration r : second.routes()) {
      if (r.getName().equals("http.80/h7.example.com:80")) {
        assertNotSame(r, thirdRoutes.get(r.getName()));
        assertFalse(r.equals(thirdRoutes.get(r.getName())));
      } else {
        assertSame(r, thirdRoutes.get(r.getName()), r.getName());
      }
    }
    assertEquals(second.scopes(), third.scopes());
    assertEquals(translate(edited, on), third);
  }

  /** One memo across the option turned on and off and a port losing and regaining eligibility. */
  @Test
  void withOneMemoEveryStepIsWhatAFreshTranslationGives() {
    TranslationMemo memo = new TranslationMemo();
    List<String> exact = hosts(5);
    List<String> withWildcard = new ArrayList<>(exact);
    withWildcard.add("*.example.com");
    record Step(List<String> hosts, GatewayIdentity identity) {}
    for (Step step : List.of(new Step(exact, off), new Step(exact, on), new Step(withWildcard, on),
        new Step(exact, on), new Step(exact, off), new Step(exact, on.withRouteScopes("other")),
        new Step(exact, on))) {
      String config = config(step.hosts(), List.of());
      assertEquals(translate(config, step.identity()),
          translator.translate(GoldenTest.inputs(config), step.identity(), memo).resources());
    }
  }

  @Test
  void theOptionIsKeptByTheOtherWithersAndOffByDefault() {
    GatewayIdentity identity = GatewayIdentity.of(off.labels());
    assertTrue(identity.routeScopesCluster().isEmpty());
    assertTrue(new GatewayIdentity(off.labels(), off.domainSuffix(), off.bindAddress(), off.portMap(),
        off.nodePolicy(), off.pathNormalization(), off.namespace()).routeScopesCluster().isEmpty());
    GatewayIdentity scoped = identity.withRouteScopes(XDS_CLUSTER);
    assertEquals(java.util.Optional.of(XDS_CLUSTER), scoped.routeScopesCluster());
    assertEquals(scoped.routeScopesCluster(), scoped.withNamespace("edge").routeScopesCluster());
    assertEquals(scoped.routeScopesCluster(),
        scoped.withPathNormalization(io.edgegw.translator.model.PathNormalization.NONE).routeScopesCluster());
  }

  /**
   * {@code scoped} is {@code before} with each eligible port's listener on scoped RDS and its route
   * configuration split per virtual host (the same virtual hosts, in order), one scope per domain.
   */
  private static void assertSameApartFromScopes(String name, EnvoyResources before, EnvoyResources scoped) {
    assertEquals(before.clusters(), scoped.clusters(), name);
    assertEquals(before.endpoints(), scoped.endpoints(), name);
    assertEquals(before.secrets(), scoped.secrets(), name);
    List<RouteConfiguration> expectedRoutes = new ArrayList<>();
    List<String> expectedScopes = new ArrayList<>();
    for (RouteConfiguration r : before.routes()) {
      boolean hasScopes = scoped.routes().stream().noneMatch(s -> s.getName().equals(r.getName()));
      if (!hasScopes) {
        expectedRoutes.add(r);
        continue;
      }
      for (var host : r.getVirtualHostsList()) {
        expectedRoutes.add(r.toBuilder().setName(r.getName() + "/" + host.getName()).clearVirtualHosts()
            .addVirtualHosts(host).build());
        host.getDomainsList().forEach(d -> expectedScopes.add(r.getName() + "/" + d));
      }
    }
    expectedRoutes.sort(java.util.Comparator.comparing(RouteConfiguration::getName));
    assertEquals(expectedRoutes, scoped.routes(), name);
    assertEquals(expectedScopes.stream().sorted().toList(),
        scoped.scopes().stream().map(ScopedRouteConfiguration::getName).toList(), name);
    assertEquals(before.listeners().size(), scoped.listeners().size(), name);
    for (int i = 0; i < before.listeners().size(); i++) {
      assertEquals(before.listeners().get(i), withRds(scoped.listeners().get(i)), name);
    }
  }

  /** {@code listener} with every scoped_routes connection manager back on rds under the scopes' name. */
  private static Listener withRds(Listener listener) {
    Listener.Builder out = listener.toBuilder();
    for (var chain : out.getFilterChainsBuilderList()) {
      for (var filter : chain.getFiltersBuilderList()) {
        if (filter.getName().equals(EnvoyTypes.HTTP_CONNECTION_MANAGER)) {
          HttpConnectionManager hcm = unpack(filter.getTypedConfig());
          if (hcm.hasScopedRoutes()) {
            filter.setTypedConfig(com.google.protobuf.Any.pack(hcm.toBuilder().clearScopedRoutes()
                .setRds(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds.newBuilder()
                    .setConfigSource(hcm.getScopedRoutes().getRdsConfigSource())
                    .setRouteConfigName(hcm.getScopedRoutes().getName()))
                .build()));
          }
        }
      }
    }
    return out.build();
  }

  private EnvoyResources translate(String config, GatewayIdentity identity) {
    return translator.translate(GoldenTest.inputs(config), identity).resources();
  }

  private static List<String> hosts(int n) {
    return IntStream.range(0, n).mapToObj(i -> "h" + i + ".example.com").toList();
  }

  private static <T> Map<String, T> byName(List<T> list, Function<T, String> name) {
    return list.stream().collect(Collectors.toMap(name, t -> t));
  }

  private static Listener listener(EnvoyResources out, String name) {
    return out.listeners().stream().filter(l -> l.getName().equals(name)).findFirst().orElseThrow();
  }

  private static RouteConfiguration route(EnvoyResources out, String name) {
    return out.routes().stream().filter(r -> r.getName().equals(name)).findFirst().orElseThrow();
  }

  private static HttpConnectionManager hcm(EnvoyResources out, String listener) {
    return unpack(listener(out, listener).getFilterChains(0).getFilters(0).getTypedConfig());
  }

  private static HttpConnectionManager unpack(com.google.protobuf.Any any) {
    try {
      return any.unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A Gateway on port 80 and, with hosts there, one on 8080 (each for any host), one VirtualService per
   * host of each port. (Hosts with a port or a trailing dot never get past the Istio front end:
   * {@code ScopeEligibilityTest} tries those on the back end.)
   */
  static String config(List<String> hosts80, List<String> hosts8080) {
    StringBuilder out = new StringBuilder("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw80, namespace: default}
        spec:
          selector: {istio: edgegateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          ports: [{port: 80, name: http}]
        """);
    if (!hosts8080.isEmpty()) {
      out.append("""
          ---
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: gw8080, namespace: default}
          spec:
            selector: {istio: edgegateway}
            servers:
            - port: {number: 8080, name: http-alt, protocol: HTTP}
              hosts: ["*"]
          """);
    }
    for (int i = 0; i < hosts80.size(); i++) {
      out.append(virtualService("vs80-" + i, "gw80", hosts80.get(i)));
    }
    for (int i = 0; i < hosts8080.size(); i++) {
      out.append(virtualService("vs8080-" + i, "gw8080", hosts8080.get(i)));
    }
    return out.toString();
  }

  private static String virtualService(String name, String gateway, String host) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: default}
        spec:
          hosts: ["%s"]
          gateways: [%s]
          http:
          - match: [{uri: {prefix: /%s}}]
            route: [{destination: {host: web}}]
          - route: [{destination: {host: web}}]
        """.formatted(name, host, gateway, host);
  }
}
