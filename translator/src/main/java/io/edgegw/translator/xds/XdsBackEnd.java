package io.edgegw.translator.xds;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.ir.GatewayConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Comparator;
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

  /** Takes each message built from an equal IR value in the previous translation from {@code memo}. */
  public EnvoyResources translate(GatewayConfig config, XdsMemo memo) {
    EnvoyResources out =
        new EnvoyResources(
            config.listeners().stream()
                .map(l -> memo.listeners.get(l, listeners::listener))
                .sorted(Comparator.comparing(Listener::getName))
                .collect(ImmutableList.toImmutableList()),
            config.routeConfigs().stream()
                .map(
                    r ->
                        routes.routeConfiguration(r, v -> memo.virtualHost(v, routes)))
                .sorted(Comparator.comparing(RouteConfiguration::getName))
                .collect(ImmutableList.toImmutableList()),
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
                .collect(ImmutableList.toImmutableList()));
    memo.endTranslation();
    return out;
  }
}
