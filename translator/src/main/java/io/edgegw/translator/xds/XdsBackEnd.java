package io.edgegw.translator.xds;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.RouteConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The IR to Envoy v3 resources, every list sorted by name so equal input gives equal output. */
public final class XdsBackEnd {
  private final ListenerTranslator listeners;
  private final RouteTranslator routes;
  private final ClusterTranslator clusters;
  private final SecretTranslator secrets;

  public XdsBackEnd(
      ListenerTranslator listeners,
      RouteTranslator routes,
      ClusterTranslator clusters,
      SecretTranslator secrets) {
    this.listeners = listeners;
    this.routes = routes;
    this.clusters = clusters;
    this.secrets = secrets;
  }

  /**
   * Takes each message built from an equal IR value in the previous translation from {@code memo}. With
   * {@code routeScopesCluster}, each port whose hosts allow it ({@link ScopeEligibility}) gets a route
   * configuration per virtual host and a scope per domain, whose scoped RDS stream goes to that bootstrap
   * cluster ({@link ScopedRoutesDelivery}).
   */
  public EnvoyResources translate(GatewayConfig config, XdsMemo memo, Optional<String> routeScopesCluster) {
    ImmutableSet.Builder<String> scopedNames = ImmutableSet.builder();
    List<NameOrder.Run<RouteConfiguration>> routeConfigurations = new ArrayList<>();
    List<NameOrder.Run<ScopedRouteConfiguration>> scopes = new ArrayList<>();
    for (RouteConfig r : config.routeConfigs()) {
      XdsMemo.PortRoutes port = memo.port(r, routeScopesCluster.isPresent(), routes);
      if (port.scoped()) {
        scopedNames.add(r.name());
      }
      routeConfigurations.add(new NameOrder.Run<>(port.routes(), port.routesInOrder()));
      scopes.add(new NameOrder.Run<>(port.scopes(), port.scopesInOrder()));
    }
    ImmutableSet<String> scoped = scopedNames.build();
    EnvoyResources out =
        new EnvoyResources(
            config.listeners().stream()
                .map(l -> memo.listener(l, routeScopes(l, scoped, routeScopesCluster), listeners))
                .sorted(Comparator.comparing(Listener::getName))
                .collect(ImmutableList.toImmutableList()),
            NameOrder.join(routeConfigurations, RouteConfiguration::getName),
            config.clusters().stream()
                .map(c -> memo.clusters.get(c, clusters::cluster))
                .sorted(Comparator.comparing(Cluster::getName))
                .collect(ImmutableList.toImmutableList()),
            config.clusters().stream()
                .map(c -> memo.endpoints.get(c, clusters::endpoints))
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(ClusterLoadAssignment::getClusterName))
                .collect(ImmutableList.toImmutableList()),
            config.secrets().stream()
                .map(s -> memo.secrets.get(s, secrets::secret))
                .sorted(Comparator.comparing(Secret::getName))
                .collect(ImmutableList.toImmutableList()),
            NameOrder.join(scopes, ScopedRouteConfiguration::getName));
    memo.endTranslation();
    return out;
  }

  /** Which of {@code listener}'s route configurations are {@code scoped}: none, the common case, is one key. */
  private static ListenerTranslator.RouteScopes routeScopes(
      io.edgegw.translator.ir.Listener listener, ImmutableSet<String> scoped, Optional<String> cluster) {
    if (scoped.isEmpty()) {
      return ListenerTranslator.RouteScopes.NONE;
    }
    ImmutableSet<String> mine = listener.filterChains().stream()
        .map(FilterChain::filter)
        .filter(f -> f instanceof NetworkFilter.Http)
        .map(f -> ((NetworkFilter.Http) f).routeConfigName())
        .filter(scoped::contains)
        .collect(ImmutableSet.toImmutableSet());
    return mine.isEmpty()
        ? ListenerTranslator.RouteScopes.NONE
        : new ListenerTranslator.RouteScopes(cluster.orElseThrow(), mine);
  }
}
