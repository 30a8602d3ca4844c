package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.HashCode;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.memo.Memo;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Route configuration versions are made from remembered host and route digests: they must be those a
 * fresh computation gives, whatever was remembered, and change with any route.
 */
class SnapshotVersionsTest {
  @Test
  void incrementalVersionsEqualFreshOnesAndFollowEveryRouteEdit() {
    List<VirtualHost> hosts = new ArrayList<>();
    for (int h = 0; h < 5; h++) {
      VirtualHost.Builder host = VirtualHost.newBuilder().setName("h" + h).addDomains("h" + h + ".example.com");
      for (int r = 0; r < 20; r++) {
        host.addRoutes(route("/r" + r, "c" + r));
      }
      hosts.add(host.build());
    }
    Memo<Message, HashCode> memo = Memo.byIdentity();
    EnvoyResources before = resources(hosts);
    SnapshotVersions previous = SnapshotVersions.of(before, EnvoyResources.EMPTY, null, memo);
    assertEquals(SnapshotVersions.of(before), previous);

    for (int edit = 0; edit < 10; edit++) {
      // One route of one host edited; the other hosts and routes are the same instances.
      int h = edit % hosts.size();
      VirtualHost host = hosts.get(h);
      hosts.set(h, host.toBuilder().setRoutes(edit % 20, route("/e" + edit, "c" + edit)).build());
      EnvoyResources after = resources(hosts);
      SnapshotVersions next = SnapshotVersions.of(after, before, previous, memo);

      assertEquals(SnapshotVersions.of(after), next);
      assertNotEquals(previous.of(SnapshotVersions.ROUTES), next.of(SnapshotVersions.ROUTES));
      before = after;
      previous = next;
    }
    // A route moved to another position is another configuration.
    VirtualHost first = hosts.get(0);
    Route moved = first.getRoutes(0);
    VirtualHost reordered = first.toBuilder().removeRoutes(0).addRoutes(moved).build();
    List<VirtualHost> swapped = new ArrayList<>(hosts);
    swapped.set(0, reordered);
    assertNotEquals(SnapshotVersions.of(resources(hosts)).overall(), SnapshotVersions.of(resources(swapped)).overall());
  }

  private static Route route(String prefix, String cluster) {
    return Route.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(RouteAction.newBuilder().setCluster(cluster))
        .build();
  }

  private static EnvoyResources resources(List<VirtualHost> hosts) {
    RouteConfiguration config = RouteConfiguration.newBuilder().setName("http.80").addAllVirtualHosts(hosts).build();
    return new EnvoyResources(ImmutableList.of(), ImmutableList.of(config), ImmutableList.of(), ImmutableList.of(),
        ImmutableList.of());
  }

  @Test
  void scopesAreVersionedOnlyWhenPresentAndLeaveTheOtherVersionsAlone() {
    EnvoyResources withoutScopes = resources(List.of(VirtualHost.newBuilder().setName("h").addDomains("h").build()));
    SnapshotVersions plain = SnapshotVersions.of(withoutScopes);
    assertEquals(5, plain.byTypeUrl().size());
    assertFalse(plain.byResource().containsKey(SnapshotVersions.SCOPES));

    EnvoyResources scoped = Fixtures.scoped(Map.of("http.80", List.of("a.example.com", "b.example.com")));
    SnapshotVersions versions = SnapshotVersions.of(scoped);
    assertEquals(List.of("http.80/a.example.com", "http.80/b.example.com"),
        List.copyOf(versions.ofResources(SnapshotVersions.SCOPES).keySet()));
    EnvoyResources noScopes = new EnvoyResources(scoped.listeners(), scoped.routes(), scoped.clusters(),
        scoped.endpoints(), scoped.secrets());
    SnapshotVersions without = SnapshotVersions.of(noScopes);
    for (String type : without.byTypeUrl().keySet()) {
      assertEquals(without.of(type), versions.of(type), type);
    }
    assertEquals(6, versions.byTypeUrl().size());
    assertNotEquals(without.overall(), versions.overall());

    // Incremental: one scope changed changes its version and the type's, and only those.
    Memo<Message, HashCode> memo = Memo.byIdentity();
    SnapshotVersions first = SnapshotVersions.of(scoped, EnvoyResources.EMPTY, null, memo);
    EnvoyResources changed = new EnvoyResources(scoped.listeners(), scoped.routes(), scoped.clusters(),
        scoped.endpoints(), scoped.secrets(), ImmutableList.of(scoped.scopes().get(0),
            scoped.scopes().get(1).toBuilder().setRouteConfigurationName("http.80/a.example.com").build()));
    SnapshotVersions next = SnapshotVersions.of(changed, scoped, first, memo);
    assertEquals(SnapshotVersions.of(changed), next);
    assertEquals(first.ofResources(SnapshotVersions.SCOPES).get("http.80/a.example.com"),
        next.ofResources(SnapshotVersions.SCOPES).get("http.80/a.example.com"));
    assertNotEquals(first.ofResources(SnapshotVersions.SCOPES).get("http.80/b.example.com"),
        next.ofResources(SnapshotVersions.SCOPES).get("http.80/b.example.com"));
    assertNotEquals(first.of(SnapshotVersions.SCOPES), next.of(SnapshotVersions.SCOPES));
    assertEquals(first.of(SnapshotVersions.ROUTES), next.of(SnapshotVersions.ROUTES));
  }
}
