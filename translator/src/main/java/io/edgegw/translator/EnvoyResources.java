package io.edgegw.translator;

import com.google.common.collect.ImmutableList;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Objects;

/**
 * The Envoy resources one translation produces, each list sorted by resource name. Consistent by
 * construction: every RDS name a listener or a scope uses and every EDS cluster has its resource here.
 * {@code scopes} (scoped RDS, served on its own delta stream: docs/architecture.md, "Route scopes") is
 * empty unless the gateway delivers routes per host.
 */
public record EnvoyResources(
    ImmutableList<Listener> listeners,
    ImmutableList<RouteConfiguration> routes,
    ImmutableList<Cluster> clusters,
    ImmutableList<ClusterLoadAssignment> endpoints,
    ImmutableList<Secret> secrets,
    ImmutableList<ScopedRouteConfiguration> scopes) {
  public static final EnvoyResources EMPTY =
      new EnvoyResources(
          ImmutableList.of(),
          ImmutableList.of(),
          ImmutableList.of(),
          ImmutableList.of(),
          ImmutableList.of());

  /** Without route scopes. */
  public EnvoyResources(
      ImmutableList<Listener> listeners,
      ImmutableList<RouteConfiguration> routes,
      ImmutableList<Cluster> clusters,
      ImmutableList<ClusterLoadAssignment> endpoints,
      ImmutableList<Secret> secrets) {
    this(listeners, routes, clusters, endpoints, secrets, ImmutableList.of());
  }

  public EnvoyResources {
    Objects.requireNonNull(listeners, "listeners");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(clusters, "clusters");
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(scopes, "scopes");
  }
}
