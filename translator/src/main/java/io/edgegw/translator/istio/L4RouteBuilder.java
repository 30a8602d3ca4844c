package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.istio.VirtualService.HttpRouteDestination;
import io.edgegw.translator.istio.VirtualService.L4Match;
import io.edgegw.translator.istio.VirtualService.L4Route;
import io.edgegw.translator.model.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * VirtualService {@code tcp} and {@code tls} rules for one Gateway server: where a connection goes,
 * as a TCP proxy (docs/istio-semantics.md section 2).
 */
public final class L4RouteBuilder {
  private final DestinationResolver destinations;
  private final String domainSuffix;

  public L4RouteBuilder(DestinationResolver destinations, String domainSuffix) {
    this.destinations = destinations;
    this.domainSuffix = domainSuffix;
  }

  /** A TCP proxy and the clusters it uses. */
  public record Proxy(NetworkFilter.Tcp filter, ImmutableList<ClusterRef> clusters) {}

  /**
   * A passthrough route: connections with one of {@code sniHosts} go to {@code proxy}; {@code origin} names the
   * match.
   */
  public record SniRoute(
      VirtualService vs, String origin, ImmutableList<String> sniHosts, Proxy proxy) {}

  /**
   * istiod's rule for TCP and TLS-terminated TCP: the first VirtualService (oldest first) bound to
   * the gateway and sharing a host with the server, with a {@code tcp} rule that applies here.
   */
  public Optional<Proxy> tcp(ServerListener.BoundServer bound, String statPrefix, List<VirtualService> virtualServices,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    String gateway = bound.gateway().qualifiedName();
    for (VirtualService vs : virtualServices) {
      if (!bound(vs, gateway) || matchedHosts(vs, bound).isEmpty()) {
        continue;
      }
      for (L4Route rule : vs.tcp()) {
        boolean applies = rule.matches().isEmpty()
            || rule.matches().stream().anyMatch(m -> applies(vs, m, gateway, bound.server().portNumber()));
        if (applies) {
          Optional<Proxy> proxy = proxy(vs, rule, statPrefix, bound.server().portNumber(), diagnostics);
          if (proxy.isPresent()) {
            return proxy;
          }
        }
      }
    }
    return Optional.empty();
  }

  /** One route per applicable {@code tls[].match} of the VirtualServices bound to a passthrough server, in order. */
  public ImmutableList<SniRoute> passthrough(
      ServerListener.BoundServer bound,
      String statPrefix,
      List<VirtualService> virtualServices,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    String gateway = bound.gateway().qualifiedName();
    ImmutableList.Builder<SniRoute> out = ImmutableList.builder();
    for (VirtualService vs : virtualServices) {
      if (!bound(vs, gateway)) {
        continue;
      }
      List<String> serverHosts = visibleHosts(vs, bound);
      for (L4Route rule : vs.tls()) {
        for (L4Match match : rule.matches()) {
          if (!applies(vs, match, gateway, bound.server().portNumber())) {
            continue;
          }
          // Only SNI names the server itself has: a VirtualService cannot claim hosts of another server.
          ImmutableList<String> sni = Hosts.intersection(serverHosts, match.sniHosts()).stream()
              .sorted().collect(ImmutableList.toImmutableList());
          if (sni.isEmpty()) {
            continue;
          }
          proxy(vs, rule, statPrefix, bound.server().portNumber(), diagnostics).ifPresent(p ->
              out.add(new SniRoute(vs, rule.field() + ".match[" + match.index() + "]", sni, p)));
        }
      }
    }
    return out.build();
  }

  private Optional<Proxy> proxy(VirtualService vs, L4Route rule, String statPrefix, int serverPort,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableList.Builder<RouteAction.WeightedCluster> weighted = ImmutableList.builder();
    List<ClusterRef> used = new ArrayList<>();
    boolean single = rule.route().size() == 1;
    for (HttpRouteDestination destination : rule.route()) {
      if (!single && destination.weight() == 0) {
        continue; // no share of the connections
      }
      ClusterRef cluster = destinations.resolve(vs, rule.field(), destination, serverPort, diagnostics);
      used.add(cluster);
      weighted.add(new RouteAction.WeightedCluster(cluster.name(), single ? 100 : destination.weight()));
    }
    ImmutableList<RouteAction.WeightedCluster> clusters = weighted.build();
    if (clusters.isEmpty()) {
      return Optional.empty();
    }
    // One cluster: stats under its name, as istiod does.
    String prefix = clusters.size() == 1 ? clusters.get(0).cluster() : statPrefix;
    return Optional.of(new Proxy(new NetworkFilter.Tcp(prefix, clusters), ImmutableList.copyOf(used)));
  }

  private static boolean bound(VirtualService vs, String gateway) {
    return vs.gateways().stream().map(vs::qualify).anyMatch(gateway::equals);
  }

  private static boolean applies(VirtualService vs, L4Match match, String gateway, int serverPort) {
    if (!match.supported() || (match.port().isPresent() && match.port().getAsInt() != serverPort)) {
      return false;
    }
    return match.gateways().isEmpty() || match.gateways().stream().map(vs::qualify).anyMatch(gateway::equals);
  }

  private List<String> visibleHosts(VirtualService vs, ServerListener.BoundServer bound) {
    return bound.server().hosts().stream()
        .filter(h -> h.visibleTo(vs.key().namespace()))
        .map(Gateway.ServerHost::host)
        .toList();
  }

  private ImmutableList<String> matchedHosts(VirtualService vs, ServerListener.BoundServer bound) {
    List<String> vsHosts =
        vs.hosts().stream()
            .map(h -> Hosts.resolveShortName(h, vs.key().namespace(), domainSuffix))
            .toList();
    return Hosts.intersection(visibleHosts(vs, bound), vsHosts);
  }
}
