package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Status;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.envoyproxy.envoy.service.route.v3.ScopedRoutesDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scoped-routes delta stream, driven as Envoy drives it through a real in-process gRPC channel and
 * the generated stub; the publisher and {@link XdsCallbacks} run on a loop thread of their own, as in
 * the sidecar.
 */
class ScopedRoutesServerTest {
  private static final String R = "http.80";
  private static final String OTHER = "http.81";
  private static final String A = R + "/a.example.com";
  private static final String B = R + "/b.example.com";
  private static final String C = R + "/c.example.com";
  private static final String D = R + "/d.example.com";
  private static final long QUIET_MS = 300;

  private final ExecutorService loop = Executors.newSingleThreadExecutor();
  private final SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
  private final List<SnapshotPublisher.Rollback> rollbacks = new ArrayList<>();
  private final XdsCallbacks callbacks = new XdsCallbacks(loop, publisher, rollbacks::add);
  private final XdsTraffic traffic = new XdsTraffic();
  private final ScopedRoutesServer scopes =
      new ScopedRoutesServer(publisher::current, new ResourceEncoder(), List.of(callbacks, traffic));
  private final List<Envoy> envoys = new ArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    publisher.addServeListener(scopes::served);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(scopes.service()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    loop.shutdownNow();
  }

  @Test
  void theFirstRequestGetsEveryScopeOfItsSetAndNoneOfAnother() throws Exception {
    publish(Map.of(R, List.of("a.example.com", "b.example.com"), OTHER, List.of("c.example.com")));
    Envoy envoy = open(R);
    envoy.send(first(Map.of()));
    DeltaDiscoveryResponse response = envoy.take();

    SnapshotPublisher.Published served = onLoop(() -> publisher.current().orElseThrow());
    assertEquals(SnapshotVersions.SCOPES, response.getTypeUrl());
    assertEquals(served.versions().of(SnapshotVersions.SCOPES), response.getSystemVersionInfo());
    assertFalse(response.getNonce().isEmpty());
    assertEquals(List.of(A, B), names(response));
    assertEquals(List.of(), response.getRemovedResourcesList());
    for (Resource r : response.getResourcesList()) {
      assertEquals(served.versions().ofResources(SnapshotVersions.SCOPES).get(r.getName()), r.getVersion());
      ScopedRouteConfiguration scope = r.getResource().unpack(ScopedRouteConfiguration.class);
      assertEquals(served.resources().scopes().stream().filter(s -> s.getName().equals(r.getName())).findFirst()
          .orElseThrow(), scope);
    }
    // A set without scopes is still answered, empty: Envoy's listener waits for that to warm.
    Envoy unused = open("http.99");
    unused.send(first(Map.of()));
    DeltaDiscoveryResponse empty = unused.take();
    assertEquals(0, empty.getResourcesCount());
    assertEquals(0, empty.getRemovedResourcesCount());

    // XdsCallbacks sees these streams under ids of their own (java-control-plane's count up from 0).
    XdsStatus status = onLoop(callbacks::status);
    assertEquals(2, status.openStreams());
    assertTrue(status.clients().get(0).streamIds().stream().allMatch(id -> id < 0), status.toString());
    assertEquals(2, traffic.totals().deltaResponses());
  }

  @Test
  void afterAnAckANewSnapshotSendsExactlyWhatChangedAndOneResponseAtATime() throws Exception {
    publish(Map.of(R, List.of("a.example.com", "b.example.com"), OTHER, List.of("x.example.com")));
    Envoy envoy = open(R);
    envoy.send(first(Map.of()));
    envoy.ack(envoy.take());

    publish(Map.of(R, List.of("a.example.com", "c.example.com"), OTHER, List.of("x.example.com")));
    DeltaDiscoveryResponse diff = envoy.take();
    assertEquals(List.of(C), names(diff));
    assertEquals(List.of(B), diff.getRemovedResourcesList());

    // Not answered yet: the next snapshot waits for Envoy's answer.
    publish(Map.of(R, List.of("a.example.com", "c.example.com", "d.example.com"), OTHER, List.of("x.example.com")));
    envoy.assertQuiet();
    envoy.ack(diff);
    DeltaDiscoveryResponse next = envoy.take();
    assertEquals(List.of(D), names(next));
    assertEquals(List.of(), next.getRemovedResourcesList());
    envoy.ack(next);

    // Only the other set changes: an empty response, for the ACK of the new type version.
    publish(Map.of(R, List.of("a.example.com", "c.example.com", "d.example.com"), OTHER, List.of("y.example.com")));
    DeltaDiscoveryResponse otherSet = envoy.take();
    assertEquals(0, otherSet.getResourcesCount());
    assertEquals(0, otherSet.getRemovedResourcesCount());
    assertEquals(onLoop(() -> publisher.current().orElseThrow().versions().of(SnapshotVersions.SCOPES)),
        otherSet.getSystemVersionInfo());
    envoy.ack(otherSet);

    // No scope changes (a route configuration does): nothing at all.
    EnvoyResources same = Fixtures.scoped(
        Map.of(R, List.of("a.example.com", "c.example.com", "d.example.com"), OTHER, List.of("y.example.com")));
    EnvoyResources otherRoutes = new EnvoyResources(same.listeners(), com.google.common.collect.ImmutableList.of(
        same.routes().get(0).toBuilder().setValidateClusters(com.google.protobuf.BoolValue.of(true)).build(),
        same.routes().get(1), same.routes().get(2), same.routes().get(3)), same.clusters(), same.endpoints(),
        same.secrets(), same.scopes());
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, onLoop(() -> publisher.publish(otherRoutes)));
    envoy.assertQuiet();

