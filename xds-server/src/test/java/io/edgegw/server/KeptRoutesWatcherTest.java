package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Delta RDS through the real java-control-plane cache, as the gRPC stream observer drives it. */
class KeptRoutesWatcherTest {
  private final SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
  private final KeptRoutesWatcher watcher = new KeptRoutesWatcher(publisher.cache());
  private final List<DeltaResponse> responses = new ArrayList<>();

  @Test
  void aRouteConfigurationGoneFromTheSnapshotIsNotRemovedFromEnvoy() {
    publisher.publish(routes(route("r/a", "alpha"), route("r/b", "beta")));
    Map<String, String> tracked = routeVersions();
    publisher.publish(routes(route("r/b", "beta")));
    watch(tracked);
    assertEquals(1, responses.size());
    assertTrue(responses.get(0).removedResources().isEmpty(), "Envoy keeps r/a while subscribed");
    assertTrue(responses.get(0).resources().isEmpty());
  }

  @Test
  void whenItComesBackChangedEnvoyGetsItAgain() {
    publisher.publish(routes(route("r/a", "alpha"), route("r/b", "beta")));
    Map<String, String> held = routeVersions();
    publisher.publish(routes(route("r/b", "beta")));
    watch(held); // answered without the removal: the stream keeps tracking r/a at the version Envoy holds
    publisher.publish(routes(route("r/a", "gamma"), route("r/b", "beta")));
    responses.clear();
    watch(held);
    assertEquals(Set.of("r/a"), responses.get(0).resources().keySet());

    // The cache alone forgets r/a once Envoy acknowledged its removal, and never sends it again.
    publisher.publish(routes(route("r/b", "beta")));
    responses.clear();
    publisher.cache().createDeltaWatch(request(), "", held, Set.of(), false, responses::add, false);
    assertEquals(List.of("r/a"), responses.get(0).removedResources());
    Map<String, String> forgotten = Map.of("r/b", held.get("r/b"));
    publisher.publish(routes(route("r/a", "delta"), route("r/b", "beta")));
    responses.clear();
    publisher.cache().createDeltaWatch(request(), "", forgotten, Set.of(), false, responses::add, false);
    assertTrue(responses.isEmpty() || !responses.get(0).resources().containsKey("r/a"));
  }

  private void watch(Map<String, String> tracked) {
    watcher.createDeltaWatch(request(), "", tracked, Set.of(), false, responses::add, false);
  }

  private Map<String, String> routeVersions() {
    return publisher.current().orElseThrow().versions().ofResources(SnapshotVersions.ROUTES);
  }

  private static EnvoyResources routes(RouteConfiguration... routes) {
    return Fixtures.resources(ImmutableList.of(), ImmutableList.copyOf(routes), ImmutableList.of(), ImmutableList.of());
  }

  private static RouteConfiguration route(String name, String host) {
    return RouteConfiguration.newBuilder().setName(name)
        .addVirtualHosts(VirtualHost.newBuilder().setName(host).addDomains(host + ".test")).build();
  }

  private static DeltaXdsRequest request() {
    return DeltaXdsRequest.create(DeltaDiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId("envoy"))
        .setTypeUrl(SnapshotVersions.ROUTES)
        .build());
  }
}
