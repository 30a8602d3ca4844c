package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Route scopes must fit the listeners and route configurations of their snapshot. */
class SnapshotConsistencyTest {
  private static final EnvoyResources SCOPED =
      Fixtures.scoped(Map.of("http.80", List.of("a.example.com", "b.example.com"), "http.81", List.of("c.example.com")));

  @Test
  void translatorShapedScopesAreConsistentAndTheirListenersNeedNoRdsName() {
    assertEquals(List.of(), SnapshotConsistency.problems(SCOPED));
  }

  @Test
  void aScopeNamingAMissingRouteConfigurationIsAProblem() {
    ScopedRouteConfiguration dangling = Fixtures.scope("http.80", "d.example.com");
    assertEquals(
        List.of("scope http.80/d.example.com names route config http.80/d.example.com, which is not in the snapshot"),
        SnapshotConsistency.problems(withScopes(SCOPED.scopes(), dangling)));
  }

  @Test
  void aScopeOfNoListenersScopedRoutesIsAProblem() {
    ScopedRouteConfiguration orphan = Fixtures.scope("http.82", "a.example.com").toBuilder()
        .setRouteConfigurationName("http.80/a.example.com").build();
    assertEquals(List.of("scope http.82/a.example.com belongs to no listener's scoped routes named http.82"),
        SnapshotConsistency.problems(withScopes(SCOPED.scopes(), orphan)));
    ScopedRouteConfiguration unnamed = orphan.toBuilder().setName("a.example.com").build();
    assertTrue(SnapshotConsistency.problems(withScopes(SCOPED.scopes(), unnamed)).get(0)
        .startsWith("scope a.example.com belongs to no listener's scoped routes"));
  }

  @Test
  void twoScopesOfOneSetWithOneKeyAreAProblemButAcrossSetsAreNot() {
    ScopedRouteConfiguration sameKey = Fixtures.scope("http.80", "a.example.com").toBuilder()
        .setName("http.80/a2").build();
    assertEquals(List.of("scopes http.80/a.example.com and http.80/a2 have the same key"),
        SnapshotConsistency.problems(withScopes(SCOPED.scopes(), sameKey)));
    ScopedRouteConfiguration otherSet = Fixtures.scope("http.81", "a.example.com").toBuilder()
        .setRouteConfigurationName("http.80/a.example.com").build();
    assertEquals(List.of(), SnapshotConsistency.problems(withScopes(SCOPED.scopes(), otherSet)));
  }

  @Test
  void aCheckerFindsTheSameProblemsInWhatChangedSinceTheLastConsistentSnapshot() {
    SnapshotConsistency checker = new SnapshotConsistency();
    assertEquals(List.of(), checker.check(SCOPED));
    ScopedRouteConfiguration dangling = Fixtures.scope("http.80", "d.example.com");
    assertEquals(SnapshotConsistency.problems(withScopes(SCOPED.scopes(), dangling)),
        checker.check(withScopes(SCOPED.scopes(), dangling)));
    assertEquals(List.of(), checker.check(SCOPED));
    ScopedRouteConfiguration sameKey = Fixtures.scope("http.80", "a.example.com").toBuilder()
        .setName("http.80/a2").build();
    assertEquals(List.of("scopes http.80/a.example.com and http.80/a2 have the same key"),
        checker.check(withScopes(SCOPED.scopes(), sameKey)));
    assertEquals(List.of(), checker.check(SCOPED));
  }

  @Test
  void aCheckerFindsAKeptScopeWhoseRouteConfigurationWentAndLetsAKeyMoveToAnotherScope() {
    SnapshotConsistency checker = new SnapshotConsistency();
    assertEquals(List.of(), checker.check(SCOPED));
    EnvoyResources routeGone = new EnvoyResources(SCOPED.listeners(),
        SCOPED.routes().stream().filter(r -> !r.getName().equals("http.80/a.example.com"))
            .collect(ImmutableList.toImmutableList()),
        SCOPED.clusters(), SCOPED.endpoints(), SCOPED.secrets(), SCOPED.scopes());
    assertEquals(
        List.of("scope http.80/a.example.com names route config http.80/a.example.com, which is not in the snapshot"),
        checker.check(routeGone));
    assertEquals(List.of(), checker.check(SCOPED));
    // a.example.com's key now belongs to a scope of another name: the old one's key is let go first.
    ScopedRouteConfiguration renamed = SCOPED.scopes().stream()
        .filter(scope -> scope.getName().equals("http.80/a.example.com")).findFirst().orElseThrow()
        .toBuilder().setName("http.80/a").build(); // before the old name, which the walk then finds gone
    EnvoyResources moved = new EnvoyResources(SCOPED.listeners(), SCOPED.routes(), SCOPED.clusters(),
        SCOPED.endpoints(), SCOPED.secrets(), ImmutableList.<ScopedRouteConfiguration>builder().add(renamed)
            .addAll(SCOPED.scopes().stream().filter(scope -> !scope.getName().equals("http.80/a.example.com"))
                .iterator())
            .build());
    assertEquals(List.of(), SnapshotConsistency.problems(moved));
    assertEquals(List.of(), checker.check(moved));
  }

  private static EnvoyResources withScopes(List<ScopedRouteConfiguration> scopes, ScopedRouteConfiguration extra) {
    return new EnvoyResources(SCOPED.listeners(), SCOPED.routes(), SCOPED.clusters(), SCOPED.endpoints(),
        SCOPED.secrets(), ImmutableList.<ScopedRouteConfiguration>builder().addAll(scopes).add(extra).build());
  }
}
