package io.edgegw.translator.xds;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/** Extension names and the {@code Any} types the back end may put in resources. */
public final class EnvoyTypes {
  public static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  public static final String ROUTER = "envoy.filters.http.router";
  public static final String FAULT = "envoy.filters.http.fault";
  public static final String CORS = "envoy.filters.http.cors";
  public static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
  public static final String UPSTREAM_HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  public static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  public static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /**
   * Every message that can appear inside an {@code Any}; adding a descriptor also adds its whole
   * .proto file and imports. Includes the extensions the translator will use next (tcp_proxy, TLS
   * contexts, fault, cors) so dumps never fail on an unknown {@code @type}.
   */
  public static final JsonFormat.TypeRegistry REGISTRY = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(PreviousHostsPredicate.getDescriptor())
      .add(TcpProxy.getDescriptor())
      .add(TlsInspector.getDescriptor())
      .add(DownstreamTlsContext.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .add(Secret.getDescriptor())
      .add(HttpProtocolOptions.getDescriptor())
      .add(HTTPFault.getDescriptor())
      .add(Cors.getDescriptor())
      .add(CorsPolicy.getDescriptor())
      .build();

  private EnvoyTypes() {}

  /** Resources (RDS, EDS, SDS) come over the same ADS stream as listeners and clusters. */
  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }
}
