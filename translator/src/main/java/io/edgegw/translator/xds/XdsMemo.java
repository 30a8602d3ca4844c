package io.edgegw.translator.xds;

import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.memo.Memo;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import com.google.common.collect.Maps;
import io.edgegw.translator.ir.Route;
import java.util.HashMap;
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
  final Memo<Listener, io.envoyproxy.envoy.config.listener.v3.Listener> listeners = Memo.byEquality();
  final Memo<VirtualHost, io.envoyproxy.envoy.config.route.v3.VirtualHost> virtualHosts = Memo.byEquality();
  final Memo<Cluster, io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters = Memo.byEquality();
  final Memo<Cluster, Optional<ClusterLoadAssignment>> endpoints = Memo.byEquality();
  final Memo<TlsSecret, Secret> secrets = Memo.byEquality();

  /** Hosts of at least this many routes are remembered by name, so an edit of one route builds one route. */
  static final int MIN_ROUTES = 8;

  private record Built(VirtualHost ir, io.envoyproxy.envoy.config.route.v3.VirtualHost envoy) {}

  private Map<String, Built> previousByName = new HashMap<>();
  private Map<String, Built> byName = new HashMap<>();

  /**
   * The Envoy virtual host of {@code host}: the previous one when the IR is equal; else built anew, taking
   * each route equal to one of the previous version of the same host (by name) from there.
   */
  io.envoyproxy.envoy.config.route.v3.VirtualHost virtualHost(VirtualHost host, RouteTranslator routes) {
    var out = virtualHosts.get(host, h -> routes.virtualHost(h, previousRoutes(h.name())));
    if (host.routes().size() >= MIN_ROUTES) {
      byName.put(host.name(), new Built(host, out));
    }
    return out;
  }

  private Function<Route, io.envoyproxy.envoy.config.route.v3.Route> previousRoutes(String name) {
    Built before = previousByName.get(name);
    if (before == null) {
      return r -> null;
    }
    Map<Route, io.envoyproxy.envoy.config.route.v3.Route> known =
        Maps.newHashMapWithExpectedSize(before.ir().routes().size());
    for (int i = 0; i < before.ir().routes().size(); i++) {
      known.putIfAbsent(before.ir().routes().get(i), before.envoy().getRoutes(i));
    }
    return known::get;
  }

  void endTranslation() {
    previousByName = byName;
    byName = new HashMap<>();
    listeners.endTranslation();
    virtualHosts.endTranslation();
    clusters.endTranslation();
    endpoints.endTranslation();
    secrets.endTranslation();
  }
}
