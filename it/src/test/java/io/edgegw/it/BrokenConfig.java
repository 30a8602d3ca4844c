package io.edgegw.it;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;

/** Builds configurations Envoy refuses, to prove NACK handling against the real Envoy. */
final class BrokenConfig {
  private BrokenConfig() {}

  /** The same resources with the first route's match replaced by a regex RE2 cannot compile. */
  static EnvoyResources withInvalidRouteRegex(EnvoyResources good) {
    RouteConfiguration first = good.routes().get(0);
    VirtualHost vh = first.getVirtualHosts(0);
    VirtualHost broken = vh.toBuilder()
        .setRoutes(0, vh.getRoutes(0).toBuilder()
            .setMatch(vh.getRoutes(0).getMatch().toBuilder()
                .setSafeRegex(RegexMatcher.newBuilder().setRegex("/broken(["))))
        .build();
    ImmutableList<RouteConfiguration> routes = ImmutableList.<RouteConfiguration>builder()
        .add(first.toBuilder().setVirtualHosts(0, broken).build())
        .addAll(good.routes().subList(1, good.routes().size()))
        .build();
    return new EnvoyResources(good.listeners(), routes, good.clusters(), good.endpoints(), good.secrets(),
        good.scopes());
  }
}
