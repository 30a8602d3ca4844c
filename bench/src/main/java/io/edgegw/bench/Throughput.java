package io.edgegw.bench;

import com.google.common.collect.ImmutableMap;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpServer;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.server.Components;
import io.edgegw.server.ConfigStore;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.Resource;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Requests per second through Envoy with our dynamic (ADS) config against the same Envoy with the same
 * config given statically (the snapshot's listeners with their route configs inlined, EDS clusters
 * made STATIC with their assignments): we should add nothing to the hot path. wrk drives each in turn,
 * several rounds, alternating, so drift on a shared machine hits both.
 *
 * <p>Arguments: {@code routes rounds seconds}.
 */
public final class Throughput {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  public static void main(String[] args) throws Exception {
    int routes = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("edgegw-throughput");
    int backendPort = Local.freePort();
    int dynamicPort = Local.freePort();
    int staticPort = Local.freePort();
    int dynamicAdmin = Local.freePort();
    int staticAdmin = Local.freePort();
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    for (Resource r : Inputs.all(routes, backendPort)) {
      store.put(r);
    }
    HttpServer backend = Local.backend(backendPort);
    Process dynamicEnvoy = null;
    Process staticEnvoy = null;
    try (Sidecar sidecar = Sidecar.start(SidecarConfig.builder(dir.resolve("state"))
        .mqttUrl(Optional.empty())
        .gatewayId("throughput")
        .gatewayLabels(ImmutableMap.of("istio", "edgegateway"))
        .listenerBindAddress("127.0.0.1")
        .portMap(ImmutableMap.of(80, dynamicPort))
        .xdsAddress(new HostPort("127.0.0.1", 0))
        .adminAddress(new HostPort("127.0.0.1", 0))
        .build(), Components.production())) {
      BootstrapGenerator generator = new BootstrapGenerator();
      dynamicEnvoy = Local.envoy(dir, "dynamic", "dynamic.yaml", generator.yaml(new BootstrapOptions("bench",
          "edgegateway", "127.0.0.1", sidecar.xdsPort(), "127.0.0.1", dynamicAdmin, false))
          .getBytes(StandardCharsets.UTF_8), dynamicAdmin);
      EnvoyResources served = sidecar.publisher().current().orElseThrow().resources();
      Bootstrap staticBootstrap = staticBootstrap(generator.bootstrap(new BootstrapOptions("bench", "edgegateway",
          "127.0.0.1", sidecar.xdsPort(), "127.0.0.1", staticAdmin, false)), served, dynamicPort, staticPort);
      staticEnvoy = Local.envoy(dir, "static", "static.pb", staticBootstrap.toByteArray(), staticAdmin);
      String host = Inputs.host(routes / 2);
      try (Local.Client probe = new Local.Client(dynamicPort); Local.Client probe2 = new Local.Client(staticPort)) {
        await(probe, host);
        await(probe2, host);
      }
      List<Double> ratios = new ArrayList<>();
      List<Double> dynamicRps = new ArrayList<>();
      List<Double> staticRps = new ArrayList<>();
      wrk(dynamicPort, host, 2); // warm-up both
      wrk(staticPort, host, 2);
      for (int r = 0; r < rounds; r++) {
        double d = wrk(dynamicPort, host, seconds);
        double s = wrk(staticPort, host, seconds);
        dynamicRps.add(d);
        staticRps.add(s);
        ratios.add(d / s);
      }
      Stats ratio = Stats.of(ratios);
      System.out.printf("| routes | rounds x s | dynamic req/s (median) | static req/s (median) | ratio median | ratio min | ratio max |%n");
      System.out.printf("|---|---|---|---|---|---|---|%n");
      System.out.printf("| %d | %d x %d | %.0f | %.0f | %.3f | %.3f | %.3f |%n", routes, rounds, seconds,
          Stats.of(dynamicRps).p(50), Stats.of(staticRps).p(50), ratio.p(50), ratio.sorted()[0], ratio.max());
      System.out.println("per round (dynamic/static): " + ratios.stream().map(x -> String.format("%.3f", x))
          .collect(Collectors.joining(" ")));
    } finally {
      Local.stop(dynamicEnvoy);
      Local.stop(staticEnvoy);
      backend.stop(0);
    }
    System.exit(0);
  }

  /** Our snapshot as static resources, on {@code staticPort} instead of {@code dynamicPort}. */
  static Bootstrap staticBootstrap(Bootstrap dynamic, EnvoyResources r, int dynamicPort, int staticPort)
      throws InvalidProtocolBufferException {
    Map<String, RouteConfiguration> routes = r.routes().stream()
        .collect(Collectors.toMap(RouteConfiguration::getName, Function.identity()));
    Map<String, ClusterLoadAssignment> assignments = r.endpoints().stream()
        .collect(Collectors.toMap(ClusterLoadAssignment::getClusterName, Function.identity()));
    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder();
    for (Listener l : r.listeners()) {
      Listener.Builder listener = l.toBuilder();
      listener.getAddressBuilder().getSocketAddressBuilder().setPortValue(staticPort);
      for (FilterChain.Builder chain : listener.getFilterChainsBuilderList()) {
        for (Filter.Builder filter : chain.getFiltersBuilderList()) {
          if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
            RouteConfiguration route = routes.get(hcm.getRds().getRouteConfigName());
            filter.setTypedConfig(Any.pack(hcm.toBuilder().clearRds().setRouteConfig(route).build()));
          }
        }
      }
      if (l.getAddress().getSocketAddress().getPortValue() != dynamicPort) {
        throw new IllegalStateException("unexpected listener " + l.getName());
      }
      statics.addListeners(listener);
    }
    for (Cluster c : r.clusters()) {
      Cluster.Builder cluster = c.toBuilder();
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        cluster.clearEdsClusterConfig().setType(Cluster.DiscoveryType.STATIC)
            .setLoadAssignment(assignments.get(c.getName()));
      }
      statics.addClusters(cluster);
    }
    return dynamic.toBuilder().clearDynamicResources().clearStaticResources().setStaticResources(statics).build();
  }

  private static void await(Local.Client client, String host) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (client.get(host, "/") != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(host + " not served");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  private static double wrk(int port, String host, int seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("wrk", "-t1", "-c16", "-d" + seconds + "s", "-H", "Host: " + host,
        "http://127.0.0.1:" + port + "/").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = RPS.matcher(out);
    if (!m.find() || out.contains("Non-2xx")) {
      throw new IllegalStateException("wrk failed or saw errors:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
