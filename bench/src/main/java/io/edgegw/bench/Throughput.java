package io.edgegw.bench;

import com.google.common.collect.ImmutableMap;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * made STATIC with their assignments): we should add nothing to the hot path.
 *
 * <p>The machine is small and shared, so the result is the ratio within pairs of back-to-back wrk runs,
 * in ABBA order (dynamic then static, static then dynamic, ...) so that a drift hits both sides alike,
 * and its median over the pairs, which a burst of other work hitting one run does not move; a first
 * pair only warms up and is dropped. With two or more CPUs both Envoys under test run on the last CPU,
 * wrk and the backend on the others (taskset), so the Envoy under test never competes with its own
 * load; when allowed, all of them run at nice -10, ahead of builds on the same machine. The backend is
 * a third Envoy answering with a direct_response, far cheaper per request than a JVM server. Each run
 * also reports the Envoy's CPU time per request (from /proc): less sensitive to CPU stolen by others
 * than req/s, though it rises when fewer requests share each wake-up.
 *
 * <p>Arguments: {@code routes pairs seconds}: measured pairs after the warm-up pair, seconds per run.
 * Both Envoys' {@code /config_dump} are written to the work directory (printed on stderr) to diff them.
 */
public final class Throughput {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  /** Clock ticks of /proc/<pid>/stat; USER_HZ is 100 on every Linux we run on. */
  private static final double TICK_SECONDS = 0.01;

