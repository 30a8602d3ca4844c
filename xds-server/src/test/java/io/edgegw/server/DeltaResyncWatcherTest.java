package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Delta xDS against the real java-control-plane cache, as the gRPC stream observer drives it. */
class DeltaResyncWatcherTest {
  private final SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
  private final DeltaResyncWatcher watcher = new DeltaResyncWatcher(publisher.cache());
  private final List<DeltaResponse> responses = new ArrayList<>();

  @Test
  void aReconnectingEnvoyLosesWhatWeNoLongerHaveAndGetsTheRest() {
    publisher.publish(twoClusters("c1", "c2"));
    // Envoy held c1 and "gone" before the sidecar restarted; "gone" was deleted meanwhile.
    DeltaXdsRequest reconnect = request(Map.of("c1", "v-old", "gone", "v-old"));
    watcher.createDeltaWatch(reconnect, "", Map.of(), Set.of(), true, responses::add, false);

    assertEquals(1, responses.size());
    assertEquals(List.of("gone"), responses.get(0).removedResources());
    assertEquals(Set.of("c1", "c2"), responses.get(0).resources().keySet());
  }

  @Test
  void withoutTheResyncTheCacheWouldLeaveStaleResourcesInEnvoy() {
    publisher.publish(twoClusters("c1", "c2"));
    DeltaXdsRequest reconnect = request(Map.of("gone", "v-old"));
    publisher.cache().createDeltaWatch(reconnect, "", Map.of(), Set.of(), true, responses::add, false);
    assertTrue(responses.get(0).removedResources().isEmpty(), "java-control-plane ignores initial_resource_versions");
  }

  @Test
  void onlyChangedResourcesAreSentOnAnOpenStream() {
    publisher.publish(twoClusters("c1", "c2"));
    SnapshotVersions first = publisher.current().orElseThrow().versions();
    Map<String, String> tracked = first.ofResources(SnapshotVersions.CLUSTERS);
    watcher.createDeltaWatch(request(Map.of()), first.of(SnapshotVersions.CLUSTERS), tracked, Set.of(), true,
        responses::add, false);
    assertTrue(responses.isEmpty(), "Envoy is up to date");

    publisher.publish(twoClusters("c1", "c3"));
    assertEquals(1, responses.size());
    assertEquals(Set.of("c3"), responses.get(0).resources().keySet());
    assertEquals(List.of("c2"), responses.get(0).removedResources());
  }

  @Test
  void resourceVersionsAreContentHashesThatSurviveUnrelatedChanges() {
    SnapshotVersions a = SnapshotVersions.of(twoClusters("c1", "c2"));
    SnapshotVersions b = SnapshotVersions.of(twoClusters("c1", "c3"), twoClusters("c1", "c2"), a);
    SnapshotVersions fresh = SnapshotVersions.of(twoClusters("c1", "c3"));
    assertEquals(a.ofResources(SnapshotVersions.CLUSTERS).get("c1"), b.ofResources(SnapshotVersions.CLUSTERS).get("c1"));
    assertEquals(fresh, b, "reusing versions of equal resources gives what hashing everything gives");
    assertNotEquals(a.of(SnapshotVersions.CLUSTERS), b.of(SnapshotVersions.CLUSTERS));
    assertEquals(64, b.ofResources(SnapshotVersions.CLUSTERS).get("c3").length());
  }

  private static EnvoyResources twoClusters(String a, String b) {
    return Fixtures.resources(ImmutableList.of(), ImmutableList.of(),
        ImmutableList.of(Fixtures.edsCluster(a), Fixtures.edsCluster(b)),
        ImmutableList.of(ClusterLoadAssignment.newBuilder().setClusterName(a).build(),
            ClusterLoadAssignment.newBuilder().setClusterName(b).build()));
  }

  private static DeltaXdsRequest request(Map<String, String> initialVersions) {
    return DeltaXdsRequest.create(DeltaDiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId("envoy"))
        .setTypeUrl(SnapshotVersions.CLUSTERS)
        .putAllInitialResourceVersions(initialVersions)
        .build());
  }
}
