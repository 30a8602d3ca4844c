package io.edgegw.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.it.harness.HttpProbe.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness itself, against the real processes it drives. */
class HarnessTest {

  @Test
  void mosquittoAcceptsMqttAndRestartsOnItsPort() throws IOException {
    int port;
    try (Mosquitto broker = Mosquitto.start()) {
      port = broker.port();
      assertEquals("tcp://127.0.0.1:" + port, broker.url());
      assertTrue(broker.isAlive());
      assertMqttConnackFrom(port, broker);
      broker.stop();
      assertFalse(broker.isAlive());
      assertFalse(Poll.accepts(port), "stopped broker still listens");
      broker.stop();
    }
    try (Mosquitto again = Mosquitto.start(port)) {
      assertMqttConnackFrom(port, again);
    }
  }

  @Test
  void envoyRoutesByHostToTheBackend() {
    try (HttpBackend productpage = HttpBackend.start("productpage-v1");
        HttpBackend reviewsV1 = HttpBackend.start("reviews-v1");
        HttpBackend reviewsV2 = HttpBackend.start("reviews-v2")) {
      List<Integer> ports = FreePorts.next(2);
      int adminPort = ports.get(0);
      int listenerPort = ports.get(1);
      try (EnvoyProcess envoy = EnvoyProcess.start(
          staticBootstrap(adminPort, listenerPort, productpage.port(), reviewsV1.port(), reviewsV2.port()), adminPort)) {
        envoy.awaitListener(listenerPort);

        Response response = HttpProbe.get(listenerPort, "bookinfo.example.com", "/productpage?u=normal",
            Map.of("x-request-id", "harness-1"));
        assertEquals(200, response.status(), () -> envoy.logTail(100));
        assertEquals("productpage-v1", response.backend());
        assertTrue(response.body().contains("\"host\":\"bookinfo.example.com\""), response.body());
        assertEquals(1, productpage.requestCount());
        HttpBackend.RecordedRequest seen = productpage.requests().get(0);
        assertEquals("GET", seen.method());
        assertEquals("/productpage?u=normal", seen.path());
        assertEquals("bookinfo.example.com", seen.host());
        assertEquals("harness-1", seen.header("X-Request-Id"));

        Response unknown = HttpProbe.get(listenerPort, "nobody.example.com", "/");
        assertEquals(404, unknown.status());
        assertNull(unknown.backend());
        assertEquals("envoy", unknown.header("server"));

        Map<String, Integer> split = HttpProbe.distribution(listenerPort, "reviews.example.com", "/reviews/1", 40);
        assertEquals(40, split.values().stream().mapToInt(Integer::intValue).sum(), split::toString);
        assertTrue(split.getOrDefault("reviews-v1", 0) > 0 && split.getOrDefault("reviews-v2", 0) > 0, split::toString);
        assertEquals(Map.of("404", 2), HttpProbe.distribution(listenerPort, "nobody.example.com", "/", 2));

        assertEquals(44, envoy.stat("http.ingress.downstream_rq_completed"));
        assertEquals(3, envoy.stat("http.ingress.downstream_rq_4xx"));
        assertEquals(0, envoy.stat("no.such.stat"));
        assertEquals(0, envoy.nacks());
        assertTrue(envoy.admin("/clusters").contains("productpage::127.0.0.1:" + productpage.port()));

        envoy.close();
        assertFalse(envoy.isAlive());
        assertFalse(Poll.accepts(listenerPort));
        assertTrue(envoy.log().contains("caught ENVOY_SIGTERM"), () -> envoy.logTail(100));
      }
    }
  }

  @Test
  void generatedBootstrapsRunSideBySide() {
    BootstrapGenerator generator = new BootstrapGenerator();
    List<Integer> ports = FreePorts.next(2);
    int xdsPort = FreePorts.unanswered(); // nobody serves ADS here: Envoy keeps retrying
    int firstAdmin = ports.get(0);
    int secondAdmin = ports.get(1);
    try (EnvoyProcess first = EnvoyProcess.start(generator.yaml(
            BootstrapOptions.defaults().withStatusListeners("127.0.0.1", 0, 0).withXds("127.0.0.1", xdsPort)
                .withAdmin("127.0.0.1", firstAdmin)), firstAdmin);
        EnvoyProcess second = EnvoyProcess.start(generator.yaml(
            BootstrapOptions.defaults().withStatusListeners("127.0.0.1", 0, 0).withXds("127.0.0.1", xdsPort)
                .withAdmin("127.0.0.1", secondAdmin).withDeltaXds(true)), secondAdmin)) {
      assertTrue(first.isAlive() && second.isAlive());
      assertTrue(first.pid() != second.pid());
      for (EnvoyProcess envoy : new EnvoyProcess[] {first, second}) {
        assertEquals(0, envoy.stat("control_plane.connected_state"), () -> envoy.logTail(100));
        assertTrue(envoy.stats("^control_plane\\.").containsKey("control_plane.connected_state"));
        assertTrue(envoy.stats("update_rejected$").containsKey("cluster_manager.cds.update_rejected"));
        assertEquals(0, envoy.nacks());
        assertTrue(envoy.admin("/config_dump").contains("\"xds_cluster\""));
      }
      assertThrows(IllegalStateException.class, () -> first.awaitXdsConnected(Duration.ofMillis(300)));
    }
  }

