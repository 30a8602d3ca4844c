package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.model.Diagnostic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The route configuration of one listener: VirtualServices joined to servers by host (section 4). */
public final class VirtualHostBuilder {
  private final HttpRouteBuilder routes;
  private final String domainSuffix;

  public VirtualHostBuilder(HttpRouteBuilder routes, String domainSuffix) {
    this.routes = routes;
    this.domainSuffix = domainSuffix;
  }

  /** The route configuration, plus the clusters its routes use. */
  public record Built(RouteConfig routeConfig, ImmutableList<ClusterRef> clusters) {}

  /** {@code virtualServices} must be in conflict order: their routes for one host append in that order. */
  public Built build(ServerListener listener, List<VirtualService> virtualServices, ImmutableList.Builder<Diagnostic> diagnostics) {
    Map<String, List<Route>> hosts = new LinkedHashMap<>();
    // The first server to bring a host decides whether it redirects to https.
    Map<String, Boolean> requireTls = new HashMap<>();
    Set<String> applied = new HashSet<>();
    List<ClusterRef> clusters = new ArrayList<>();
    for (ServerListener.BoundServer bound : listener.servers()) {
      String gateway = bound.gateway().qualifiedName();
      for (VirtualService vs : virtualServices) {
        if (vs.gateways().stream().map(vs::qualify).noneMatch(gateway::equals)) {
          continue;
        }
        List<String> serverHosts = bound.server().hosts().stream()
            .filter(h -> h.visibleTo(vs.key().namespace()))
            .map(Gateway.ServerHost::host)
            .toList();
        List<String> vsHosts = vs.hosts().stream().map(h -> Hosts.resolveShortName(h, vs.key().namespace(), domainSuffix)).toList();
        ImmutableList<String> matched = Hosts.intersection(serverHosts, vsHosts);
        if (matched.isEmpty()) {
          continue;
        }
        HttpRouteBuilder.Built built = routes.build(vs, gateway, bound.server().portNumber(), diagnostics);
        if (built.routes().isEmpty()) {
          // Every match names another port or gateway: like istiod, the VS does not apply here.
          continue;
        }
        for (String host : matched) {
          // The same VS reached through a second server for the same host adds nothing new.
          if (applied.add(vs.key() + "|" + host)) {
            hosts.computeIfAbsent(host, h -> new ArrayList<>()).addAll(built.routes());
            requireTls.putIfAbsent(host, bound.server().httpsRedirect());
            clusters.addAll(built.clusters());
          }
        }
      }
    }
    for (ServerListener.BoundServer bound : listener.servers()) {
      if (bound.server().httpsRedirect()) {
        // Redirected hosts need no VirtualService: Envoy answers 301 before any route.
        for (String host : bound.server().sniHosts()) {
          hosts.putIfAbsent(host, new ArrayList<>());
          requireTls.putIfAbsent(host, true);
        }
      }
    }
    ImmutableList<VirtualHost> virtualHosts = hosts.entrySet().stream()
        .map(e -> new VirtualHost(e.getKey() + ":" + listener.listenerPort(), ImmutableList.of(e.getKey()), catchAllLast(e.getValue()),
            requireTls.getOrDefault(e.getKey(), false)))
        .sorted(Comparator.comparing(VirtualHost::name))
        .collect(ImmutableList.toImmutableList());
    if (virtualHosts.isEmpty()) {
      // Nothing bound: one explicit empty virtual host, so every request gets a clean 404.
      virtualHosts = ImmutableList.of(new VirtualHost("blackhole:" + listener.listenerPort(), ImmutableList.of("*"), ImmutableList.of(), false));
    }
    return new Built(new RouteConfig(listener.routeConfigName(), virtualHosts), ImmutableList.copyOf(clusters));
  }

  /** Catch-all routes after all others, keeping relative order: merged VSs must not shadow each other. */
  private static ImmutableList<Route> catchAllLast(List<Route> routes) {
    ImmutableList.Builder<Route> out = ImmutableList.builder();
    routes.stream().filter(r -> !r.match().isCatchAll()).forEach(out::add);
    routes.stream().filter(r -> r.match().isCatchAll()).forEach(out::add);
    return out.build();
  }
}
