package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * In ADS mode the cache holds back an RDS, EDS or SDS reply while a name Envoy asks for is missing,
 * and Envoy then waits forever (docs/architecture.md, trap 2). So every route config a listener names, the assignment
 * of every EDS cluster, and every SDS secret a TLS context names must be in the same snapshot; and route scopes
 * must fit their listeners and route configs (see {@code scopeProblems}). Our own check, because
 * {@code Snapshot.ensureConsistent()} in 1.0.49 finds the HTTP connection manager only under its legacy
 * filter name {@code envoy.http_connection_manager}, and demands the sets be equal rather than covered.
 */
final class SnapshotConsistency {
  private static final String HCM_TYPE = Any.pack(HttpConnectionManager.getDefaultInstance()).getTypeUrl();

  private SnapshotConsistency() {}

  /** Every missing reference, as a sentence; empty when consistent. */
  static ImmutableList<String> problems(EnvoyResources resources) {
    List<String> problems = new ArrayList<>();
    ImmutableSet<String> routes = resources.routes().stream().map(RouteConfiguration::getName)
        .collect(ImmutableSet.toImmutableSet());
    for (Listener listener : resources.listeners()) {
      connectionManagers(listener)
          .filter(HttpConnectionManager::hasRds)
          .map(hcm -> hcm.getRds().getRouteConfigName())
          .filter(name -> !routes.contains(name))
          .forEach(name -> problems.add("listener " + listener.getName() + " names route config " + name
              + ", which is not in the snapshot"));
    }
    scopeProblems(resources, routes, problems);
    ImmutableSet<String> assignments = resources.endpoints().stream().map(ClusterLoadAssignment::getClusterName)
        .collect(ImmutableSet.toImmutableSet());
    for (Cluster cluster : resources.clusters()) {
      if (cluster.getType() != Cluster.DiscoveryType.EDS) {
        continue;
      }
      String service = cluster.getEdsClusterConfig().getServiceName();
      String name = service.isEmpty() ? cluster.getName() : service;
      if (!assignments.contains(name)) {
        problems.add("EDS cluster " + cluster.getName() + " has no ClusterLoadAssignment " + name);
      }
    }
    ImmutableSet<String> secrets =
        resources.secrets().stream().map(Secret::getName).collect(ImmutableSet.toImmutableSet());
    for (Listener listener : resources.listeners()) {
      for (FilterChain chain : listener.getFilterChainsList()) {
        sdsNames(chain.getTransportSocket(), DownstreamTlsContext.class)
            .filter(name -> !secrets.contains(name))
            .forEach(
                name ->
                    problems.add(
                        "listener "
                            + listener.getName()
                            + " names secret "
                            + name
                            + ", which is not in the snapshot"));
      }
    }
    for (Cluster cluster : resources.clusters()) {
      sdsNames(cluster.getTransportSocket(), UpstreamTlsContext.class)
          .filter(name -> !secrets.contains(name))
          .forEach(
              name ->
                  problems.add(
                      "cluster "
                          + cluster.getName()
                          + " names secret "
                          + name
                          + ", which is not in the snapshot"));
    }
    return ImmutableList.copyOf(problems);
  }

  /** The SDS names a TLS transport socket asks for (certificates and validation context). */
  private static <T extends com.google.protobuf.Message> Stream<String> sdsNames(
      TransportSocket socket, Class<T> type) {
    if (!socket.hasTypedConfig() || !socket.getTypedConfig().is(type)) {
      return Stream.empty();
    }
    try {
      T context = socket.getTypedConfig().unpack(type);
      CommonTlsContext common = context instanceof DownstreamTlsContext d ? d.getCommonTlsContext()
          : ((UpstreamTlsContext) context).getCommonTlsContext();
      Stream<String> certificates =
          common.getTlsCertificateSdsSecretConfigsList().stream().map(SdsSecretConfig::getName);
      Stream<String> validation =
          common.hasValidationContextSdsSecretConfig()
              ? Stream.of(common.getValidationContextSdsSecretConfig().getName())
              : common.hasCombinedValidationContext()
                      && common.getCombinedValidationContext().hasValidationContextSdsSecretConfig()
                  ? Stream.of(
                      common
                          .getCombinedValidationContext()
                          .getValidationContextSdsSecretConfig()
                          .getName())
                  : Stream.empty();
      return Stream.concat(certificates, validation);
    } catch (InvalidProtocolBufferException e) {
      return Stream.empty(); // Envoy will NACK it and we will roll back
    }
  }

  /**
   * Route scopes come on their own stream (no hold-back there), but Envoy NACKs a scope whose key another
   * scope of its set has, and a scope naming a route configuration the snapshot lacks leaves its hosts
   * without routes (Envoy waits for it); a scope no listener's set ({@code scoped_routes.name}) claims is
   * never asked for, so it is a translator bug too.
   */
  private static void scopeProblems(EnvoyResources resources, ImmutableSet<String> routes, List<String> problems) {
    ImmutableSet<String> scopeSets = resources.listeners().stream()
        .flatMap(SnapshotConsistency::connectionManagers)
        .filter(HttpConnectionManager::hasScopedRoutes)
        .map(hcm -> hcm.getScopedRoutes().getName())
        .collect(ImmutableSet.toImmutableSet());
    Map<String, Map<ScopedRouteConfiguration.Key, String>> keysBySet = new HashMap<>();
    for (ScopedRouteConfiguration scope : resources.scopes()) {
      if (!routes.contains(scope.getRouteConfigurationName())) {
        problems.add("scope " + scope.getName() + " names route config " + scope.getRouteConfigurationName()
            + ", which is not in the snapshot");
      }
      int slash = scope.getName().lastIndexOf('/');
      String set = slash < 0 ? "" : scope.getName().substring(0, slash);
      if (!scopeSets.contains(set)) {
        problems.add("scope " + scope.getName() + " belongs to no listener's scoped routes"
            + (set.isEmpty() ? " (its name has no \"<scoped routes name>/\")" : " named " + set));
        continue;
      }
      String other = keysBySet.computeIfAbsent(set, s -> new HashMap<>()).putIfAbsent(scope.getKey(), scope.getName());
      if (other != null) {
        problems.add("scopes " + other + " and " + scope.getName() + " have the same key");
      }
    }
  }

  /** Every HTTP connection manager of the listener's filter chains (the default one included). */
  private static Stream<HttpConnectionManager> connectionManagers(Listener listener) {
    return Stream.concat(listener.getFilterChainsList().stream(),
            listener.hasDefaultFilterChain() ? Stream.of(listener.getDefaultFilterChain()) : Stream.empty())
        .map(FilterChain::getFiltersList)
        .flatMap(List::stream)
        .flatMap(filter -> connectionManager(filter).stream());
  }

  private static java.util.Optional<HttpConnectionManager> connectionManager(Filter filter) {
    if (!filter.hasTypedConfig() || !filter.getTypedConfig().getTypeUrl().equals(HCM_TYPE)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(filter.getTypedConfig().unpack(HttpConnectionManager.class));
    } catch (InvalidProtocolBufferException e) {
      return java.util.Optional.empty(); // Envoy will NACK it and we will roll back
    }
  }
}
