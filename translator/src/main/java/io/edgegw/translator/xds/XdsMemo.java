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
import io.edgegw.translator.ir.RouteConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

  /** What a listener is built from: its IR and which of its route configurations go per host. */
  private record ListenerKey(Listener ir, ListenerTranslator.RouteScopes scopes) {}

  /** The route configuration of one virtual host of a port, and its scopes (one per domain). */
  record HostRoutes(RouteConfiguration routes, ImmutableList<ScopedRouteConfiguration> scopes) {}

  /**
   * What one port's route configuration gave Envoy: the port-wide route configuration, or (scoped) a route
   * configuration per host and their scopes. {@code routesInOrder} and {@code scopesInOrder}: each list is
   * known to be in name order already, so the back end need not sort it again.
   */
  record PortRoutes(
      boolean scoped,
      ImmutableList<RouteConfiguration> routes,
      boolean routesInOrder,
      ImmutableList<ScopedRouteConfiguration> scopes,
      boolean scopesInOrder) {}

  /**
   * One port as the previous translation built it: its IR, each IR virtual host's Envoy one (same order),
   * and what went to Envoy. {@code hosts}: each virtual host's route configuration and scopes when scoped,
   * else null, and {@code scopeStart}: where each one's scopes start in {@code out}'s (one more, the end);
   * {@code domains}: every domain of the port when it was eligible for scopes (then each is there once),
   * else null. Owned by the memo: a translation takes it, updates {@code domains} in place and leaves a
   * new one.
   */
  private record Port(
      RouteConfig ir,
      boolean scopesWanted,
      List<io.envoyproxy.envoy.config.route.v3.VirtualHost> envoy,
      List<HostRoutes> hosts,
      int[] scopeStart,
      Set<String> domains,
      PortRoutes out) {}

  /*
   * Ports by route configuration name. Their virtual hosts are matched to the previous translation's by
   * walking both lists in step (both in name order, the front ends' promise), never hashed: IR records do
   * not cache their hash, so hashing 10,000 hosts deep on every change cost more than the rest of the
   * back end. The front end hands in the very same VirtualHost instance for a host that did not change,
   * so an unchanged host costs a reference compare; an equal copy costs an equals that stops at its
   * identical Route instances.
   */
  private Map<String, Port> previousPorts = new HashMap<>();
  private Map<String, Port> ports = new HashMap<>();

  io.envoyproxy.envoy.config.listener.v3.Listener listener(
      Listener listener, ListenerTranslator.RouteScopes scopes, ListenerTranslator translator) {
    return listeners.get(new ListenerKey(listener, scopes), k -> translator.listener(k.ir(), k.scopes()));
  }

  /**
   * What {@code config} gives Envoy: with {@code scopesWanted} and a port {@link ScopeEligibility} allows, a
   * route configuration per virtual host and a scope per domain, else the port-wide route configuration.
   * An unchanged virtual host's Envoy messages are the previous translation's instances, so the
   * publisher's hashes and encodings of them hold; a changed one takes each route the previous version of
   * that host (same name) already built.
   */
  PortRoutes port(RouteConfig config, boolean scopesWanted, RouteTranslator translator) {
    // Taken out while its domains are updated in place: a failure halfway leaves nothing stale behind.
    Port before = previousPorts.remove(config.name());
    if (before != null && before.ir() == config && before.scopesWanted() == scopesWanted) {
      ports.put(config.name(), before);
      return before.out();
    }
    List<VirtualHost> hosts = config.virtualHosts();
    List<VirtualHost> old = before == null ? List.of() : before.ir().virtualHosts();
    int n = hosts.size();
    // previous[i]: the index in old of hosts[i]'s previous version (same instance or name), or -1;
    // same[i]: that version is the same host (instance, or an equal copy); kept[k]: old[k] is.
    int[] previous = new int[n];
    boolean[] same = new boolean[n];
    boolean[] kept = new boolean[old.size()];
    int j = 0;
    for (int i = 0; i < n; i++) {
      VirtualHost h = hosts.get(i);
      previous[i] = -1;
      while (j < old.size()) {
        VirtualHost o = old.get(j);
        if (o == h || o.name().equals(h.name())) {
          previous[i] = j;
          same[i] = o == h || o.equals(h);
          kept[j++] = same[i];
          break;
        }
        if (j + 1 < old.size() && old.get(j + 1) == h) {
          j++; // o is gone
        } else if (i + 1 < n && hosts.get(i + 1) == o) {
          break; // h is new
        } else if (o.name().compareTo(h.name()) < 0) {
          j++; // o is gone (if the lists were out of order, o is merely built again)
        } else {
          break;
        }
      }
    }
    Set<String> domains = scopesWanted ? eligibleDomains(config, before, old, kept, same) : null;

    // Hosts reused in a row (most of a port, but where a host came, went or changed) are copied as ranges.
    List<io.envoyproxy.envoy.config.route.v3.VirtualHost> envoy = new ArrayList<>(n);
    boolean unchanged = before != null && n == old.size();
    for (int i = 0; i < n; ) {
      int k = previous[i];
      if (same[i]) {
        int end = rangeEnd(i, previous, same);
        envoy.addAll(before.envoy().subList(k, k + end - i));
        unchanged &= k == i;
        i = end;
      } else {
        unchanged = false;
        envoy.add(translator.virtualHost(hosts.get(i),
            k < 0 ? r -> null : previousRoutes(old.get(k), before.envoy().get(k))));
        i++;
      }
    }
    PortRoutes out;
    List<HostRoutes> perHost = null;
    int[] scopeStart = null;
    if (domains == null) {
      out = unchanged && !before.out().scoped() ? before.out() : new PortRoutes(false,
          ImmutableList.of(translator.routeConfiguration(config.name(), envoy)), true, ImmutableList.of(), true);
    } else {
      List<HostRoutes> beforeHosts = before == null ? null : before.hosts();
      perHost = new ArrayList<>(n);
      scopeStart = new int[n + 1];
      ImmutableList.Builder<RouteConfiguration> routes = ImmutableList.builderWithExpectedSize(n);
      ImmutableList.Builder<ScopedRouteConfiguration> scopes = ImmutableList.builderWithExpectedSize(n);
      // Reused hosts keep their order among themselves; when that was name order, only the pairs with a
      // host built anew need a compare.
      boolean checkRoutes = beforeHosts == null || !before.out().routesInOrder();
      boolean checkScopes = beforeHosts == null || !before.out().scopesInOrder();
      boolean routesInOrder = true;
      boolean scopesInOrder = true;
      boolean reusedBefore = false;
      for (int i = 0; i < n; ) {
        boolean reused = same[i] && beforeHosts != null;
        VirtualHost ir = hosts.get(i);
        if (i > 0 && (!reused || !reusedBefore)) {
          VirtualHost last = hosts.get(i - 1);
          routesInOrder &= checkRoutes || last.name().compareTo(ir.name()) <= 0;
          scopesInOrder &= checkScopes || inOrder(last.domains(), ir.domains());
        }
        int end = reused ? rangeEnd(i, previous, same) : i + 1;
        if (reused) {
          int k = previous[i];
          int[] was = before.scopeStart();
          perHost.addAll(beforeHosts.subList(k, k + end - i));
          routes.addAll(before.out().routes().subList(k, k + end - i));
          scopes.addAll(before.out().scopes().subList(was[k], was[k + end - i]));
          for (int x = i; x < end; x++) {
            scopeStart[x + 1] = scopeStart[x] + was[k + x - i + 1] - was[k + x - i];
          }
        } else {
          HostRoutes host = hostRoutes(config.name(), envoy.get(i), translator);
          perHost.add(host);
          routes.add(host.routes());
          scopes.addAll(host.scopes());
          scopeStart[i + 1] = scopeStart[i] + host.scopes().size();
          scopesInOrder &= checkScopes || inOrder(ir.domains());
        }
        reusedBefore = reused;
        i = end;
      }
      if (checkRoutes) {
        routesInOrder = inOrder(hosts.stream().map(VirtualHost::name).toList());
      }
      if (checkScopes) {
        scopesInOrder = inOrder(hosts.stream().flatMap(h -> h.domains().stream()).toList());
      }
      out = new PortRoutes(true, routes.build(), routesInOrder, scopes.build(), scopesInOrder);
    }
    ports.put(config.name(), new Port(config, scopesWanted, envoy, perHost, scopeStart, domains, out));
    return out;
  }

  /** The end of the run of hosts from {@code i} that are the same as consecutive previous ones. */
  private static int rangeEnd(int i, int[] previous, boolean[] same) {
    int end = i + 1;
    while (end < same.length && same[end] && previous[end] == previous[end - 1] + 1) {
      end++;
    }
    return end;
  }

  /**
   * The port's domains when {@link ScopeEligibility} allows it, else null: from the previous translation's
   * set, when there was one, less the domains of the hosts gone and plus those of the hosts new.
   */
  private static Set<String> eligibleDomains(
      RouteConfig config, Port before, List<VirtualHost> old, boolean[] kept, boolean[] same) {
    if (before == null || before.domains() == null) {
      return ScopeEligibility.domains(config);
    }
    if (config.virtualHosts().isEmpty()) {
      return null;
    }
    Set<String> domains = before.domains();
    // Every domain was there once: removing a gone host's domains leaves the others' (first all removals,
    // so that a domain moving between hosts is not taken for one twice).
    for (int k = 0; k < kept.length; k++) {
      if (!kept[k]) {
        old.get(k).domains().forEach(domains::remove);
      }
    }
    for (int i = 0; i < same.length; i++) {
      if (!same[i] && !ScopeEligibility.add(config.virtualHosts().get(i), domains)) {
        return null;
      }
    }
    return domains;
  }

  /** Whether each of {@code names} sorts after the one before (or equals it: a stable sort keeps those). */
  private static boolean inOrder(List<String> names) {
    for (int i = 1; i < names.size(); i++) {
      if (names.get(i - 1).compareTo(names.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code after}'s first name sorts after {@code before}'s last. */
  private static boolean inOrder(List<String> before, List<String> after) {
    return before.isEmpty() || after.isEmpty() || before.get(before.size() - 1).compareTo(after.get(0)) <= 0;
  }

  /** The route configuration of {@code host} alone, for the port's {@code routeConfig}, and its scopes. */
  private static HostRoutes hostRoutes(
      String routeConfig, io.envoyproxy.envoy.config.route.v3.VirtualHost host, RouteTranslator translator) {
    RouteConfiguration routes =
        translator.routeConfiguration(ScopedRoutesDelivery.hostRouteConfigName(routeConfig, host), host);
    return new HostRoutes(routes, ImmutableList.copyOf(ScopedRoutesDelivery.scopes(routeConfig, routes)));
  }

  /**
   * The routes of {@code before} by IR route: the same instance first; a route that is not is built
   * anew when it is the only one (an edit), and looked up by equality once there are more (the front
   * end rebuilt equal routes), where hashing every previous route pays for itself.
   */
  private static Function<Route, io.envoyproxy.envoy.config.route.v3.Route> previousRoutes(
      VirtualHost before, io.envoyproxy.envoy.config.route.v3.VirtualHost built) {
    List<Route> irRoutes = before.routes();
    Map<Route, io.envoyproxy.envoy.config.route.v3.Route> same = new IdentityHashMap<>(irRoutes.size());
    for (int i = 0; i < irRoutes.size(); i++) {
      same.putIfAbsent(irRoutes.get(i), built.getRoutes(i));
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
    previousPorts = ports;
    ports = new HashMap<>();
    listeners.endTranslation();
    clusters.endTranslation();
    endpoints.endTranslation();
    secrets.endTranslation();
  }
}
