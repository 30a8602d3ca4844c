package io.edgegw.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.bootstrap.v3.LayeredRuntime;
import io.envoyproxy.envoy.config.bootstrap.v3.RuntimeLayer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.BackoffStrategy;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.RetryPolicy;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the bootstrap an unmodified Envoy starts from: everything except the xDS cluster and Envoy's
 * own health and stats listeners (Istio's 15021 and 15090) comes over one ADS stream from the sidecar.
 */
public final class BootstrapGenerator {
  /** Envoy's runtime key for the largest RE2 program it compiles, and istiod's value for it. */
  public static final String RE2_MAX_PROGRAM_SIZE_KEY = "re2.max_program_size.error_level";
  public static final int RE2_MAX_PROGRAM_SIZE = 32768;


  /** Name of the static cluster that points at the sidecar's ADS server. */
  public static final String XDS_CLUSTER = "xds_cluster";

  /** Static cluster of Envoy's own admin interface, which the health and stats listeners forward to. */
  public static final String ADMIN_CLUSTER = "envoy_admin";
  public static final String HEALTH_LISTENER = "envoy_health";
  public static final String STATS_LISTENER = "envoy_prometheus";

  /** Back-off of the ADS stream's reconnects: base (doubling, jittered) and cap. */
  public static final int ADS_RETRY_BASE_MILLIS = 250;
  public static final int ADS_RETRY_MAX_SECONDS = 2;

  /**
   * Runtime flags pilot-agent puts into every Istio proxy's bootstrap, as Istio's gateways behave:
   * {@code http_reject_path_with_fragment: false} strips a {@code #fragment} from the request path
   * instead of answering 400 (Envoy's default), so {@code /app/x#frag} is routed as {@code /app/x}.
   * Sorted, so the bootstrap is the same text every time.
   */
  static final SortedMap<String, Value> RUNTIME_FLAGS = Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(
      "envoy.reloadable_features.http_reject_path_with_fragment", Value.newBuilder().setBoolValue(false).build())));

  private static final String HTTP_PROTOCOL_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private static final JsonFormat.Printer JSON = JsonFormat.printer()
      .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
          .add(HttpProtocolOptions.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .build())
      .preservingProtoFieldNames();
  private static final ObjectMapper JSON_READER = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build());

  public Bootstrap bootstrap(BootstrapOptions options) {
    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder().addClusters(xdsCluster(options));
    if (options.healthPort() != 0 || options.statsPort() != 0) {
      statics.addClusters(adminCluster(options));
    }
    if (options.healthPort() != 0) {
      // Envoy's /ready: 200 once it is initialised with its first listeners and clusters, 503 while
      // starting or draining; the path Istio's gateway probes answer on.
      statics.addListeners(statusListener(HEALTH_LISTENER, options.statusHost(), options.healthPort(),
          "/healthz/ready", Optional.of("/ready")));
    }
    if (options.statsPort() != 0) {
      statics.addListeners(statusListener(STATS_LISTENER, options.statusHost(), options.statsPort(),
          "/stats/prometheus", Optional.empty()));
    }
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId(options.nodeId()).setCluster(options.nodeCluster()))
        .setDynamicResources(Bootstrap.DynamicResources.newBuilder()
            .setAdsConfig(adsConfig(options.deltaXds()))
            .setCdsConfig(adsSource())
            .setLdsConfig(adsSource()))
        .setStaticResources(statics)
        .setAdmin(Admin.newBuilder().setAddress(address(options.adminHost(), options.adminPort())))
        .setLayeredRuntime(layeredRuntime())
        .build();
  }

  /** The bootstrap as YAML with proto field names, as Envoy's {@code -c} accepts it. */
  public String yaml(BootstrapOptions options) {
    try {
      JsonNode tree = JSON_READER.readTree(JSON.print(bootstrap(options)));
      return YAML.writeValueAsString(tree);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      // Only reachable if the type registry misses a type packed into an Any above.
      throw new IllegalStateException("cannot render bootstrap", e);
    }
  }

  private static ApiConfigSource adsConfig(boolean delta) {
    return ApiConfigSource.newBuilder()
        .setApiType(delta ? ApiConfigSource.ApiType.DELTA_GRPC : ApiConfigSource.ApiType.GRPC)
        .setTransportApiVersion(ApiVersion.V3)
        .addGrpcServices(GrpcService.newBuilder()
            .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder()
                .setClusterName(XDS_CLUSTER)
                .setRetryPolicy(adsRetry())))
        // The node never changes during a stream; sending it once keeps every request small.
        .setSetNodeOnFirstMessageOnly(true)
        .build();
  }

  /**
   * Reconnects to a restarted sidecar within about a second: Envoy's default back-off (0.5 s doubling up
   * to 30 s, fully jittered) can leave a config change that follows a sidecar restart waiting for many
   * seconds. The sidecar is local, so retrying every 2 s at most costs nothing; Envoy keeps serving its
   * last config meanwhile either way.
   */
  private static RetryPolicy adsRetry() {
    return RetryPolicy.newBuilder()
        .setRetryBackOff(BackoffStrategy.newBuilder()
            .setBaseInterval(Duration.newBuilder().setNanos(ADS_RETRY_BASE_MILLIS * 1_000_000))
            .setMaxInterval(Duration.newBuilder().setSeconds(ADS_RETRY_MAX_SECONDS)))
        .build();
  }

  /**
   * As Istio's bootstrap, Envoy waits for its first listeners and clusters however long the sidecar
   * takes (Envoy's default gives up after 15 s and reports ready with nothing to serve), so the
   * health listener says ready only once there is a configuration.
   */
  private static ConfigSource adsSource() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setInitialFetchTimeout(Duration.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  /** Envoy's admin interface, reached on loopback when it binds a wildcard address. */
  private static Cluster adminCluster(BootstrapOptions options) {
    String host = switch (options.adminHost()) {
      case "0.0.0.0" -> "127.0.0.1";
      case "::" -> "::1";
      default -> options.adminHost();
    };
    return Cluster.newBuilder()
        .setName(ADMIN_CLUSTER)
        .setType(isIpLiteral(host) ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(Duration.newBuilder().setNanos(250_000_000))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder()
            .setClusterName(ADMIN_CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(address(host, options.adminPort()))))))
        .build();
  }

  /**
   * A listener that forwards one path (and nothing else) to Envoy's admin interface, optionally under
   * another path: the admin interface itself, which can change Envoy, stays on loopback.
   */
  private static Listener statusListener(String name, String host, int port, String path, Optional<String> adminPath) {
    RouteAction.Builder route = RouteAction.newBuilder().setCluster(ADMIN_CLUSTER);
    adminPath.ifPresent(route::setPrefixRewrite);
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix(name)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setRouteConfig(RouteConfiguration.newBuilder()
            .setName(name)
            .addVirtualHosts(VirtualHost.newBuilder()
                .setName(name)
                .addDomains("*")
                .addRoutes(Route.newBuilder()
                    .setMatch(RouteMatch.newBuilder().setPath(path))
                    .setRoute(route))))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(address(host, port))
        .addFilterChains(FilterChain.newBuilder()
            .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static Cluster xdsCluster(BootstrapOptions options) {
    HttpProtocolOptions http2 = HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
        .build();
    return Cluster.newBuilder()
        .setName(XDS_CLUSTER)
        // STATIC needs an IP literal; a host name (e.g. in a container network) must be resolved.
        .setType(isIpLiteral(options.xdsHost()) ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(Duration.newBuilder().setSeconds(1))
        // gRPC runs over HTTP/2 only.
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS_KEY, Any.pack(http2))
        // Notice a control plane that vanished without closing the connection (e.g. host suspended).
        .setUpstreamConnectionOptions(UpstreamConnectionOptions.newBuilder()
            .setTcpKeepalive(TcpKeepalive.newBuilder()
                .setKeepaliveProbes(UInt32Value.of(3))
                .setKeepaliveTime(UInt32Value.of(30))
                .setKeepaliveInterval(UInt32Value.of(5))))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder()
            .setClusterName(XDS_CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder()
                        .setAddress(address(options.xdsHost(), options.xdsPort()))))))
        .build();
  }

  /**
   * A static layer with the runtime flags of Istio's gateway bootstrap that change what a client sees
   * (see {@link #RUNTIME_FLAGS}), and an admin layer: without layered_runtime Envoy runs with no admin
   * layer, so {@code /runtime_modify} (handy for tests and field debugging) would be refused. Among the
   * flags, the RE2 program size limit goes from Envoy's 100 to istiod's 32768, so a regex istiod's Envoy
   * accepts (a {@code /a{1000}} is 1005) is accepted here too; the translator refuses regexes whose
   * estimated size is over half of that.
   */
  private static LayeredRuntime layeredRuntime() {
    Struct staticLayer = Struct.newBuilder()
        .putAllFields(RUNTIME_FLAGS)
        .putFields(RE2_MAX_PROGRAM_SIZE_KEY, Value.newBuilder().setNumberValue(RE2_MAX_PROGRAM_SIZE).build())
        .build();
    return LayeredRuntime.newBuilder()
        .addLayers(RuntimeLayer.newBuilder().setName("static").setStaticLayer(staticLayer))
        .addLayers(
            RuntimeLayer.newBuilder()
                .setName("admin")
                .setAdminLayer(RuntimeLayer.AdminLayer.getDefaultInstance()))
        .build();
  }

  private static Address address(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  private static boolean isIpLiteral(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }
}
