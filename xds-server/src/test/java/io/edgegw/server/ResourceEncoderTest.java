package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Route configurations are encoded from remembered host and route bytes: what Envoy (and the saved
 * snapshot) reads back must be the configuration as it is now, after any edit, whatever was remembered.
 */
class ResourceEncoderTest {
  private final ResourceEncoder encoder = new ResourceEncoder();

  @Test
  void routeConfigurationsReadBackEqualAfterEveryEdit() throws InvalidProtocolBufferException {
    List<VirtualHost> hosts = new ArrayList<>();
    for (int h = 0; h < 6; h++) {
      // Hosts of few routes are remembered whole, hosts of many route by route.
      int routes = h % 2 == 0 ? 2 : ResourceEncoder.ROUTES_WORTH_REMEMBERING + 12;
      VirtualHost.Builder host = VirtualHost.newBuilder().setName("h" + h).addDomains("h" + h + ".example.com")
          .addDomains("h" + h + ".example.com:*");
      for (int r = 0; r < routes; r++) {
        host.addRoutes(route("/r" + r, "c" + r));
      }
      hosts.add(host.build());
    }
    assertReadsBack(config(hosts));

    for (int edit = 0; edit < 24; edit++) {
      int h = edit % hosts.size();
      VirtualHost host = hosts.get(h);
      switch (edit % 4) {
        case 0 -> hosts.set(h, host.toBuilder().setRoutes(edit % host.getRoutesCount(),
            route("/e" + edit, "c" + edit)).build());
        case 1 -> hosts.set(h, host.toBuilder().addRoutes(0, route("/first" + edit, "c")).build());
        case 2 -> hosts.add(h, VirtualHost.newBuilder().setName("new" + edit).addDomains("n" + edit)
            .addRoutes(route("/", "c")).build());
        default -> hosts.remove(h);
      }
      assertReadsBack(config(hosts));
    }
  }

  @Test
  void otherResourcesAreTheirOwnBytes() {
    Cluster cluster = Cluster.newBuilder().setName("outbound|80||a.default.svc.cluster.local")
        .setConnectTimeout(Duration.newBuilder().setSeconds(10)).build();
    assertEquals(cluster.toByteString(), encoder.encode(cluster));
    assertEquals(Any.pack(cluster), encoder.serialize(cluster, Resources.ApiVersion.V3));
    assertEquals(Any.pack(cluster), encoder.serialize(cluster, Resources.ApiVersion.V3), "when remembered");
  }

  private void assertReadsBack(RouteConfiguration config) throws InvalidProtocolBufferException {
    Any any = encoder.serialize(config, Resources.ApiVersion.V3);
    assertEquals(Any.pack(config).getTypeUrl(), any.getTypeUrl());
    assertEquals(config, any.unpack(RouteConfiguration.class));
    assertEquals(config.getSerializedSize(), any.getValue().size());
  }

  private static RouteConfiguration config(List<VirtualHost> hosts) {
    // Fields on both sides of virtual_hosts (field 2), as the translator sets them.
    return RouteConfiguration.newBuilder()
        .setName("http.80")
        .addAllVirtualHosts(hosts)
        .setValidateClusters(BoolValue.of(false))
        .addResponseHeadersToAdd(HeaderValueOption.newBuilder()
            .setHeader(HeaderValue.newBuilder().setKey("x-served-by").setValue("edgegw")))
        .setIgnorePortInHostMatching(true)
        .build();
  }

  private static Route route(String prefix, String cluster) {
    return Route.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(RouteAction.newBuilder().setCluster(cluster))
        .build();
  }
}
