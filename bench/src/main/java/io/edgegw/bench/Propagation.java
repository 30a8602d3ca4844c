package io.edgegw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import com.sun.net.httpserver.HttpServer;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.server.Components;
import io.edgegw.server.ConfigStore;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import io.edgegw.server.SnapshotPublisher;
import io.edgegw.server.XdsTraffic;
import io.edgegw.translator.model.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Propagation: from the MQTT publish of a new VirtualService to the first 200 through Envoy for its
 * host, with N existing routes, over state-of-the-world or delta xDS, with or without background
 * churn (another publisher updating existing VirtualServices), while a client keeps sending requests
 * to existing routes and counts every non-200. Also splits each change at the moment the sidecar
 * serves the new snapshot, counts the xDS bytes each change cost, and reads Envoy's own time to apply
 * each route configuration update from its stats.
 *
 * <p>With {@code --big-vs}, the N routes are one VirtualService, and each change republishes it with one
 * route's match changed ({@code /r<i>/} to {@code /e<c>/}), timed until {@code /e<c>/} answers 200; no
 * delete.
 *
 * <p>With {@code --gateway-api}, the same shape through the Gateway API ({@link Inputs#allGatewayApi}: a
 * GatewayClass, a Gateway with an HTTP listener on 80, the Services with Endpoints, N HTTPRoutes of one
 * host each), and each change publishes a new HTTPRoute, then deletes it. No churn in this mode.
 *
 * <p>Arguments: {@code routes... --changes M --churn-per-second R --debounce-ms D --modes sotw,delta
 * [--big-vs | --gateway-api] [--route-scopes]}; {@code --route-scopes} runs the sidecar with
 * {@code edgegw run --route-scopes} (a route configuration per host, chosen by scoped RDS).
 *
 * <p>The probe for the first 200 polls every millisecond ({@code -Dpropagation.pollMicros}). It used to poll
 * every 0.1 ms: a request every 0.2 ms or so kept the probe and Envoy's worker busy for most of one of
 * the machine's two cores, right while the sidecar and Envoy's main thread had the change to work on,
 * and made a new host look 20 ms slower at 1000 routes (p50 98 against 79-81 ms, 2026-12-07). Run it in
 * a JVM with the sidecar's own JIT and collector ({@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}, as
 * {@code bench/run} does), since the sidecar runs in this JVM.
 */
public final class Propagation {
  private static final int WARMUP = 10;
  private static final int LOAD_PER_SECOND = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final long POLL_NANOS = Long.getLong("propagation.pollMicros", 1000) * 1000;
  /** {@code -Dpropagation.trace=true}: each change's publish wall clock, snapshot and first 200 on stderr. */
  private static final boolean TRACE = Boolean.getBoolean("propagation.trace");

