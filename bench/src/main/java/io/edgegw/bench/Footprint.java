package io.edgegw.bench;

import io.edgegw.translator.model.Resource;
import io.edgegw.server.ConfigStore;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar as its own JVM (the shaded jar, as {@code bin/edgegw run} starts it) with N routes in its
 * state directory: time from process start to the first snapshot served (an ADS client gets the
 * listeners), then resident memory (VmRSS) and heap used (jcmd GC.heap_info) after Envoy has fetched
 * everything, for several JVM option sets, including an AppCDS archive made by a training run.
 *
 * <p>Arguments: {@code jar routes starts}.
 */
public final class Footprint {
  private static final String DEFAULTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k";
  private static final Pattern USED = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K");

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    int routes = Integer.parseInt(args[1]);
    int starts = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("edgegw-footprint");
    int backendPort = Local.freePort();
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    for (Resource r : Inputs.all(routes, backendPort)) {
      store.put(r);
    }
    Path archive = dir.resolve("edgegw.jsa");
    // Training run: the classes a start with this config loads are dumped at exit.
    measure(jar, dir, routes, DEFAULTS + " -XX:ArchiveClassesAtExit=" + archive, backendPort);
    if (!Files.exists(archive)) {
      throw new IllegalStateException("no CDS archive written to " + archive);
    }
    List<String> variants = List.of(
        DEFAULTS,
        DEFAULTS.replace("-Xmx128m", "-Xmx64m"),
        DEFAULTS + " -XX:SharedArchiveFile=" + archive,
        DEFAULTS.replace("-Xmx128m", "-Xmx64m") + " -XX:SharedArchiveFile=" + archive,
        // Off-heap trimmed: small code cache and metaspace cap, Netty without pooled direct arenas.
        DEFAULTS.replace("-Xmx128m", "-Xmx64m") + " -XX:SharedArchiveFile=" + archive
            + " -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=32m"
            + " -Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled",
        "-Xmx128m -XX:+UseSerialGC -Xss512k",
        "(JVM defaults)");
    System.out.println("| JVM options | start to first snapshot, ms (median, min-max of " + starts
        + ") | RSS MB (median) | heap used MB (median) |");
    System.out.println("|---|---|---|---|");
    for (String options : variants) {
      List<Double> startMs = new ArrayList<>();
      List<Double> rss = new ArrayList<>();
      List<Double> heap = new ArrayList<>();
      try {
        for (int i = 0; i < starts; i++) {
          double[] m = measure(jar, dir, routes, options.startsWith("(") ? "" : options, backendPort);
          startMs.add(m[0]);
          rss.add(m[1]);
          heap.add(m[2]);
        }
      } catch (Exception | Error e) {
        System.out.printf("| `%s` | failed: %s | | |%n", options.replace(archive.toString(), "edgegw.jsa"), e);
        continue;
      }
      Stats s = Stats.of(startMs);
      System.out.printf("| `%s` | %.0f (%.0f-%.0f) | %.1f | %.1f |%n",
          options.replace(archive.toString(), "edgegw.jsa"), s.p(50), s.sorted()[0], s.max(),
          Stats.of(rss).p(50), Stats.of(heap).p(50));
    }
    System.exit(0);
  }

  /** Start to first snapshot (ms), RSS (MB) and heap used (MB) of one sidecar start. */
  static double[] measure(Path jar, Path dir, int routes, String options, int backendPort) throws Exception {
    int xds = Local.freePort();
    int admin = Local.freePort();
    int gateway = Local.freePort();
    int envoyAdmin = Local.freePort();
    List<String> command = new ArrayList<>(List.of("java"));
    if (!options.isBlank()) {
      command.addAll(List.of(options.trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString(), "run", "--no-mqtt", "--state-dir", dir.resolve("state").toString(),
        "--xds-address", "127.0.0.1:" + xds, "--admin-address", "127.0.0.1:" + admin,
        "--gateway-labels", "istio=edgegateway", "--listener-address", "127.0.0.1", "--port-map", "80=" + gateway));
    long t0 = System.nanoTime();
    Process sidecar = Local.start(command, dir.resolve("sidecar.log"));
    Process envoy = null;
    try {
      Local.awaitPort(xds, Duration.ofSeconds(60), sidecar);
      firstListeners(xds);
      double startMs = (System.nanoTime() - t0) / 1e6;
      byte[] bootstrap = new io.edgegw.bootstrap.BootstrapGenerator().yaml(new io.edgegw.bootstrap.BootstrapOptions(
          "bench", "edgegateway", "127.0.0.1", xds, "127.0.0.1", envoyAdmin, false)).getBytes(StandardCharsets.UTF_8);
      envoy = Local.envoy(dir, "envoy", "envoy.yaml", bootstrap, envoyAdmin);
      try (Local.Client client = new Local.Client(gateway)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (client.get(Inputs.host(routes - 1), "/") == -1 || client.get(Inputs.host(routes - 1), "/") == 404) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Envoy never served the routes");
          }
          Thread.sleep(10);
        }
      }
      Thread.sleep(3000); // let start-up garbage and JIT settle
      double rssMb = rssKb(sidecar.pid()) / 1024.0;
      double heapMb = heapUsedKb(sidecar.pid()) / 1024.0;
      return new double[] {startMs, rssMb, heapMb};
    } finally {
      Local.stop(envoy);
      Local.stop(sidecar, Duration.ofSeconds(120)); // SIGTERM: the JVM exits normally; a training run writes its archive
    }
  }

  /** Opens an ADS stream and waits for the first listener response: the snapshot is being served. */
  private static void firstListeners(int port) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      CompletableFuture<DiscoveryResponse> first = new CompletableFuture<>();
      StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel)
          .withWaitForReady()
          .streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse value) {
              first.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              first.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("probe").setCluster("bench"))
          .setTypeUrl("type.googleapis.com/envoy.config.listener.v3.Listener").build());
      DiscoveryResponse response = first.get(30, TimeUnit.SECONDS);
      if (response.getResourcesCount() == 0) {
        throw new IllegalStateException("first snapshot has no listener");
      }
      requests.onCompleted();
    } finally {
      channel.shutdownNow();
    }
  }

  private static long rssKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  private static long heapUsedKb(long pid) throws Exception {
    Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor();
    Matcher m = USED.matcher(out);
    long used = 0;
    boolean found = false;
    while (m.find()) {
      used += Long.parseLong(m.group(1));
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("cannot read heap use from jcmd:\n" + out);
    }
    return used;
  }
}
