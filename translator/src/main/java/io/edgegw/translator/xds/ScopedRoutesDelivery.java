package io.edgegw.translator.xds;

import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes;
import java.util.List;

/**
 * Routes per host (scoped RDS): a port's route configuration {@code R} becomes one route configuration
 * per virtual host, {@code R/<virtual host>}, and one scope per domain, {@code R/<domain>}, keyed by the
 * domain; Envoy picks the scope by the Host header without its port. Only for ports that
 * {@link ScopeEligibility} allows.
 */
public final class ScopedRoutesDelivery {
  /**
   * The gRPC metadata on Envoy's scoped RDS stream that names the port's route configuration {@code R}:
   * the subscription is a wildcard and names nothing else, so this is how the server knows which
   * port's scopes a stream wants. Scopes come on a stream of their own (delta gRPC to the xDS cluster),
   * not over ADS, which java-control-plane does not serve them on.
   */
  public static final String STREAM_HEADER = "x-edgegw-scoped-routes";

  private ScopedRoutesDelivery() {}

  /** The HTTP connection manager's {@code scoped_routes} in place of {@code rds} for route configuration R. */
  static ScopedRoutes scopedRoutes(String routeConfigName, String xdsCluster) {
    return ScopedRoutes.newBuilder()
        .setName(routeConfigName)
        // The host without its port: h.example:8080 finds scope h.example, as the port-wide route
        // configuration ignores the port (ignore_port_in_host_matching).
        .setScopeKeyBuilder(ScopedRoutes.ScopeKeyBuilder.newBuilder().addFragments(
            ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.newBuilder().setHeaderValueExtractor(
                ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor.newBuilder()
                    .setName(":authority")
                    .setElementSeparator(":")
                    .setIndex(0))))
        // The per-host route configurations come over ADS as every other route configuration.
        .setRdsConfigSource(EnvoyTypes.ads())
        .setScopedRds(ScopedRds.newBuilder().setScopedRdsConfigSource(ConfigSource.newBuilder()
            .setResourceApiVersion(ApiVersion.V3)
            .setApiConfigSource(ApiConfigSource.newBuilder()
                .setApiType(ApiConfigSource.ApiType.DELTA_GRPC)
                .setTransportApiVersion(ApiVersion.V3)
                .addGrpcServices(GrpcService.newBuilder()
                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(xdsCluster))
                    .addInitialMetadata(HeaderValue.newBuilder().setKey(STREAM_HEADER).setValue(routeConfigName))))))
        .build();
  }

  /** The name of the route configuration of {@code host} alone, for route configuration R. */
  static String hostRouteConfigName(String routeConfigName, VirtualHost host) {
    return routeConfigName + "/" + host.getName();
  }

  /**
   * The scopes of {@code routes} (the route configuration of one virtual host of R), one per domain. By
   * name ({@code route_configuration_name}): Envoy refuses an inline route configuration over scoped RDS.
   */
  static List<ScopedRouteConfiguration> scopes(String routeConfigName, RouteConfiguration routes) {
    return routes.getVirtualHosts(0).getDomainsList().stream()
        .map(domain -> ScopedRouteConfiguration.newBuilder()
            .setName(routeConfigName + "/" + domain)
            .setRouteConfigurationName(routes.getName())
            .setKey(ScopedRouteConfiguration.Key.newBuilder().addFragments(
                ScopedRouteConfiguration.Key.Fragment.newBuilder().setStringKey(domain)))
            .build())
        .toList();
  }
}