  public static void main(String[] args) throws Exception {
    int routes = Integer.parseInt(args[0]);
    int pairs = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("edgegw-throughput");
    int backendPort = Local.freePort();
    int dynamicPort = Local.freePort();
    int staticPort = Local.freePort();
    int dynamicAdmin = Local.freePort();
    int staticAdmin = Local.freePort();
    int cpus = Runtime.getRuntime().availableProcessors();
    boolean pin = cpus >= 2 && Files.isExecutable(Path.of("/usr/bin/taskset"));
    // Ahead of other work on the machine (builds), which otherwise takes a varying share of the CPUs.
    List<String> underTest = new ArrayList<>(priority());
    List<String> load = new ArrayList<>(underTest);
    if (pin) {
      underTest.addAll(List.of("/usr/bin/taskset", "-c", String.valueOf(cpus - 1)));
      load.addAll(List.of("/usr/bin/taskset", "-c", "0-" + (cpus - 2)));
    }
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    for (Resource r : Inputs.all(routes, backendPort)) {
      store.put(r);
    }
    Process backend = null;
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
        // Bench backends run on loopback, which the node policy refuses by default.
        .nodePolicy(SidecarConfig.NodePolicySettings.DEFAULT.allowingUpstreams("127.0.0.0/8"))
        .build(), Components.production())) {
      backend = backend(dir, backendPort, load);
      BootstrapGenerator generator = new BootstrapGenerator();
      dynamicEnvoy = envoy(dir, "dynamic", "dynamic.yaml", generator.yaml(new BootstrapOptions("bench",
          "edgegateway", "127.0.0.1", sidecar.xdsPort(), "127.0.0.1", dynamicAdmin, false))
          .getBytes(StandardCharsets.UTF_8), dynamicAdmin, underTest);
      EnvoyResources served = sidecar.publisher().current().orElseThrow().resources();
      Bootstrap staticBootstrap = staticBootstrap(generator.bootstrap(new BootstrapOptions("bench", "edgegateway",
          "127.0.0.1", sidecar.xdsPort(), "127.0.0.1", staticAdmin, false)), served, dynamicPort, staticPort);
      staticEnvoy = envoy(dir, "static", "static.pb", staticBootstrap.toByteArray(), staticAdmin, underTest);
      String host = Inputs.host(routes / 2);
      try (Local.Client probe = new Local.Client(dynamicPort); Local.Client probe2 = new Local.Client(staticPort)) {
        await(probe, host);
        await(probe2, host);
      }
      configDump(dir, "dynamic", dynamicAdmin);
      configDump(dir, "static", staticAdmin);
      System.err.println("config dumps and logs in " + dir);
      Target dynamic = new Target(dynamicPort, dynamicEnvoy.pid());
      Target statik = new Target(staticPort, staticEnvoy.pid());
      dynamic.run(host, seconds, load); // warm-up pair, dropped
      statik.run(host, seconds, load);
      long backendTicks = cpuTicks(backend.pid());
      long t0 = System.nanoTime();
      List<Double> rpsRatios = new ArrayList<>();
      List<Double> cpuRatios = new ArrayList<>();
      List<Double> dynamicRps = new ArrayList<>();
      List<Double> staticRps = new ArrayList<>();
      List<Double> busy = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        Run d;
        Run s;
        if (i % 2 == 0) {
          d = dynamic.run(host, seconds, load);
          s = statik.run(host, seconds, load);
        } else {
          s = statik.run(host, seconds, load);
          d = dynamic.run(host, seconds, load);
        }
        dynamicRps.add(d.rps());
        staticRps.add(s.rps());
        rpsRatios.add(d.rps() / s.rps());
        cpuRatios.add(s.cpuPerRequest() / d.cpuPerRequest());
        busy.add(d.busy());
        busy.add(s.busy());
        System.err.printf("pair %d: dynamic %.0f req/s %.1f us/req %.0f%% busy, static %.0f req/s %.1f us/req"
            + " %.0f%% busy%n", i, d.rps(), d.cpuPerRequest() * 1e6, d.busy() * 100,
            s.rps(), s.cpuPerRequest() * 1e6, s.busy() * 100);
      }
      double backendBusy = (cpuTicks(backend.pid()) - backendTicks) * TICK_SECONDS / ((System.nanoTime() - t0) / 1e9);
      Stats ratio = Stats.of(rpsRatios);
      Stats cpu = Stats.of(cpuRatios);
      System.out.printf("| routes | pairs x s | dynamic req/s (median) | static req/s (median) | ratio median"
          + " | ratio min | ratio max | CPU per request static/dynamic, median (min-max) |%n");
      System.out.printf("|---|---|---|---|---|---|---|---|%n");
      System.out.printf("| %d | %d x %d | %.0f | %.0f | %.3f | %.3f | %.3f | %.3f (%.3f-%.3f) |%n",
          routes, pairs, seconds,
          median(dynamicRps), median(staticRps), median(rpsRatios), ratio.sorted()[0], ratio.max(),
          median(cpuRatios), cpu.sorted()[0], cpu.max());
      System.out.println();
      System.out.println("per pair, ABBA order, warm-up pair dropped; req/s dynamic/static: " + joined(rpsRatios));
      System.out.println("per pair, Envoy CPU per request static/dynamic (> 1: dynamic cheaper): "
          + joined(cpuRatios));
      System.out.printf("busy, %% of one CPU: Envoy under test %.0f (median of runs), backend %.0f; %s%n",
          median(busy) * 100, backendBusy * 100,
          (pin ? "Envoys under test on CPU " + (cpus - 1) + ", wrk and backend on CPU 0-" + (cpus - 2) : "not pinned")
          + (underTest.contains("nice") ? ", all at nice -10" : ""));
    } finally {
      Local.stop(dynamicEnvoy);
      Local.stop(staticEnvoy);
      Local.stop(backend);
    }
    System.exit(0);
  }

  /** One wrk run: req/s, and the Envoy's CPU seconds per request and share of one CPU. */
  record Run(double rps, double cpuPerRequest, double busy) {}

  record Target(int port, long pid) {
    Run run(String host, int seconds, List<String> prefix) throws IOException, InterruptedException {
      long cpu0 = cpuTicks(pid);
      long t0 = System.nanoTime();
      double rps = wrk(port, host, seconds, prefix);
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuTicks(pid) - cpu0) * TICK_SECONDS;
      return new Run(rps, cpu / (rps * seconds), cpu / wall);
    }
  }

  /** {@code nice -n -10} if we may raise priority (root), else nothing. */
  static List<String> priority() throws IOException, InterruptedException {
    List<String> nice = List.of("nice", "-n", "-10");
    List<String> probe = new ArrayList<>(nice);
    probe.add("nice");
    Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.waitFor() == 0 && out.equals("-10") ? nice : List.of();
  }

  /** utime + stime of a process, in clock ticks. */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // Fields after the parenthesised command name, which may contain spaces: state is field 3.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static double median(List<Double> values) {
    double[] a = Stats.of(values).sorted();
    int n = a.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }

  private static String joined(List<Double> values) {
    return values.stream().map(x -> String.format("%.3f", x)).collect(Collectors.joining(" "));
  }

  static Process envoy(Path dir, String name, String bootstrapFileName, byte[] bootstrap, int adminPort,
      List<String> prefix) throws IOException {
    Path file = Files.write(dir.resolve(bootstrapFileName), bootstrap);
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(Tools.envoy(), "-c", file.toString(), "--concurrency", "1", "--disable-hot-restart",
        "-l", "warn"));
    Process p = Local.start(command, dir.resolve(name + ".log"));
    Local.awaitPort(adminPort, Duration.ofSeconds(20), p);
    return p;
  }

  private static final String HCM_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  /** A third Envoy answering 200 "ok" itself: a cheap backend, so the Envoy under test sets the pace. */
  static Process backend(Path dir, int port, List<String> prefix) throws IOException {
    String yaml =
        """
        static_resources:
          listeners:
          - name: backend
            address: {socket_address: {address: 127.0.0.1, port_value: %d}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": %s
                  stat_prefix: backend
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        direct_response: {status: 200, body: {inline_string: "ok\\n"}}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """
            .formatted(port, HCM_TYPE);
    Path file = Files.writeString(dir.resolve("backend.yaml"), yaml);
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(Tools.envoy(), "-c", file.toString(), "--concurrency", "1", "--disable-hot-restart",
        "-l", "warn"));
    Process p = Local.start(command, dir.resolve("backend.log"));
    Local.awaitPort(port, Duration.ofSeconds(20), p);
    return p;
  }

  /** The admin /config_dump (with EDS), for diffing what the two Envoys really run. */
  static void configDump(Path dir, String name, int adminPort) throws IOException, InterruptedException {
    HttpResponse<Path> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/config_dump?include_eds")).build(),
        HttpResponse.BodyHandlers.ofFile(dir.resolve(name + "-config_dump.json")));
    if (response.statusCode() != 200) {
      throw new IllegalStateException("config_dump of " + name + ": " + response.statusCode());
    }
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

  private static double wrk(int port, String host, int seconds, List<String> prefix)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("wrk", "-t1", "-c16", "-d" + seconds + "s", "-H", "Host: " + host,
        "http://127.0.0.1:" + port + "/"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = RPS.matcher(out);
    if (!m.find() || out.contains("Non-2xx") || out.contains("Socket errors")) {
      throw new IllegalStateException("wrk failed or saw errors:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
