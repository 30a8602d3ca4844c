package io.edgegw.translator.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import io.edgegw.translator.ir.HttpListener;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;

/** An HTTP listener: one filter chain, an HTTP connection manager with routes by RDS (section 2). */
public final class ListenerTranslator {

  public Listener listener(HttpListener listener) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_" + listener.name())
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setRds(Rds.newBuilder().setConfigSource(EnvoyTypes.ads()).setRouteConfigName(listener.routeConfigName()))
        .addAllHttpFilters(httpFilters())
        // A gateway is the edge: the peer address is the client, not a trusted proxy.
        .setUseRemoteAddress(BoolValue.of(true))
        .addUpgradeConfigs(HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
        // Like istiod: long-lived streams (websockets, gRPC streams) are not cut for idling.
        .setStreamIdleTimeout(Duration.getDefaultInstance())
        .build();
    return Listener.newBuilder()
        .setName(listener.name())
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress(listener.address()).setPortValue(listener.port())))
        .addFilterChains(FilterChain.newBuilder().addFilters(
            Filter.newBuilder().setName(EnvoyTypes.HTTP_CONNECTION_MANAGER).setTypedConfig(Any.pack(hcm))))
        .build();
  }

  /**
   * In istiod's order: fault and cors, configured per route and inert on routes without such
   * config, then the router, which must be last.
   */
  private static List<HttpFilter> httpFilters() {
    return List.of(
        HttpFilter.newBuilder().setName(EnvoyTypes.FAULT).setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build(),
        HttpFilter.newBuilder().setName(EnvoyTypes.CORS).setTypedConfig(Any.pack(Cors.getDefaultInstance())).build(),
        HttpFilter.newBuilder().setName(EnvoyTypes.ROUTER).setTypedConfig(Any.pack(Router.getDefaultInstance())).build());
  }
}
