package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSetMultimap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.ClusterPolicy;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.ResourceKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * TCP and TLS passthrough listeners with their TCPRoutes and TLSRoutes, as TCP proxies.
 *
 * <ul>
 *   <li>One Envoy listener per port. A port is TCP or TLS, and not HTTP: a listener that would
 *       mix them is not served (Conflicted), the older Gateway keeps the port.
 *   <li>TCP: one listener per port; the oldest TCPRoute attached to it takes every connection
 *       (later ones are attached but get none, as the specification's conformance test expects).
 *   <li>TLS passthrough: one filter chain per TLS server name (SNI), from the intersection of
 *       listener and route hostnames; a name two routes claim is the older route's. A port with no
 *       route attached has no Envoy listener (connections are refused).
 * </ul>
 */
final class L4Routes {
  /** The listeners made, and which Gateways made each (for {@code IrMerger}'s conflict reports). */
  record Result(ImmutableList<Listener> listeners, ImmutableSetMultimap<String, ResourceKey> owners) {}

  private record Chain(L4Route route, ImmutableList<RouteAction.WeightedCluster> clusters) {}

  private static final ImmutableSet<String> TCP = ImmutableSet.of("TCP");
  private static final ImmutableSet<String> TLS = ImmutableSet.of("TLS");

  private L4Routes() {}

  /**
   * @param served the Gateways served, oldest first
   * @param routes TCPRoutes and TLSRoutes, oldest first
   * @param httpPorts the Envoy ports the HTTP listeners use
   */
  static Result translate(
      List<ApiGateway> served,
      List<L4Route> routes,
      Set<Integer> httpPorts,
      GatewayIdentity identity,
      BackendClusters backends,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status) {
    // Per Envoy port: its protocol, and the listeners served there (TLS: by hostname, "*" for none).
    Map<Integer, ApiGateway.Protocol> portProtocol = new TreeMap<>();
    Map<String, ResourceKey> hostOwner = new HashMap<>();
    Set<String> servedListeners = new HashSet<>();
    ImmutableSetMultimap.Builder<String, ResourceKey> owners = ImmutableSetMultimap.builder();
    for (ApiGateway gateway : served) {
      for (ApiGateway.Listener listener : gateway.listeners()) {
        if (!listener.protocol().connections()) {
          continue; // HTTP and HTTPS: GatewayListeners
        }
        int port = identity.listenerPort(listener.port());
        String id = port + "/" + listener.hostname().orElse("*");
        String why;
        if (httpPorts.contains(port)) {
          why = "is served as HTTP";
        } else if (portProtocol.containsKey(port) && portProtocol.get(port) != listener.protocol()) {
          why = "is served as " + portProtocol.get(port);
        } else if (hostOwner.containsKey(id)) {
          why =
              listener.protocol() == ApiGateway.Protocol.TCP
                  ? "is served as TCP by " + hostOwner.get(id)
                  : "with hostname " + listener.hostname().orElse("*") + " is served by " + hostOwner.get(id);
        } else {
          portProtocol.put(port, listener.protocol());
          hostOwner.put(id, gateway.key());
          servedListeners.add(gateway.key() + "/" + listener.name());
          owners.put(listenerName(identity, port), gateway.key());
          continue;
        }
        diagnostics.add(
            Diagnostic.warning(
                gateway.key(),
                "spec.listeners[" + listener.index() + "]",
                "port " + listener.port() + " " + why + "; listener " + listener.name()
                    + " is not served (Conflicted)"));
      }
    }

    // Per port, per server name ("*": any): the route whose backends take the connection.
    Map<Integer, Map<String, Chain>> chains = new TreeMap<>();
    for (L4Route route : routes) {
      if (route.parents().isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(route.key(), "spec.parentRefs", "no parentRefs: this route is not served"));
        continue;
      }
      boolean tls = route.protocol() == L4Route.Protocol.TLS;
      Map<Integer, Set<String>> names = new TreeMap<>();
      for (HttpRoute.ParentRef parent : route.parents()) {
        ImmutableList<RouteAttachment.Attached> attached =
            RouteAttachment.attach(
                route.key(),
                route.protocol().routeKind(),
                parent,
                route.hostnames(),
                tls,
                tls ? TLS : TCP,
                served,
                namespaceLabels,
                diagnostics,
                status);
        boolean anyServed = false;
        for (RouteAttachment.Attached a : attached) {
          if (servedListeners.contains(a.listener().gateway().key() + "/" + a.listener().name())) {
            anyServed = true;
            status.listener(a.listener().gateway().key(), a.listener().name()).attach(route.key());
            names.computeIfAbsent(identity.listenerPort(a.listener().port()), p -> new java.util.TreeSet<>())
                .addAll(a.hosts());
          }
        }
        if (!attached.isEmpty() && !anyServed) {
          // As for HTTPRoute: the listeners that would take it are not served (Conflicted).
          status.routeParent(route.key(), parent.index()).accepted(false, Reason.NOT_ALLOWED_BY_LISTENERS,
              "no listener of Gateway " + parent.namespace() + "/" + parent.name()
                  + " that allows this route is served (see the Gateway's diagnostics)");
        }
      }
      if (names.isEmpty()) {
        continue;
      }
      ImmutableList<RouteAction.WeightedCluster> clusters =
          backends.resolve(
              route.key(),
              "spec.rules[0]",
              route.backends(),
              "its connections are closed",
              ClusterPolicy.DEFAULT,
              diagnostics);
      if (clusters.isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(
                route.key(),
                "spec.rules[0].backendRefs",
                "no usable backend; connections to this route are closed"));
      }
      names.forEach(
          (port, hosts) -> {
            Map<String, Chain> onPort = chains.computeIfAbsent(port, p -> new TreeMap<>());
            for (String host : hosts) {
              Chain earlier = onPort.get(host);
              if (earlier == null) {
                onPort.put(host, new Chain(route, clusters));
              } else {
                diagnostics.add(
                    Diagnostic.warning(
                        route.key(),
                        "spec",
                        (tls ? "server name " + host + " on port " : "port ")
                            + port
                            + " is taken by the older "
                            + earlier.route().key()
                            + "; this route gets no connections there"));
              }
            }
          });
    }

    ImmutableList.Builder<Listener> listeners = ImmutableList.builder();
    chains.forEach(
        (port, byName) -> {
          ImmutableList.Builder<FilterChain> filterChains = ImmutableList.builder();
          byName.forEach(
              (host, chain) -> {
                if (chain.clusters().isEmpty()) {
                  return; // no chain: the connection is closed
                }
                filterChains.add(
                    new FilterChain(
                        host.equals("*") ? ImmutableList.of() : ImmutableList.of(host),
                        Optional.empty(),
                        new NetworkFilter.Tcp(
                            chain.route().key().namespace() + "." + chain.route().key().name(),
                            chain.clusters())));
              });
          ImmutableList<FilterChain> built = filterChains.build();
          if (!built.isEmpty()) {
            listeners.add(new Listener(listenerName(identity, port), identity.bindAddress(), port, built));
          }
        });
    return new Result(listeners.build(), owners.build());
  }

  private static String listenerName(GatewayIdentity identity, int port) {
    return identity.bindAddress() + "_" + port;
  }
}
