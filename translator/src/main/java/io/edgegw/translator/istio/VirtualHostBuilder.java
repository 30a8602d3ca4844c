package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Maps;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The route configuration of one listener: VirtualServices joined to servers by host (section 4). */
public final class VirtualHostBuilder {
  private final HttpRouteBuilder routes;
  private final VirtualServiceMemo memo;
  private final String domainSuffix;

  public VirtualHostBuilder(HttpRouteBuilder routes, VirtualServiceMemo memo, String domainSuffix) {
    this.routes = routes;
    this.memo = memo;
    this.domainSuffix = domainSuffix;
  }

  /** The route configuration, plus the clusters its routes use. */
  public record Built(RouteConfig routeConfig, ImmutableList<ClusterRef> clusters) {}

  /** {@code virtualServices} must be in conflict order: their routes for one host append in that order. */
  public Built build(
      ServerListener listener,
      List<VirtualService> virtualServices,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    // Sized for a host per VirtualService, the common case: no rehashing on the way (10,000 hosts).
    Map<String, List<Route>> hosts = Maps.newLinkedHashMapWithExpectedSize(virtualServices.size());
    // The first server to bring a host decides whether it redirects to https.
    Map<String, Boolean> requireTls = Maps.newHashMapWithExpectedSize(virtualServices.size());
    Set<Applied> applied = new HashSet<>();
    List<ClusterRef> clusters = new ArrayList<>(virtualServices.size());
    boolean severalServers = listener.servers().size() > 1;
    for (ServerListener.BoundServer bound : listener.servers()) {
      String gateway = bound.gateway().qualifiedName();
      for (VirtualService vs : virtualServices) {
        VirtualServiceMemo.Contribution c =
            memo.contribution(
                vs, bound.server(), previous -> contribution(bound, gateway, vs, previous), diagnostics);
        for (String host : c.hosts()) {
          // The same VS reached through a second server for the same host adds nothing new; with one
          // server each (VS, host) comes once, and the set would only cost time.
          if (!severalServers || applied.add(new Applied(vs.key(), host))) {
            hosts.computeIfAbsent(host, h -> new ArrayList<>()).addAll(c.built().routes());
            requireTls.putIfAbsent(host, bound.server().httpsRedirect());
            clusters.addAll(c.built().clusters());
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
    ImmutableList<VirtualHost> virtualHosts =
        hosts.entrySet().stream()
            .map(
                e ->
                    new VirtualHost(
                        e.getKey() + ":" + listener.listenerPort(),
                        ImmutableList.of(e.getKey()),
                        catchAllLast(e.getValue()),
                        requireTls.getOrDefault(e.getKey(), false)))
            .sorted(Comparator.comparing(VirtualHost::name))
            .collect(ImmutableList.toImmutableList());
    if (virtualHosts.isEmpty()) {
      // Nothing bound: one explicit empty virtual host, so every request gets a clean 404.
      virtualHosts =
          ImmutableList.of(
              new VirtualHost(
                  "blackhole:" + listener.listenerPort(),
                  ImmutableList.of("*"),
                  ImmutableList.of(),
                  false));
    }
    return new Built(new RouteConfig(listener.routeConfigName(), virtualHosts), ImmutableList.copyOf(clusters));
  }

  private record Applied(ResourceKey vs, String host) {}

  /** The hosts of {@code vs} that {@code bound} serves, and its routes for them; none when it does not apply there. */
  private VirtualServiceMemo.Contribution contribution(
      ServerListener.BoundServer bound, String gateway, VirtualService vs,
      Optional<VirtualServiceMemo.Contribution> previous) {
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    if (vs.gateways().stream().map(vs::qualify).noneMatch(gateway::equals)) {
      return NONE;
    }
    List<String> serverHosts = bound.server().hosts().stream()
        .filter(h -> h.visibleTo(vs.key().namespace()))
        .map(Gateway.ServerHost::host)
        .toList();
    List<String> vsHosts =
        vs.hosts().stream()
            .map(h -> Hosts.resolveShortName(h, vs.key().namespace(), domainSuffix))
            .toList();
    ImmutableList<String> matched = Hosts.intersection(serverHosts, vsHosts);
    if (matched.isEmpty()) {
      return NONE;
    }
    HttpRouteBuilder.Built built = routes.build(vs, gateway, bound.server().portNumber(), diagnostics,
        previous.map(p -> p.built().rules()).orElse(ImmutableList.of()));
    if (built.routes().isEmpty()) {
      // Every match names another port or gateway: like istiod, the VS does not apply here.
      return new VirtualServiceMemo.Contribution(ImmutableList.of(), built, diagnostics.build());
    }
    return new VirtualServiceMemo.Contribution(matched, built, diagnostics.build());
  }

  private static final VirtualServiceMemo.Contribution NONE = new VirtualServiceMemo.Contribution(
      ImmutableList.of(), new HttpRouteBuilder.Built(ImmutableList.of(), ImmutableList.of()), ImmutableList.of());

  /** Catch-all routes after all others, keeping relative order: merged VSs must not shadow each other. */
  private static ImmutableList<Route> catchAllLast(List<Route> routes) {
    ImmutableList.Builder<Route> out = ImmutableList.builder();
    routes.stream().filter(r -> !r.match().isCatchAll()).forEach(out::add);
    routes.stream().filter(r -> r.match().isCatchAll()).forEach(out::add);
    return out.build();
  }
}
