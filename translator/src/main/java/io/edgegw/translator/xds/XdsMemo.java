package io.edgegw.translator.xds;

import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.memo.Memo;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Optional;

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

  void endTranslation() {
    listeners.endTranslation();
    virtualHosts.endTranslation();
    clusters.endTranslation();
    endpoints.endTranslation();
    secrets.endTranslation();
  }
}
