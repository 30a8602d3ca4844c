package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
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

  /**
   * The last snapshot this instance found consistent, and the keys of its scopes by set: with the same
   * listeners, the next snapshot's route configurations and scopes are checked only where they differ
   * from it (at 10,000 hosts with route scopes, checking all 20,000 was a tenth of a change's CPU).
   */
  private EnvoyResources base;
  private Map<String, Map<ScopedRouteConfiguration.Key, String>> baseKeys;

  /** Every missing reference, as a sentence; empty when consistent. */
  static ImmutableList<String> problems(EnvoyResources resources) {
    return new SnapshotConsistency().check(resources);
  }

  /**
   * As {@link #problems}, checking again only what differs from the last snapshot this instance found
   * consistent (the same listeners, and the same route configurations and scopes, by instance, are
   * consistent with each other still). Synchronized: the config loop calls it, and a test may too.
   */
  synchronized ImmutableList<String> check(EnvoyResources resources) {
    List<String> problems = new ArrayList<>();
    boolean incremental = base != null && sameInstances(base.listeners(), resources.listeners());
    Map<String, Map<ScopedRouteConfiguration.Key, String>> keys;
    if (incremental) {
      keys = baseKeys;
      changedRoutesAndScopes(resources, problems);
    } else {
      ImmutableSet<String> routes = resources.routes().stream().map(RouteConfiguration::getName)
          .collect(ImmutableSet.toImmutableSet());
      listenerProblems(resources, name -> !routes.contains(name), problems);
      keys = new HashMap<>();
      ImmutableSet<String> scopeSets = scopeSets(resources);
      for (ScopedRouteConfiguration scope : resources.scopes()) {
        scopeProblems(scope, routes::contains, scopeSets, keys, problems);
      }
    }
    otherProblems(resources, problems);
    if (problems.isEmpty()) {
      base = resources;
      baseKeys = keys;
    } else {
      base = null; // the keys may be half updated: all of the next one is checked
      baseKeys = null;
    }
    return ImmutableList.copyOf(problems);
  }

  /**
   * With the base's listeners: a route configuration they or a kept scope name is there unless it was
   * removed; an added or changed scope is checked in full against the others' keys, once the keys of the
   * scopes gone or changed are out of the way.
   */
  private void changedRoutesAndScopes(EnvoyResources resources, List<String> problems) {
    Set<String> removedRoutes = new HashSet<>();
    ByName.walk(base.routes(), resources.routes(), new ByName.Visitor() {
      @Override
      public void added(String name, Message now) {}

      @Override
      public void removed(String name, Message old) {
        removedRoutes.add(name);
      }

      @Override
      public void both(String name, int index, Message old, Message now) {}

      @Override
      public void same(int index, Message message) {}
    });
    if (!removedRoutes.isEmpty()) {
      listenerProblems(resources, removedRoutes::contains, problems);
    }
    List<ScopedRouteConfiguration> gone = new ArrayList<>();
    List<ScopedRouteConfiguration> fresh = new ArrayList<>();
    ByName.walk(base.scopes(), resources.scopes(), new ByName.Visitor() {
      @Override
      public void added(String name, Message now) {
        fresh.add((ScopedRouteConfiguration) now);
      }

      @Override
      public void removed(String name, Message old) {
        gone.add((ScopedRouteConfiguration) old);
      }

      @Override
      public void both(String name, int index, Message old, Message now) {
        if (old != now) {
          gone.add((ScopedRouteConfiguration) old);
          fresh.add((ScopedRouteConfiguration) now);
        } else {
          same(index, now);
        }
      }

      @Override
      public void same(int index, Message message) {
        ScopedRouteConfiguration scope = (ScopedRouteConfiguration) message;
        if (!removedRoutes.isEmpty() && removedRoutes.contains(scope.getRouteConfigurationName())) {
          problems.add(danglingScope(scope));
        }
      }
    });
    for (ScopedRouteConfiguration scope : gone) {
      Map<ScopedRouteConfiguration.Key, String> ofSet = baseKeys.get(setOf(scope));
      if (ofSet != null) {
        ofSet.remove(scope.getKey(), scope.getName());
      }
    }
    ImmutableSet<String> scopeSets = fresh.isEmpty() ? ImmutableSet.of() : scopeSets(resources);
    for (ScopedRouteConfiguration scope : fresh) {
      scopeProblems(scope, name -> ByName.contains(resources.routes(), name), scopeSets, baseKeys, problems);
    }
  }

  /** A listener naming a route configuration that is {@code missing}. */
  private static void listenerProblems(EnvoyResources resources, Predicate<String> missing, List<String> problems) {
    for (Listener listener : resources.listeners()) {
      connectionManagers(listener)
          .filter(HttpConnectionManager::hasRds)
          .map(hcm -> hcm.getRds().getRouteConfigName())
          .filter(missing)
          .forEach(name -> problems.add("listener " + listener.getName() + " names route config " + name
              + ", which is not in the snapshot"));
    }
  }

  private static boolean sameInstances(List<?> before, List<?> after) {
    if (before.size() != after.size()) {
      return false;
    }
    for (int i = 0; i < before.size(); i++) {
      if (before.get(i) != after.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** The EDS and SDS references: as many as clusters and TLS contexts, all checked every time. */
  private static void otherProblems(EnvoyResources resources, List<String> problems) {
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
   * never asked for, so it is a translator bug too. {@code keys}: the keys of the set's other scopes,
   * to which this one's is added.
   */
  private static void scopeProblems(ScopedRouteConfiguration scope, Predicate<String> routeExists,
      ImmutableSet<String> scopeSets, Map<String, Map<ScopedRouteConfiguration.Key, String>> keys,
      List<String> problems) {
    if (!routeExists.test(scope.getRouteConfigurationName())) {
      problems.add(danglingScope(scope));
    }
    String set = setOf(scope);
    if (!scopeSets.contains(set)) {
      problems.add("scope " + scope.getName() + " belongs to no listener's scoped routes"
          + (set.isEmpty() ? " (its name has no \"<scoped routes name>/\")" : " named " + set));
      return;
    }
    String other = keys.computeIfAbsent(set, s -> new HashMap<>()).putIfAbsent(scope.getKey(), scope.getName());
    if (other != null) {
      problems.add("scopes " + other + " and " + scope.getName() + " have the same key");
    }
  }

  private static String danglingScope(ScopedRouteConfiguration scope) {
    return "scope " + scope.getName() + " names route config " + scope.getRouteConfigurationName()
        + ", which is not in the snapshot";
  }

  /** The scoped routes name a scope belongs to: its name up to the last "/". */
  private static String setOf(ScopedRouteConfiguration scope) {
    int slash = scope.getName().lastIndexOf('/');
    return slash < 0 ? "" : scope.getName().substring(0, slash);
  }

  private static ImmutableSet<String> scopeSets(EnvoyResources resources) {
    return resources.listeners().stream()
        .flatMap(SnapshotConsistency::connectionManagers)
        .filter(HttpConnectionManager::hasScopedRoutes)
        .map(hcm -> hcm.getScopedRoutes().getName())
        .collect(ImmutableSet.toImmutableSet());
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