  record Result(String mode, String routes, int churnPerSecond, int debounceMs, Stats add, Stats snapshot, Stats delete,
      long loadRequests, long loadFailures, Stats bytes, Stats resources, String envoyApply) {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    int changes = 100;
    int churn = 0;
    int debounce = 5;
    List<String> modes = List.of("sotw", "delta");
    boolean big = false;
    boolean gatewayApi = false;
    boolean scopes = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--changes" -> changes = Integer.parseInt(args[++i]);
        case "--churn-per-second" -> churn = Integer.parseInt(args[++i]);
        case "--debounce-ms" -> debounce = Integer.parseInt(args[++i]);
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--big-vs" -> big = true;
        case "--gateway-api" -> gatewayApi = true;
        case "--route-scopes" -> scopes = true;
        default -> sizes.add(Integer.parseInt(args[i]));
      }
    }
    if (gatewayApi && (big || churn > 0)) {
      throw new IllegalArgumentException("--gateway-api takes neither --big-vs nor --churn-per-second");
    }
    Path work = Files.createTempDirectory("edgegw-bench");
    int brokerPort = Local.freePort();
    int backendPort = Local.freePort();
    Process broker = Local.mosquitto(work, brokerPort);
    HttpServer backend = Local.backend(backendPort);
    System.out.println(
        "| xDS | routes | churn/s | debounce | add p50 | add p90 | add p99 | add max | snapshot p50 | Envoy RDS"
            + " apply p50 / p99 | delete p50 | delete p99 | bytes/change p50 | resources/change p50 | load requests"
            + " | failed |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    try {
      int run = 0;
      for (int routes : sizes) {
        for (String mode : modes) {
          Result r = run(work.resolve("run" + run), "bench" + run++, brokerPort, backendPort, routes,
              mode.equals("delta"), changes, churn, debounce, big, gatewayApi, scopes);
          System.out.printf(
              "| %s | %s | %d | %d ms | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %.1f | %.1f | %s | %s | %d | %d |%n",
              r.mode(),
              r.routes(),
              r.churnPerSecond(),
              r.debounceMs(),
              r.add().p(50),
              r.add().p(90),
              r.add().p(99),
              r.add().max(),
              r.snapshot().p(50),
              r.envoyApply(),
              r.delete().p(50),
              r.delete().p(99),
              churn > 0 ? "(churn)" : String.format("%.0f", r.bytes().p(50)),
              churn > 0 ? "(churn)" : String.format("%.0f", r.resources().p(50)),
              r.loadRequests(),
              r.loadFailures());
        }
      }
    } finally {
      backend.stop(0);
      Local.stop(broker);
    }
    System.exit(0); // MQTT client threads linger
  }

  static Result run(Path dir, String gatewayId, int brokerPort, int backendPort, int routes, boolean delta,
      int changes, int churnPerSecond, int debounceMs, boolean big, boolean gatewayApi, boolean scopes)
      throws Exception {
    Files.createDirectories(dir);
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    List<Resource> inputs = big ? Inputs.allBig(routes, backendPort)
        : gatewayApi ? Inputs.allGatewayApi(routes, backendPort) : Inputs.all(routes, backendPort);
    for (Resource r : inputs) {
      store.put(r);
    }
    int gatewayPort = Local.freePort();
    int envoyAdmin = Local.freePort();
    String broker = "tcp://127.0.0.1:" + brokerPort;
    Process envoy = null;
    try (Sidecar sidecar = Sidecar.start(SidecarConfig.builder(dir.resolve("state"))
            .mqttUrl(Optional.of(broker))
            .gatewayId(gatewayId)
            .gatewayLabels(ImmutableMap.of("istio", "edgegateway"))
            .listenerBindAddress("127.0.0.1")
            .portMap(ImmutableMap.of(80, gatewayPort))
            .xdsAddress(new HostPort("127.0.0.1", 0))
            .adminAddress(new HostPort("127.0.0.1", 0))
            .debounce(Duration.ofMillis(debounceMs))
            // Bench backends run on loopback, which the node policy refuses by default.
            .nodePolicy(SidecarConfig.NodePolicySettings.DEFAULT.allowingUpstreams("127.0.0.0/8"))
            .routeScopes(scopes)
            .build(), Components.production());
        MqttResourcePublisher cloud = publisher(broker, gatewayId, "cloud");
        MqttResourcePublisher churner = publisher(broker, gatewayId, "churn");
        Local.Client probe = new Local.Client(gatewayPort)) {
      byte[] bootstrap = new BootstrapGenerator().yaml(new BootstrapOptions("bench", "edgegateway", "127.0.0.1",
          sidecar.xdsPort(), "127.0.0.1", envoyAdmin, delta)).getBytes(StandardCharsets.UTF_8);
      envoy = Local.envoy(dir, "envoy", "envoy.yaml", bootstrap, envoyAdmin);
      awaitStatus(probe, big ? Inputs.BIG_HOST : Inputs.host(routes - 1), big ? "/r" + (routes - 1) + "/" : "/",
          200, Duration.ofSeconds(120));

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong loadRequests = new AtomicLong();
      AtomicLong loadFailures = new AtomicLong();
      Thread load = new Thread(() -> {
        try (Local.Client client = new Local.Client(gatewayPort)) {
          long interval = 1_000_000_000L / LOAD_PER_SECOND;
          long next = System.nanoTime();
          for (int i = 0; !stop.get(); i++) {
            int status = big ? client.get(Inputs.BIG_HOST, "/r" + (routes - 1) + "/")
                : client.get(Inputs.host(i % routes), "/");
            if (status != 200) {
              loadFailures.incrementAndGet();
            }
            loadRequests.incrementAndGet();
            next += interval;
            LockSupport.parkNanos(next - System.nanoTime());
          }
        }
      }, "load");
      Thread churn =
          new Thread(
              () -> {
                long interval = churnPerSecond == 0 ? 0 : 1_000_000_000L / churnPerSecond;
                for (int k = 0; churnPerSecond > 0 && !stop.get(); k++) {
                  int i = k % routes;
                  churner.publish(
                      Inputs.virtualService(
                          "vs-" + i,
                          Inputs.host(i),
                          "svc-" + (i % Inputs.services(routes)),
                          k + 1));
                  LockSupport.parkNanos(interval);
                }
              },
              "churn");
      load.start();
      churn.start();

      List<Double> add = new ArrayList<>();
      List<Double> snapshot = new ArrayList<>();
      List<Double> delete = new ArrayList<>();
      List<Double> bytes = new ArrayList<>();
      List<Double> resources = new ArrayList<>();
      for (int c = 0; c < WARMUP + changes; c++) {
        String name = "new-" + c;
        String host = big ? Inputs.BIG_HOST : name + ".bench";
        String path = big ? "/e" + c + "/" : "/";
        // The edited route is never the last one, which the load client uses.
        Resource vs = big ? Inputs.bigVirtualService(routes, c % (routes - 1), c)
            : gatewayApi ? Inputs.httpRoute(name, host, "svc-0")
            : Inputs.virtualService(name, host, "svc-0", 0);
        SnapshotPublisher.Published before = sidecar.publisher().current().orElseThrow();
        XdsTraffic.Totals sentBefore = sidecar.xdsTraffic();
        long t0 = System.nanoTime();
        cloud.publish(vs);
        long snap = -1;
        while (probe.get(host, path) != 200) {
          if (snap < 0 && sidecar.publisher().current().orElseThrow() != before) {
            snap = System.nanoTime();
          }
          if (System.nanoTime() - t0 > 30_000_000_000L) {
            throw new IllegalStateException(host + " not served within 30 s");
          }
          LockSupport.parkNanos(POLL_NANOS);
        }
        long t1 = System.nanoTime();
        if (TRACE) {
          long wall = System.currentTimeMillis();
          System.err.printf("trace %s publish %s snapshot +%.1f first200 +%.1f%n", host,
              Instant.ofEpochMilli(wall - (t1 - t0) / 1_000_000), ((snap < 0 ? t1 : snap) - t0) / 1e6, (t1 - t0) / 1e6);
        }
        XdsTraffic.Totals sent = sidecar.xdsTraffic().minus(sentBefore);

        long d0 = System.nanoTime();
        if (!big) {
          cloud.delete(vs.key());
          awaitStatus(probe, host, "/", 404, Duration.ofSeconds(30));
        }
        long d1 = System.nanoTime();
        if (c >= WARMUP) {
          add.add((t1 - t0) / 1e6);
          snapshot.add(snap < 0 ? (t1 - t0) / 1e6 : (snap - t0) / 1e6);
          if (!big) {
            delete.add((d1 - d0) / 1e6);
          }
          bytes.add((double) sent.bytes());
          resources.add((double) sent.resources());
        }
      }
      stop.set(true);
      load.join();
      churn.join();
      return new Result(
          (delta ? "delta" : "sotw") + (scopes ? " + route scopes" : ""),
          big ? routes + " in 1 VS" : gatewayApi ? routes + " HTTPRoutes" : Integer.toString(routes),
          churnPerSecond,
          debounceMs,
          Stats.of(add),
          Stats.of(snapshot),
          Stats.of(delete),
          loadRequests.get(),
          loadFailures.get(),
          Stats.of(bytes),
          Stats.of(resources),
          rdsApply(envoyAdmin));
    } finally {
      Local.stop(envoy);
    }
  }

  private static MqttResourcePublisher publisher(String broker, String gatewayId, String role) throws Exception {
    MqttResourcePublisher p = new MqttResourcePublisher(
        MqttSettings.defaults(gatewayId + "-" + role).withServerUri(broker), new TopicContract("edgegw", gatewayId));
    p.connect();
    return p;
  }

  /**
   * Envoy's own time to apply a route configuration update (its {@code rds.<name>.update_duration}
   * histogram over the whole run, warm-up included): the part of each change no control plane can
   * shorten while every host of a port shares one RouteConfiguration.
   */
  static String rdsApply(int envoyAdmin) {
    try (InputStream in =
        URI.create(
                "http://127.0.0.1:"
                    + envoyAdmin
                    + "/stats?format=json&filter=rds%5C..*update_duration")
            .toURL()
            .openStream()) {
      for (JsonNode stat : JSON.readTree(in).path("stats")) {
        JsonNode histograms = stat.path("histograms");
        List<Double> quantiles = new ArrayList<>();
        histograms.path("supported_quantiles").forEach(q -> quantiles.add(q.asDouble()));
        for (JsonNode h : histograms.path("computed_quantiles")) {
          JsonNode values = h.path("values");
          return String.format("%.1f / %.1f", values.path(quantiles.indexOf(50.0)).path("cumulative").asDouble(),
              values.path(quantiles.indexOf(99.0)).path("cumulative").asDouble());
        }
      }
      return "-";
    } catch (IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  private static void awaitStatus(Local.Client client, String host, String path, int status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (client.get(host, path) != status) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(host + " did not answer " + status + " within " + timeout);
      }
      LockSupport.parkNanos(100_000);
    }
  }
}