  @Test
  void brokenBootstrapFailsWithEnvoysReason() {
    int adminPort = FreePorts.next();
    IllegalStateException failure = assertThrows(IllegalStateException.class,
        () -> EnvoyProcess.start("static_resources: {clusters: [{name: x, type: NO_SUCH_TYPE}]}\n", adminPort));
    assertTrue(failure.getMessage().contains("exited with"), failure.getMessage());
    assertTrue(failure.getMessage().contains("NO_SUCH_TYPE"), failure.getMessage());
    assertFalse(Poll.accepts(adminPort));
  }

  @Test
  void backendBehaviourCanBeProgrammed() {
    try (HttpBackend backend = HttpBackend.start("ratings-v1")) {
      int port = backend.port();
      assertEquals(200, HttpProbe.get(port, "ratings", "/").status());

      backend.failNext(2, 503);
      assertEquals(503, HttpProbe.get(port, "ratings", "/").status());
      Response second = HttpProbe.get(port, "ratings", "/");
      assertEquals(503, second.status());
      assertEquals("ratings-v1", second.backend(), "failures still name the backend");
      assertEquals(200, HttpProbe.get(port, "ratings", "/").status());

      backend.respondWith(500);
      assertEquals(500, HttpProbe.get(port, "ratings", "/").status());
      backend.failNext(1, 429);
      assertEquals(429, HttpProbe.get(port, "ratings", "/").status());
      assertEquals(500, HttpProbe.get(port, "ratings", "/").status());

      backend.reset().delay(Duration.ofMillis(400));
      long start = System.nanoTime();
      Response slow = HttpProbe.request(port, "POST", "ratings:9080", "/ratings/7", Map.of("X-Trace", "a\"b"), "{}");
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(200, slow.status());
      assertTrue(tookMs >= 400, "answered after " + tookMs + " ms");
      assertTrue(slow.body().contains("\"x-trace\":\"a\\\"b\""), slow.body());

      assertEquals(1, backend.requestCount());
      HttpBackend.RecordedRequest recorded = backend.requests().get(0);
      assertEquals(new HttpBackend.RecordedRequest("POST", "/ratings/7", "ratings:9080", recorded.headers()), recorded);
      assertEquals("a\"b", recorded.header("x-trace"));
      assertThrows(UnsupportedOperationException.class, () -> backend.requests().clear());
    }
  }

  @Test
  void probeFailsClearlyWhenNothingListens() {
    int port = FreePorts.next();
    UncheckedIOException failure = assertThrows(UncheckedIOException.class,
        () -> HttpProbe.get(port, "example.com", "/"));
    assertTrue(failure.getMessage().contains("127.0.0.1:" + port), failure.getMessage());
  }

  /** An MQTT 3.1.1 CONNECT answered by CONNACK "accepted": a broker, not just an open port. */
  private static void assertMqttConnackFrom(int port, Mosquitto broker) throws IOException {
    byte[] connect = {
        0x10, 13, // CONNECT, remaining length
        0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, // protocol, level 4, clean session, keep-alive 60 s
        0, 1, 'h' // client id
    };
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(connect);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] connack = in.readNBytes(4);
      assertEquals("20020000", hex(connack), broker::log);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (byte b : bytes) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }

  private static String staticBootstrap(int adminPort, int listenerPort, int productpage, int reviewsV1, int reviewsV2) {
    return """
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        static_resources:
          listeners:
          - name: ingress
            address: {socket_address: {address: 127.0.0.1, port_value: %d}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress
                  route_config:
                    name: ingress
                    virtual_hosts:
                    - name: bookinfo
                      domains: ["bookinfo.example.com", "bookinfo.example.com:*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: productpage}
                    - name: reviews
                      domains: ["reviews.example.com"]
                      routes:
                      - match: {prefix: "/"}
                        route:
                          weighted_clusters:
                            clusters:
                            - {name: reviews-v1, weight: 50}
                            - {name: reviews-v2, weight: 50}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          %s
          %s
          %s
        """.formatted(adminPort, listenerPort,
        cluster("productpage", productpage), cluster("reviews-v1", reviewsV1), cluster("reviews-v2", reviewsV2));
  }

  private static String cluster(String name, int port) {
    return "- {name: %s, type: STATIC, connect_timeout: 1s, load_assignment: {cluster_name: %s, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]}}"
        .formatted(name, name, port);
  }
}
