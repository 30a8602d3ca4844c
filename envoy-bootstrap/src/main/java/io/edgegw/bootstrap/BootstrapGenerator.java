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
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the bootstrap an unmodified Envoy starts from: everything except the xDS cluster itself comes
 * over one ADS stream from the sidecar.
 */
public final class BootstrapGenerator {

  /** Name of the static cluster that points at the sidecar's ADS server. */
  public static final String XDS_CLUSTER = "xds_cluster";

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
      .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(HttpProtocolOptions.getDescriptor()).build())
      .preservingProtoFieldNames();
  private static final ObjectMapper JSON_READER = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build());

  public Bootstrap bootstrap(BootstrapOptions options) {
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId(options.nodeId()).setCluster(options.nodeCluster()))
        .setDynamicResources(Bootstrap.DynamicResources.newBuilder()
            .setAdsConfig(adsConfig(options.deltaXds()))
            .setCdsConfig(adsSource())
            .setLdsConfig(adsSource()))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xdsCluster(options)))
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

  private static ConfigSource adsSource() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
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
   * layer, so {@code /runtime_modify} (handy for tests and field debugging) would be refused.
   */
  private static LayeredRuntime layeredRuntime() {
    return LayeredRuntime.newBuilder()
        .addLayers(RuntimeLayer.newBuilder().setName("static").setStaticLayer(Struct.newBuilder().putAllFields(RUNTIME_FLAGS)))
        .addLayers(RuntimeLayer.newBuilder().setName("admin").setAdminLayer(RuntimeLayer.AdminLayer.getDefaultInstance()))
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
