package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.rpc.Status;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {
  private final SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
  private final List<SnapshotPublisher.Rollback> rollbacks = new ArrayList<>();
  private final XdsCallbacks callbacks = new XdsCallbacks(Runnable::run, publisher, rollbacks::add);
  private int nonce;

  @Test
  void versionsAreDeterministicAndContentBased() {
    SnapshotVersions a = SnapshotVersions.of(Fixtures.simple("r1", "c1"));
    SnapshotVersions same = SnapshotVersions.of(Fixtures.simple("r1", "c1"));
    SnapshotVersions otherCluster = SnapshotVersions.of(Fixtures.simple("r1", "c2"));
    assertEquals(a, same);
    assertEquals(64, a.overall().length());
    assertNotEquals(a.overall(), otherCluster.overall());
    assertNotEquals(a.of(SnapshotVersions.CLUSTERS), otherCluster.of(SnapshotVersions.CLUSTERS));
    assertNotEquals(a.of(SnapshotVersions.ENDPOINTS), otherCluster.of(SnapshotVersions.ENDPOINTS));
    assertEquals(a.of(SnapshotVersions.LISTENERS), otherCluster.of(SnapshotVersions.LISTENERS));
    assertEquals(a.of(SnapshotVersions.ROUTES), otherCluster.of(SnapshotVersions.ROUTES));
  }

  @Test
  void unchangedContentDoesNotBumpTheVersion() {
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, publisher.publish(Fixtures.simple("r1", "c1")));
    Snapshot first = cached();
    assertEquals(SnapshotPublisher.Outcome.UNCHANGED, publisher.publish(Fixtures.simple("r1", "c1")));
    assertTrue(first == cached(), "the cache keeps the very same snapshot");
    assertEquals(publisher.current().orElseThrow().versions().of(SnapshotVersions.CLUSTERS),
        cached().version(io.envoyproxy.controlplane.cache.Resources.ResourceType.CLUSTER));
  }

  @Test
  void inconsistentSnapshotIsNotPublished() {
    EnvoyResources missingRoute = Fixtures.resources(ImmutableList.of(Fixtures.listener("l", "missing")),
        ImmutableList.of(RouteConfiguration.newBuilder().setName("other").build()), ImmutableList.of(), ImmutableList.of());
    assertEquals(SnapshotPublisher.Outcome.INCONSISTENT, publisher.publish(missingRoute));
    EnvoyResources missingAssignment = Fixtures.resources(ImmutableList.of(), ImmutableList.of(),
        ImmutableList.of(Fixtures.edsCluster("c1")), ImmutableList.of());
    assertEquals(SnapshotPublisher.Outcome.INCONSISTENT, publisher.publish(missingAssignment));
    assertEquals(SnapshotPublisher.Outcome.INCONSISTENT, publisher.publish(missingSecret()));
    assertNull(publisher.cache().getSnapshot(SnapshotPublisher.GROUP));
    // Extra, unreferenced route configs and assignments are harmless.
    EnvoyResources extra = Fixtures.resources(ImmutableList.of(), ImmutableList.of(RouteConfiguration.newBuilder().setName("spare").build()),
        ImmutableList.of(), ImmutableList.of(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder().setClusterName("spare").build()));
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, publisher.publish(extra));
  }

  @Test
  void nackPutsTheLastFullyAckedSnapshotBack() {
    callbacks.onStreamOpen(1, "");
    publisher.publish(Fixtures.simple("r1", "c1"));
    SnapshotPublisher.Published good = publisher.current().orElseThrow();
    ackAll(good);
    assertTrue(callbacks.status().ready());
    assertTrue(publisher.fullyAcked(good));

    publisher.publish(Fixtures.simple("r1", "c2")); // Envoy acks clusters but rejects endpoints
    SnapshotPublisher.Published bad = publisher.current().orElseThrow();
    respondAndReply(SnapshotVersions.CLUSTERS, bad, null);
    respondAndReply(SnapshotVersions.ENDPOINTS, bad, "malformed ClusterLoadAssignment");

    assertEquals(good.version(), publisher.current().orElseThrow().version());
    assertEquals(good.versions().of(SnapshotVersions.ENDPOINTS),
        cached().version(io.envoyproxy.controlplane.cache.Resources.ResourceType.ENDPOINT));
    assertEquals(1, rollbacks.size());
    assertEquals(bad.version(), rollbacks.get(0).rejected().version());
    assertEquals("malformed ClusterLoadAssignment", rollbacks.get(0).message());
    XdsStatus.Nack nack = callbacks.status().lastNackByNode().get("envoy-1");
    assertEquals(SnapshotVersions.ENDPOINTS, nack.typeUrl());
    assertEquals(bad.versions().of(SnapshotVersions.ENDPOINTS), nack.version());

    // The same content is not sent again; different content is.
    assertEquals(SnapshotPublisher.Outcome.SKIPPED_REJECTED, publisher.publish(Fixtures.simple("r1", "c2")));
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, publisher.publish(Fixtures.simple("r1", "c3")));
  }

  @Test
  void aTypeThatDidNotChangeKeepsItsAckSoTheNewestGoodSnapshotIsRestored() {
    callbacks.onStreamOpen(1, "");
    publisher.publish(Fixtures.simple("r1", "c1"));
    ackAll(publisher.current().orElseThrow());
    publisher.publish(Fixtures.simple("r1", "c2")); // only clusters and endpoints change, and are ACKed
    SnapshotPublisher.Published newest = publisher.current().orElseThrow();
    respondAndReply(SnapshotVersions.CLUSTERS, newest, null);
    respondAndReply(SnapshotVersions.ENDPOINTS, newest, null);
    assertTrue(publisher.fullyAcked(newest), "listeners and routes were ACKed with the first snapshot");

    publisher.publish(Fixtures.simple("r2", "c2"));
    respondAndReply(SnapshotVersions.ROUTES, publisher.current().orElseThrow(), "bad route");
    assertEquals(newest.version(), publisher.current().orElseThrow().version());
  }

  @Test
  void nackWithNothingBeforeServesAnEmptySnapshot() {
    callbacks.onStreamOpen(1, "");
    publisher.publish(Fixtures.simple("r1", "c1"));
    SnapshotPublisher.Published bad = publisher.current().orElseThrow();
    respondAndReply(SnapshotVersions.LISTENERS, bad, "invalid listener");
    assertEquals(SnapshotVersions.of(EnvoyResources.EMPTY).overall(), publisher.current().orElseThrow().version());
    assertTrue(cached().listeners().resources().isEmpty());
  }

  @Test
  void staleNackDoesNotRollBack() {
    callbacks.onStreamOpen(1, "");
    publisher.publish(Fixtures.simple("r1", "c1"));
    SnapshotPublisher.Published old = publisher.current().orElseThrow();
    String oldNonce = respond(SnapshotVersions.CLUSTERS, old);
    publisher.publish(Fixtures.simple("r1", "c2"));
    String current = publisher.current().orElseThrow().version();
    reply(SnapshotVersions.CLUSTERS, "", oldNonce, "late complaint");
    assertEquals(current, publisher.current().orElseThrow().version());
    assertTrue(rollbacks.isEmpty());
  }

  @Test
  void scopesAreAckedLikeTheOtherTypesAndTheirAbsenceNeedsNoAck() {
    callbacks.onStreamOpen(1, "");
    publisher.publish(Fixtures.scoped(java.util.Map.of("http.80", List.of("a.example.com"))));
    SnapshotPublisher.Published scoped = publisher.current().orElseThrow();
    ackAll(scoped);
    assertTrue(publisher.fullyAcked(scoped));
    assertTrue(publisher.subscribedTypes().contains(SnapshotVersions.SCOPES));

    publisher.publish(Fixtures.simple("r1", "c1")); // no port uses scopes any more
    SnapshotPublisher.Published plain = publisher.current().orElseThrow();
    ackAll(plain);
    assertTrue(publisher.fullyAcked(plain), "no scopes: nothing of that type to acknowledge");
  }

  private void ackAll(SnapshotPublisher.Published published) {
    for (String type : published.versions().byTypeUrl().keySet()) {
      respondAndReply(type, published, null);
    }
  }

  private void respondAndReply(String typeUrl, SnapshotPublisher.Published published, String error) {
    String n = respond(typeUrl, published);
    reply(typeUrl, error == null ? published.versions().of(typeUrl) : "", n, error);
  }

  private String respond(String typeUrl, SnapshotPublisher.Published published) {
    String n = Integer.toString(nonce++);
    DiscoveryRequest request = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl)
        .setNode(Node.newBuilder().setId("envoy-1")).build();
    callbacks.onV3StreamRequest(1, request);
    callbacks.onV3StreamResponse(1, request, DiscoveryResponse.newBuilder().setTypeUrl(typeUrl)
        .setVersionInfo(published.versions().of(typeUrl)).setNonce(n).build());
    return n;
  }

  private void reply(String typeUrl, String versionInfo, String n, String error) {
    DiscoveryRequest.Builder reply = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl)
        .setVersionInfo(versionInfo).setResponseNonce(n);
    if (error != null) {
      reply.setErrorDetail(Status.newBuilder().setCode(3).setMessage(error));
    }
    callbacks.onV3StreamRequest(1, reply.build());
  }

  private Snapshot cached() {
    return publisher.cache().getSnapshot(SnapshotPublisher.GROUP);
  }

  /** A listener whose TLS certificate comes by SDS under a name the snapshot does not hold. */
  private static EnvoyResources missingSecret() {
    var tls = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.newBuilder()
        .setCommonTlsContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig.newBuilder()
                .setName("kubernetes://missing").setSdsConfig(Fixtures.ADS)))
        .build();
    var listener = io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder().setName("tls")
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder()
            .setTransportSocket(io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls").setTypedConfig(com.google.protobuf.Any.pack(tls))))
        .build();
    return Fixtures.resources(ImmutableList.of(listener), ImmutableList.of(), ImmutableList.of(), ImmutableList.of());
  }
}