    // The ACKs reached the publisher: the current snapshot is fully acknowledged for scopes.
    await(() -> onLoop(() -> publisher.fullyAcked(publisher.current().orElseThrow())) ? true : null);
    assertEquals(otherSet.getSystemVersionInfo(),
        onLoop(() -> callbacks.status().ackedVersionByType().get(SnapshotVersions.SCOPES)));
  }

  @Test
  void aSetWhosePortLeftScopesKeepsItsScopesInEnvoyUntilItComesBack() throws Exception {
    publish(Map.of(R, List.of("a.example.com", "b.example.com"), OTHER, List.of("x.example.com")));
    Envoy envoy = open(R);
    envoy.send(first(Map.of()));
    envoy.ack(envoy.take());

    // R's port went to one route configuration (its listener was replaced): nothing of R is removed, since
    // the replaced listener routes by these scopes until the new one is warm, and drains with them.
    publish(Map.of(OTHER, List.of("x.example.com")));
    DeltaDiscoveryResponse gone = envoy.take();
    assertEquals(List.of(), gone.getRemovedResourcesList());
    assertEquals(0, gone.getResourcesCount());
    envoy.ack(gone);

    // Back to scopes, with b gone and c new: the diff against what Envoy kept.
    publish(Map.of(R, List.of("a.example.com", "c.example.com"), OTHER, List.of("x.example.com")));
    DeltaDiscoveryResponse back = envoy.take();
    assertEquals(List.of(C), names(back));
    assertEquals(List.of(B), back.getRemovedResourcesList());
  }

  @Test
  void aNackRollsThePublisherBackAndTheRejectedScopesAreNotResent() throws Exception {
    publish(Map.of(R, List.of("a.example.com", "b.example.com")));
    SnapshotPublisher.Published good = onLoop(() -> publisher.current().orElseThrow());
    Envoy envoy = open(R);
    envoy.send(first(Map.of()));
    envoy.ack(envoy.take());
    await(() -> onLoop(() -> publisher.fullyAcked(good)) ? true : null);

    EnvoyResources badResources = Fixtures.scoped(Map.of(R, List.of("a.example.com", "b.example.com", "c.example.com")));
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, onLoop(() -> publisher.publish(badResources)));
    DeltaDiscoveryResponse bad = envoy.take();
    assertEquals(List.of(C), names(bad));
    envoy.nack(bad, "scope key conflicts");

    SnapshotPublisher.Rollback rollback = await(() -> onLoop(() -> rollbacks.isEmpty() ? null : rollbacks.get(0)));
    assertEquals(SnapshotVersions.SCOPES, rollback.typeUrl());
    assertEquals("scope key conflicts", rollback.message());
    assertEquals(good.version(), onLoop(() -> publisher.current().orElseThrow().version()));
    XdsStatus.Nack nack = onLoop(() -> callbacks.status().lastNackByNode().get("envoy-1"));
    assertEquals(SnapshotVersions.SCOPES, nack.typeUrl());
    assertEquals(bad.getSystemVersionInfo(), nack.version());
    // Envoy kept what it held, which is what the rollback serves: nothing to send, the NACKed content neither.
    envoy.assertQuiet();
    assertEquals(SnapshotPublisher.Outcome.SKIPPED_REJECTED, onLoop(() -> publisher.publish(badResources)));

    // New content goes out again, as a diff against what Envoy holds.
    publish(Map.of(R, List.of("a.example.com", "d.example.com")));
    DeltaDiscoveryResponse after = envoy.take();
    assertEquals(List.of(D), names(after));
    assertEquals(List.of(B), after.getRemovedResourcesList());
  }

  @Test
  void aReconnectRemovesWhatIsGoneAndResendsOnlyWhatChanged() throws Exception {
    publish(Map.of(R, List.of("a.example.com", "b.example.com", "c.example.com")));
    SnapshotPublisher.Published served = onLoop(() -> publisher.current().orElseThrow());
    Map<String, String> versions = served.versions().ofResources(SnapshotVersions.SCOPES);
    Envoy envoy = open(R);
    // What an Envoy held from a sidecar before the restart: a unchanged, b at another version, and a
    // scope deleted while the sidecar was down.
    envoy.send(first(Map.of(A, versions.get(A), B, "an-old-version", R + "/gone.example.com", "x")));
    DeltaDiscoveryResponse response = envoy.take();
    assertEquals(List.of(B, C), names(response));
    assertEquals(List.of(R + "/gone.example.com"), response.getRemovedResourcesList());

    // Reconnecting to find exactly what it holds: answered (empty), nothing resent.
    envoy.ack(response);
    Envoy again = open(R);
    again.send(first(versions));
    DeltaDiscoveryResponse same = again.take();
    assertEquals(0, same.getResourcesCount());
    assertEquals(0, same.getRemovedResourcesCount());
  }

  @Test
  void aStreamWithoutItsHeaderIsRefusedNamingTheHeader() throws Exception {
    publish(Map.of(R, List.of("a.example.com")));
    Envoy envoy = new Envoy(ScopedRoutesDiscoveryServiceGrpc.newStub(channel));
    envoy.send(first(Map.of()));
    StatusRuntimeException error = envoy.error();
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertTrue(error.getStatus().getDescription().contains(ScopedRoutesServer.HEADER), error.toString());
    assertEquals(0, scopes.openStreams());
  }

  @Test
  void stateOfTheWorldIsRefusedAsUnimplemented() throws Exception {
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    StreamObserver<DiscoveryRequest> requests =
        ScopedRoutesDiscoveryServiceGrpc.newStub(channel).streamScopedRoutes(new StreamObserver<>() {
          @Override
          public void onNext(DiscoveryResponse value) {}

          @Override
          public void onError(Throwable t) {
            failed.complete(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.SCOPES).build());
    Throwable t = failed.get(5, TimeUnit.SECONDS);
    assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, io.grpc.Status.fromThrowable(t).getCode());
    assertTrue(t.getMessage().contains("DELTA_GRPC"), t.getMessage());
  }

  @Test
  void aClosedStreamIsForgottenByTheServerAndTheCallbacks() throws Exception {
    publish(Map.of(R, List.of("a.example.com")));
    Envoy envoy = open(R);
    envoy.send(first(Map.of()));
    envoy.take();
    envoy.requests.onCompleted();
    await(() -> scopes.openStreams() == 0 ? true : null);
    await(() -> onLoop(() -> callbacks.status().openStreams()) == 0 ? true : null);
    // A snapshot served afterwards is no trouble.
    publish(Map.of(R, List.of("b.example.com")));
  }

  private void publish(Map<String, List<String>> domainsByRoute) throws Exception {
    EnvoyResources resources = Fixtures.scoped(domainsByRoute);
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, onLoop(() -> publisher.publish(resources)));
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  /** Polls until {@code value} is not null. */
  private static <T> T await(Callable<T> value) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      T v = value.call();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(10);
    }
  }

  private Envoy open(String scopeSet) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of(ScopedRoutesServer.HEADER, Metadata.ASCII_STRING_MARSHALLER), scopeSet);
    return new Envoy(ScopedRoutesDiscoveryServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)));
  }

  private static DeltaDiscoveryRequest first(Map<String, String> initialVersions) {
    return DeltaDiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId("envoy-1"))
        .setTypeUrl(SnapshotVersions.SCOPES)
        .putAllInitialResourceVersions(initialVersions)
        .build();
  }

  private static List<String> names(DeltaDiscoveryResponse response) {
    return response.getResourcesList().stream().map(Resource::getName).sorted().toList();
  }

  /** One Envoy stream: what it sends, and what it is sent. */
  private final class Envoy {
    final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    final StreamObserver<DeltaDiscoveryRequest> requests;

    Envoy(ScopedRoutesDiscoveryServiceGrpc.ScopedRoutesDiscoveryServiceStub stub) {
      requests = stub.deltaScopedRoutes(new StreamObserver<>() {
        @Override
        public void onNext(DeltaDiscoveryResponse value) {
          responses.add(value);
        }

        @Override
        public void onError(Throwable t) {
          closed.complete(t);
        }

        @Override
        public void onCompleted() {
          closed.complete(null);
        }
      });
      envoys.add(this);
    }

    void send(DeltaDiscoveryRequest request) {
      requests.onNext(request);
    }

    DeltaDiscoveryResponse take() throws InterruptedException {
      DeltaDiscoveryResponse r = responses.poll(5, TimeUnit.SECONDS);
      assertNotNull(r, "no response");
      return r;
    }

    void assertQuiet() throws InterruptedException {
      assertNull(responses.poll(QUIET_MS, TimeUnit.MILLISECONDS), "an unexpected response");
    }

    void ack(DeltaDiscoveryResponse response) {
      send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.SCOPES)
          .setResponseNonce(response.getNonce()).build());
    }

    void nack(DeltaDiscoveryResponse response, String message) {
      send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(SnapshotVersions.SCOPES)
          .setResponseNonce(response.getNonce())
          .setErrorDetail(Status.newBuilder().setCode(3).setMessage(message)).build());
    }

    StatusRuntimeException error() throws Exception {
      Throwable t = closed.get(5, TimeUnit.SECONDS);
      assertNotNull(t, "closed without an error");
      return (StatusRuntimeException) t;
    }
  }
}
