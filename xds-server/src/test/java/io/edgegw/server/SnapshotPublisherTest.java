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
  void aSnapshotIsFullyAckedWhenItsUnchangedTypesWereAckedBefore() {
    callbacks.onStreamOpen(1, "");
    publisher.publish(Fixtures.simple("r1", "c1"));
    ackAll(publisher.current().orElseThrow());
    // Only clusters and endpoints change: Envoy is sent, and ACKs, only those two types.
    publisher.publish(Fixtures.simple("r1", "c2"));
    SnapshotPublisher.Published second = publisher.current().orElseThrow();
    respondAndReply(SnapshotVersions.CLUSTERS, second, null);
    respondAndReply(SnapshotVersions.ENDPOINTS, second, null);
    assertTrue(publisher.fullyAcked(second));

    publisher.publish(Fixtures.simple("r1", "c3"));
    respondAndReply(SnapshotVersions.CLUSTERS, publisher.current().orElseThrow(), "bad cluster");
    assertEquals(second.version(), publisher.current().orElseThrow().version(), "rolled back to the newest good one");
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
}
