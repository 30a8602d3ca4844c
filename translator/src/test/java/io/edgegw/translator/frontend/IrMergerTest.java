package io.edgegw.translator.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSetMultimap;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.PathHandling;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IrMergerTest {
  private static final ResourceKey ISTIO_GW = ResourceKey.of(Kind.GATEWAY, "web", "gw");
  private static final ResourceKey API_GW = ResourceKey.of(Kind.K8S_GATEWAY, "web", "gw");
  private final IrMerger merger = new IrMerger();

  @Test
  void onePieceIsTakenAsItIs() {
    IrPiece istio = piece("Istio", ISTIO_GW, http(80), routes(80, "a.example.com"));
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    assertSame(istio.config(), merger.merge(ImmutableList.of(istio), diagnostics));
    assertEquals(ImmutableList.of(), diagnostics.build());
  }

  @Test
  void plainHttpOnOnePortJoinsTheHostsOfBoth() {
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    GatewayConfig merged = merger.merge(ImmutableList.of(
        piece("Istio", ISTIO_GW, http(80), routes(80, "a.example.com")),
        piece("Gateway API", API_GW, http(80), routes(80, "b.example.com"))), diagnostics);
    assertEquals(1, merged.listeners().size());
    assertEquals(ImmutableList.of("a.example.com:80", "b.example.com:80"),
        merged.routeConfigs().get(0).virtualHosts().stream().map(VirtualHost::name).toList());
    assertEquals(ImmutableList.of(), diagnostics.build());
  }

  @Test
  void anEmptyCatchAllOfOneSideDoesNotShadowTheOthersRoutes() {
    RouteConfig blackhole = new RouteConfig("http.80", ImmutableList.of(
        new VirtualHost("blackhole:80", ImmutableList.of("*"), ImmutableList.of(), false)));
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    GatewayConfig merged = merger.merge(ImmutableList.of(
        piece("Istio", ISTIO_GW, http(80), blackhole),
        piece("Gateway API", API_GW, http(80), routes(80, "*"))), diagnostics);
    assertEquals(ImmutableList.of("*:80"), merged.routeConfigs().get(0).virtualHosts().stream().map(VirtualHost::name).toList());
    merged = merger.merge(ImmutableList.of(
        piece("Istio", ISTIO_GW, http(80), blackhole),
        piece("Gateway API", API_GW, http(80), blackhole)), diagnostics);
    assertEquals(ImmutableList.of(blackhole), merged.routeConfigs());
    assertEquals(ImmutableList.of(), diagnostics.build());
  }

  @Test
  void aDomainBothServeStaysTheEarlierOnesAndBothSidesAreTold() {
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    GatewayConfig merged = merger.merge(ImmutableList.of(
        piece("Istio", ISTIO_GW, http(80), routes(80, "a.example.com")),
        piece("Gateway API", API_GW, http(80), routes(80, "a.example.com"))), diagnostics);
    assertEquals(1, merged.routeConfigs().get(0).virtualHosts().size());
    ImmutableList<Diagnostic> all = diagnostics.build();
    assertEquals(ImmutableList.of(API_GW, ISTIO_GW), all.stream().map(Diagnostic::resource).toList());
    assertEquals("conflicts with Gateway web/gw: both route host(s) a.example.com, a.example.com:* on port 80; the Istio routes are kept"
        + " and the Gateway API ones for a.example.com, a.example.com:* are not served", all.get(0).message());
  }

  @Test
  void tcpAgainstHttpOnOnePortKeepsTheEarlierListenerAndBothSidesAreTold() {
    Listener tcp = new Listener("0.0.0.0_80", "0.0.0.0", 80, ImmutableList.of(new FilterChain(ImmutableList.of(),
        Optional.empty(), new NetworkFilter.Tcp("tcp", ImmutableList.<RouteAction.WeightedCluster>of()))));
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    GatewayConfig merged = merger.merge(ImmutableList.of(
        new IrPiece("Istio", new GatewayConfig(ImmutableList.of(tcp), ImmutableList.of(), ImmutableList.of(), ImmutableList.of()),
            ImmutableSetMultimap.of(tcp.name(), ISTIO_GW)),
        piece("Gateway API", API_GW, http(80), routes(80, "b.example.com"))), diagnostics);
    assertEquals(ImmutableList.of(tcp), merged.listeners());
    assertEquals(ImmutableList.of(), merged.routeConfigs(), "the route configuration of a listener not served is not sent");
    assertEquals(ImmutableList.of(API_GW, ISTIO_GW), diagnostics.build().stream().map(Diagnostic::resource).toList());
  }

  private static IrPiece piece(String frontEnd, ResourceKey owner, Listener listener, RouteConfig routes) {
    return new IrPiece(frontEnd, new GatewayConfig(ImmutableList.of(listener), ImmutableList.of(routes), ImmutableList.of(),
        ImmutableList.of()), ImmutableSetMultimap.of(listener.name(), owner));
  }

  private static Listener http(int port) {
    return new Listener("0.0.0.0_" + port, "0.0.0.0", port, ImmutableList.of(new FilterChain(ImmutableList.of(),
        Optional.empty(), new NetworkFilter.Http("http." + port, PathHandling.RAW))));
  }

  private static RouteConfig routes(int port, String host) {
    return new RouteConfig("http." + port, ImmutableList.of(
        new VirtualHost(host + ":" + port, ImmutableList.of(host, host + ":*"), ImmutableList.of(), false)));
  }
}
