package io.edgegw.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole sidecar with a scripted ADS client in place of Envoy. */
class SidecarTest {
  @TempDir Path state;
  @TempDir Path configDir;
  private final HttpClient http = HttpClient.newHttpClient();

  private SidecarConfig config(Optional<Path> dir) {
    return SidecarConfig.builder(state)
        .mqttUrl(Optional.empty())
        .configDir(dir)
        .xdsAddress(new HostPort("127.0.0.1", 0))
        .adminAddress(new HostPort("127.0.0.1", 0))
        .debounce(Duration.ofMillis(10))
        .build();
  }

  @Test
  @Timeout(120) // a restart that did not find the saved snapshot would wait for the held translator forever
  void servesAcksRollsBackOnNackAndSurvivesARestart() throws Exception {
    Files.writeString(configDir.resolve("vs.yaml"), FileSourceTest.vs("a"));
    String good;
    int xdsPort;
    try (Sidecar sidecar = Sidecar.start(config(Optional.of(configDir)), Fixtures.components())) {
      await().until(() -> sidecar.publisher().current().map(p -> p.resources().clusters().size() == 1).orElse(false));
      good = sidecar.publisher().current().orElseThrow().version();
      xdsPort = sidecar.xdsPort();
      assertEquals(503, get(sidecar, "/healthz/ready").statusCode());

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", xdsPort).usePlaintext().build();
      LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
      StreamObserver<DiscoveryRequest> requests = adsStream(channel, responses);
      try {
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.CLUSTERS)
            .setNode(Node.newBuilder().setId("envoy-test")).build());
        DiscoveryResponse first = responses.poll(10, TimeUnit.SECONDS);
        assertEquals(sidecar.publisher().current().orElseThrow().versions().of(SnapshotVersions.CLUSTERS),
            first.getVersionInfo());
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.CLUSTERS)
            .setVersionInfo(first.getVersionInfo()).setResponseNonce(first.getNonce()).build());
        await().until(() -> get(sidecar, "/healthz/ready").statusCode() == 200);

        JsonNode resources = json(get(sidecar, "/resources").body());
        assertEquals("applied", resources.path("resources").path(0).path("status").asText());
        JsonNode dump = json(get(sidecar, "/config_dump").body());
        assertEquals(good, dump.path("version").asText());
        assertEquals("outbound|80||a.example.com", dump.path("resources").path("clusters").path(0).path("name").asText());

        // A snapshot Envoy refuses: the sidecar puts the good one back.
        assertEquals(SnapshotPublisher.Outcome.PUBLISHED, sidecar.publishRaw(Fixtures.simple("r9", "c9")));
        DiscoveryResponse bad = responses.poll(10, TimeUnit.SECONDS);
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.CLUSTERS)
            .setVersionInfo(first.getVersionInfo()).setResponseNonce(bad.getNonce())
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster c9: invalid")).build());
        await().until(() -> sidecar.publisher().current().orElseThrow().version().equals(good));
        JsonNode nacks = json(get(sidecar, "/config_dump").body()).path("envoy").path("nacks");
        assertEquals("cluster c9: invalid", nacks.path(0).path("message").asText());
      } finally {
        requests.onCompleted();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    try (ServerSocket reuse = new ServerSocket()) {
      reuse.bind(new InetSocketAddress("127.0.0.1", xdsPort)); // close() released the port
    }
    // The restarted sidecar serves what Envoy acknowledged before it has translated anything: its
    // translator is held until an ADS client got the clusters.
    CountDownLatch translating = new CountDownLatch(1);
    Components held = new Components(Fixtures::validate, (inputs, identity) -> {
      try {
        translating.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Fixtures.translate(inputs, identity);
    });
    try (Sidecar restarted = Sidecar.start(config(Optional.empty()), held)) {
      assertEquals(good, restarted.publisher().current().orElseThrow().version());
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", restarted.xdsPort()).usePlaintext().build();
      LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
      StreamObserver<DiscoveryRequest> requests = adsStream(channel, responses);
      try {
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.CLUSTERS)
            .setNode(Node.newBuilder().setId("envoy-test")).build());
        DiscoveryResponse clusters = responses.poll(10, TimeUnit.SECONDS);
        assertEquals(1, clusters.getResourcesCount());
        assertEquals(restarted.publisher().current().orElseThrow().versions().of(SnapshotVersions.CLUSTERS),
            clusters.getVersionInfo());
      } finally {
        requests.onCompleted();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      translating.countDown();
      // No source at all: the first translation of the persisted inputs finds the same content version.
      await().until(() -> restarted.statuses().resources().size() == 1);
      assertEquals(good, restarted.publisher().current().orElseThrow().version());
      assertTrue(restarted.statuses().resources().values().stream().allMatch(s -> s.origin().equals("state")));
    } finally {
      translating.countDown();
    }
  }

  @Test
  @Timeout(60)
  void servesRouteScopesOnTheXdsPortAndTakesTheirAcks() throws Exception {
    try (Sidecar sidecar = Sidecar.start(config(Optional.empty()), Fixtures.components())) {
      io.edgegw.translator.EnvoyResources scoped = Fixtures.scoped(
          java.util.Map.of("http.80", java.util.List.of("a.example.com"), "http.81", java.util.List.of("b.example.com")));
      assertEquals(SnapshotPublisher.Outcome.PUBLISHED, sidecar.publishRaw(scoped));
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.xdsPort()).usePlaintext().build();
      io.grpc.Metadata headers = new io.grpc.Metadata();
      headers.put(io.grpc.Metadata.Key.of(ScopedRoutesServer.HEADER, io.grpc.Metadata.ASCII_STRING_MARSHALLER),
          "http.80");
      LinkedBlockingQueue<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse> responses =
          new LinkedBlockingQueue<>();
      StreamObserver<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest> requests =
          io.envoyproxy.envoy.service.route.v3.ScopedRoutesDiscoveryServiceGrpc.newStub(channel)
              .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
              .deltaScopedRoutes(new StreamObserver<>() {
                @Override
                public void onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse value) {
                  responses.add(value);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              });
      try {
        requests.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(SnapshotVersions.SCOPES).setNode(Node.newBuilder().setId("envoy-test")).build());
        var first = responses.poll(10, TimeUnit.SECONDS);
        assertEquals(java.util.List.of("http.80/a.example.com"),
            first.getResourcesList().stream().map(r -> r.getName()).toList());
        requests.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(SnapshotVersions.SCOPES).setResponseNonce(first.getNonce()).build());
        await().until(() -> first.getSystemVersionInfo().equals(
            json(get(sidecar, "/config_dump").body()).path("envoy").path("acked").path("scopes").asText()));
        JsonNode client = json(get(sidecar, "/clients").body()).path("clients").path(0);
        assertEquals("envoy-test", client.path("node").asText());
        assertTrue(client.path("streams").path(0).asLong() < 0, client.toString());
        assertEquals(first.getSystemVersionInfo(),
            client.path("types").path("scopes").path("acked").path("version").asText());

        // edgegw status counts them.
        java.io.StringWriter out = new java.io.StringWriter();
        io.edgegw.server.cli.Main.commandLine().setOut(new java.io.PrintWriter(out, true))
            .execute("status", "--admin-address", "127.0.0.1:" + sidecar.adminPort());
        assertTrue(out.toString().contains("2 listeners, 2 routes, 0 clusters, 0 endpoints, 0 secrets, 2 scopes)"),
            out.toString());
      } finally {
        requests.onCompleted();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** An ADS stream whose responses land in {@code responses}. */
  private static StreamObserver<DiscoveryRequest> adsStream(ManagedChannel channel, LinkedBlockingQueue<DiscoveryResponse> responses) {
    return AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse value) {
        responses.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
  }

  private HttpResponse<String> get(Sidecar sidecar, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String body) throws Exception {
    return new ObjectMapper().readTree(body);
  }
}
