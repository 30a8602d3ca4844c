package io.edgegw.translator.xds;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.memo.Memo;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import com.google.common.collect.Maps;
import io.edgegw.translator.ir.Route;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Envoy messages built from equal IR values in the previous translation. Besides the work saved,
 * an unchanged virtual host or cluster is then the very same message instance as before, so the
 * publisher's comparisons and content hashes of the previous snapshot's resources cost a reference
 * check.
 */
public final class XdsMemo {
  private final Memo<ListenerKey, io.envoyproxy.envoy.config.listener.v3.Listener> listeners = Memo.byEquality();
  final Memo<Cluster, io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters = Memo.byEquality();
  final Memo<Cluster, Optional<ClusterLoadAssignment>> endpoints = Memo.byEquality();
  final Memo<TlsSecret, Secret> secrets = Memo.byEquality();

  private final Memo<HostKey, HostRoutes> hostRoutes = Memo.byEquality();

  private record Built(VirtualHost ir, io.envoyproxy.envoy.config.route.v3.VirtualHost envoy) {}

  /** What a listener is built from: its IR and which of its route configurations go per host. */
  private record ListenerKey(Listener ir, ListenerTranslator.RouteScopes scopes) {}

  /** The route configuration of one virtual host of a port, and its scopes (one per domain). */
  record HostRoutes(RouteConfiguration routes, ImmutableList<ScopedRouteConfiguration> scopes) {}

  /**
   * A port's route configuration name and one of its Envoy virtual hosts, by instance: an unchanged host
   * is the same instance (above), and comparing a thousand hosts by content would cost what is saved.
   */
  private static final class HostKey {
    private final String routeConfig;
    private final io.envoyproxy.envoy.config.route.v3.VirtualHost host;

    HostKey(String routeConfig, io.envoyproxy.envoy.config.route.v3.VirtualHost host) {
      this.routeConfig = routeConfig;
      this.host = host;
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // on purpose: by instance, see above
    public boolean equals(Object o) {
      return o instanceof HostKey k && k.host == host && k.routeConfig.equals(routeConfig);
    }

    @Override
    public int hashCode() {
      return 31 * routeConfig.hashCode() + System.identityHashCode(host);
    }
  }

  /*
   * Virtual hosts are remembered by name and compared with equals, never hashed: IR records do not cache
   * their hash, so hashing a thousand hosts (or a thousand routes) deep on every change cost more than
   * the rest of the back end. The front end hands in the same Route instances for what did not change,
   * and equals stops at identical instances, so comparing an unchanged host costs a pass over its
   * route references.
   */
  private Map<String, Built> previousByName = new HashMap<>();
  private Map<String, Built> byName = new HashMap<>();

  io.envoyproxy.envoy.config.listener.v3.Listener listener(
      Listener listener, ListenerTranslator.RouteScopes scopes, ListenerTranslator translator) {
    return listeners.get(new ListenerKey(listener, scopes), k -> translator.listener(k.ir(), k.scopes()));
  }

  /**
   * The route configuration of {@code host} alone and its scopes, for the port's route configuration
   * {@code routeConfig}: the previous translation's instances when {@code host} is the same instance, so
   * an unchanged host of a thousand costs a lookup, and the publisher's hashes and encodings of it hold.
   */
  HostRoutes hostRoutes(
      String routeConfig, io.envoyproxy.envoy.config.route.v3.VirtualHost host, RouteTranslator translator) {
    return hostRoutes.get(new HostKey(routeConfig, host), k -> {
      RouteConfiguration routes =
          translator.routeConfiguration(ScopedRoutesDelivery.hostRouteConfigName(routeConfig, host), host);
      return new HostRoutes(routes, ImmutableList.copyOf(ScopedRoutesDelivery.scopes(routeConfig, routes)));
    });
  }

  /**
   * The Envoy virtual host of {@code host}: the previous one when the IR is equal; else built anew, taking
   * each route the previous version of the same host (by name) already built from there.
   */
  io.envoyproxy.envoy.config.route.v3.VirtualHost virtualHost(VirtualHost host, RouteTranslator routes) {
    Built known = byName.get(host.name());
    if (known == null || !known.ir().equals(host)) {
      known = previousByName.get(host.name());
    }
    if (known == null || !known.ir().equals(host)) {
      known = new Built(host, routes.virtualHost(host, previousRoutes(known)));
    }
    byName.put(host.name(), known);
    return known.envoy();
  }

  /**
   * The routes of {@code before} by IR route: the same instance first; a route that is not is built
   * anew when it is the only one (an edit), and looked up by equality once there are more (the front
   * end rebuilt equal routes), where hashing every previous route pays for itself.
   */
  private static Function<Route, io.envoyproxy.envoy.config.route.v3.Route> previousRoutes(Built before) {
    if (before == null) {
      return r -> null;
    }
    List<Route> irRoutes = before.ir().routes();
    Map<Route, io.envoyproxy.envoy.config.route.v3.Route> same = new IdentityHashMap<>(irRoutes.size());
    for (int i = 0; i < irRoutes.size(); i++) {
      same.putIfAbsent(irRoutes.get(i), before.envoy().getRoutes(i));
    }
    return new Function<>() {
      private boolean missedOnce;
      private Map<Route, io.envoyproxy.envoy.config.route.v3.Route> equal;

      @Override
      public io.envoyproxy.envoy.config.route.v3.Route apply(Route route) {
        io.envoyproxy.envoy.config.route.v3.Route found = same.get(route);
        if (found != null) {
          return found;
        }
        if (!missedOnce) {
          missedOnce = true;
          return null;
        }
        if (equal == null) {
          equal = Maps.newHashMapWithExpectedSize(irRoutes.size());
          same.forEach(equal::putIfAbsent);
        }
        return equal.get(route);
      }
    };
  }

  void endTranslation() {
    previousByName = byName;
    // As many hosts as last time: no rehashing on the way (10,000 hosts).
    byName = Maps.newHashMapWithExpectedSize(previousByName.size());
    listeners.endTranslation();
    hostRoutes.endTranslation();
    clusters.endTranslation();
    endpoints.endTranslation();
    secrets.endTranslation();
  }
}
