package io.edgegw.translator.xds;

import com.google.common.collect.ImmutableSet;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import io.edgegw.translator.ir.DownstreamTls;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.RouteAction;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import java.util.List;

/**
 * IR listeners to Envoy Listeners (section 2): per filter chain an SNI match, a downstream TLS
 * transport socket whose certificates come by SDS (section 3), then an HTTP connection manager with
 * routes by RDS (or, per host, scoped RDS) or a TCP proxy.
 */
public final class ListenerTranslator {
  /** The {@code server} header istiod's gateways send; clients and tests that look for it keep working. */
  static final String SERVER_NAME = "istio-envoy";

  /**
   * Which route configurations go to Envoy per host (scoped RDS, {@link ScopedRoutesDelivery}), and the
   * bootstrap cluster their scopes come over; {@link #NONE}: every one by RDS.
   */
  record RouteScopes(String xdsCluster, ImmutableSet<String> routeConfigs) {
    static final RouteScopes NONE = new RouteScopes("", ImmutableSet.of());
  }

  Listener listener(io.edgegw.translator.ir.Listener listener, RouteScopes scopes) {
    Listener.Builder out = Listener.newBuilder()
        .setName(listener.name())
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress(listener.address()).setPortValue(listener.port())));
    if (listener.inspectsTls()) {
      out.addListenerFilters(ListenerFilter.newBuilder().setName(EnvoyTypes.TLS_INSPECTOR)
          .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())));
    }
    for (io.edgegw.translator.ir.FilterChain chain : listener.filterChains()) {
      out.addFilterChains(filterChain(listener, chain, scopes));
    }
    return out.build();
  }

  private FilterChain filterChain(
      io.edgegw.translator.ir.Listener listener, io.edgegw.translator.ir.FilterChain chain, RouteScopes scopes) {
    FilterChain.Builder out = FilterChain.newBuilder();
    if (!chain.serverNames().isEmpty()) {
      out.setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(chain.serverNames()));
    }
    chain.tls().ifPresent(tls -> out.setTransportSocket(TransportSocket.newBuilder()
        .setName(EnvoyTypes.TLS_TRANSPORT_SOCKET).setTypedConfig(Any.pack(downstreamTlsContext(tls)))));
    if (chain.filter() instanceof NetworkFilter.Http http) {
      out.addFilters(Filter.newBuilder().setName(EnvoyTypes.HTTP_CONNECTION_MANAGER)
          .setTypedConfig(Any.pack(httpConnectionManager("outbound_" + listener.name(), http, scopes))));
    } else if (chain.filter() instanceof NetworkFilter.Tcp tcp) {
      out.addFilters(Filter.newBuilder().setName(EnvoyTypes.TCP_PROXY).setTypedConfig(Any.pack(tcpProxy(tcp))));
    }
    return out.build();
  }

  private static HttpConnectionManager httpConnectionManager(
      String statPrefix, NetworkFilter.Http http, RouteScopes scopes) {
    HttpConnectionManager.Builder out = HttpConnectionManager.newBuilder();
    if (scopes.routeConfigs().contains(http.routeConfigName())) {
      out.setScopedRoutes(ScopedRoutesDelivery.scopedRoutes(http.routeConfigName(), scopes.xdsCluster()));
    } else {
      out.setRds(Rds.newBuilder().setConfigSource(EnvoyTypes.ads()).setRouteConfigName(http.routeConfigName()));
    }
    return out
        .setStatPrefix(statPrefix)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        // As istiod: responses (and Envoy's own answers) say server: istio-envoy.
        .setServerName(SERVER_NAME)
        // As istiod: routes match, and backends receive, the normalised path; escaped slashes are kept
        // unless decoding them was asked for.
        .setNormalizePath(BoolValue.of(http.paths().normalize()))
        .setMergeSlashes(http.paths().mergeSlashes())
        .setPathWithEscapedSlashesAction(http.paths().unescapeSlashes()
            ? HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD
            : HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED)
        .addAllHttpFilters(httpFilters())
        // A gateway is the edge: the peer address is the client, not a trusted proxy.
        .setUseRemoteAddress(BoolValue.of(true))
        .addUpgradeConfigs(HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
        // Like istiod: long-lived streams (websockets, gRPC streams) are not cut for idling.
        .setStreamIdleTimeout(Duration.getDefaultInstance())
        .build();
  }

  private static TcpProxy tcpProxy(NetworkFilter.Tcp tcp) {
    TcpProxy.Builder out = TcpProxy.newBuilder().setStatPrefix(tcp.statPrefix());
    if (tcp.clusters().size() == 1) {
      return out.setCluster(tcp.clusters().get(0).cluster()).build();
    }
    TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
    for (RouteAction.WeightedCluster c : tcp.clusters()) {
      weighted.addClusters(
          TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
              .setName(c.cluster())
              .setWeight(c.weight()));
    }
    return out.setWeightedClusters(weighted).build();
  }

  /** Certificates by SDS over ADS, so a rotated Secret reaches Envoy without touching the listener. */
  private static DownstreamTlsContext downstreamTlsContext(DownstreamTls tls) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(sds(tls.certificateSecret()))
        .addAllAlpnProtocols(tls.alpn());
    tls.validationSecret().ifPresent(name -> {
      if (tls.acceptUntrustedClientCertificate()) {
        // The CA still names the certificates asked for; a chain that fails it is let through.
        common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                .setTrustChainVerification(CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED))
            .setValidationContextSdsSecretConfig(sds(name)));
      } else {
        common.setValidationContextSdsSecretConfig(sds(name));
      }
    });
    if (tls.minVersion().isPresent() || tls.maxVersion().isPresent() || !tls.cipherSuites().isEmpty()) {
      TlsParameters.Builder params = TlsParameters.newBuilder().addAllCipherSuites(tls.cipherSuites());
      tls.minVersion().ifPresent(v -> params.setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.valueOf(v)));
      tls.maxVersion().ifPresent(v -> params.setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.valueOf(v)));
      common.setTlsParams(params);
    }
    DownstreamTlsContext.Builder out = DownstreamTlsContext.newBuilder().setCommonTlsContext(common);
    if (tls.requireClientCertificate()) {
      out.setRequireClientCertificate(BoolValue.of(true));
    }
    return out.build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(EnvoyTypes.ads()).build();
  }

  /**
   * In istiod's order: fault and cors, configured per route and inert on routes without such
   * config, then the router, which must be last.
   */
  private static List<HttpFilter> httpFilters() {
    return List.of(
        HttpFilter.newBuilder()
            .setName(EnvoyTypes.FAULT)
            .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
            .build(),
        HttpFilter.newBuilder()
            .setName(EnvoyTypes.CORS)
            .setTypedConfig(Any.pack(Cors.getDefaultInstance()))
            .build(),
        HttpFilter.newBuilder()
            .setName(EnvoyTypes.ROUTER)
            .setTypedConfig(Any.pack(Router.getDefaultInstance()))
            .build());
  }
}
