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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar as its own JVM (the shaded jar) with N routes in its state directory: time from process
 * start to the first snapshot served (an ADS client gets the listeners), then resident memory (VmRSS)
 * and heap used (jcmd GC.heap_info) after Envoy has fetched everything, for several ways to start it.
 * The variants run interleaved (one start of each per round), so a noisy machine hits them alike.
 *
 * <p>A variant is {@code bin/edgegw} (the script, as users start it: its JVM options, environment and
 * AppCDS archive), {@code bin/edgegw first start} (its archive deleted before each start, so that start
 * writes it at exit, as the first start after a build does), or JVM options, optionally led by {@code NAME=value}
 * environment variables; the
 * word {@code CDS} in them stands for an AppCDS archive made by a training run with those options'
 * environment. An absolute path ending in {@code /bin/edgegw} is another checkout's script, started as
 * {@code bin/edgegw} is (its archive already made): two builds compared on one state directory, interleaved.
 *
 * <p>Arguments: {@code jar routes starts [variant...]}.
 */
public final class Footprint {
  /** The JVM options file every launcher uses, relative to the repository root. */
  static final String JVM_OPTIONS = "xds-server/src/main/jvm/edgegw.jvmopts";

  /** What bin/edgegw starts java with: its environment and the options file's words (the variants vary one each). */
  static String defaults(Path repo) throws IOException {
    StringBuilder options = new StringBuilder("MALLOC_ARENA_MAX=2");
    for (String line : Files.readAllLines(repo.resolve(JVM_OPTIONS))) {
      String option = line.replaceFirst("#.*", "").trim();
      if (!option.isEmpty()) {
        options.append(' ').append(option);
      }
    }
    return options.toString();
  }

  private static final String SCRIPT = "bin/edgegw";
  private static final String FIRST_START = "bin/edgegw first start";
  /** The script with no snapshot saved by an earlier run: it reads and translates the inputs before serving. */
  private static final String NO_SNAPSHOT = "bin/edgegw without a saved snapshot";
  private static final Pattern USED = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K");

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    int routes = Integer.parseInt(args[1]);
    int starts = Integer.parseInt(args[2]);
    Path repo = jar.getParent().getParent().getParent();
    String defaults = defaults(repo);
    List<String> variants = args.length > 3 ? List.of(args).subList(3, args.length) : List.of(
        FIRST_START, // before SCRIPT: each round's later start uses the archive its first start wrote
        SCRIPT,
        NO_SNAPSHOT,
        defaults,
        defaults.replace("MALLOC_ARENA_MAX=2 ", ""),
        defaults.replace("-Xms8m -Xmx160m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30", "-Xmx160m"),
        defaults.replace("-Xmx160m", "-Xmx96m"),
        defaults.replace("unpooled", "pooled"),
        defaults.replace("-XX:TieredStopAtLevel=1 ", ""),
        // What bin/edgegw and the Dockerfile started before.
        "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k",
        "-Xmx96m -XX:MaxDirectMemorySize=32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData",
        "(JVM defaults)");
    Path dir = Files.createTempDirectory("edgegw-footprint");
    int backendPort = Local.freePort();
    // One listener port for every start, as a node restarts with the same --port-map: the snapshot a
    // start saved is then the one the next start's translation confirms.
    int gatewayPort = Local.freePort();
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    for (Resource r : Inputs.all(routes, backendPort)) {
      store.put(r);
    }
    Path archive = dir.resolve("edgegw.jsa");
    if (variants.stream().anyMatch(v -> !isScript(v) && v.contains("CDS"))) {
      // Training run: the classes a start with this config loads are dumped at exit.
      String cdsVariant = variants.stream().filter(v -> !isScript(v) && v.contains("CDS")).findFirst().get();
      measure(jar, dir, routes, command(jar, cdsVariant.replaceAll("-XX:SharedArchiveFile=CDS", "")
          + " -XX:ArchiveClassesAtExit=" + archive), env(cdsVariant), backendPort, gatewayPort);
      if (!Files.exists(archive)) {
        throw new IllegalStateException("no CDS archive written to " + archive);
      }
    }
    Path script = repo.resolve(SCRIPT);
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    Map<String, String> failures = new LinkedHashMap<>();
    for (int i = 0; i < starts; i++) {
      for (String variant : variants) {
        if (failures.containsKey(variant)) {
          continue;
        }
        try {
          if (variant.equals(FIRST_START)) {
            deleteScriptArchives(jar.getParent());
          }
          if (variant.equals(NO_SNAPSHOT)) {
            Files.deleteIfExists(dir.resolve("state").resolve("served-snapshot.pb"));
          }
          List<String> command = isOtherCheckout(variant) ? List.of(variant)
              : isScript(variant) ? List.of(script.toString())
              : command(jar, variant.replace("CDS", archive.toString()));
          results
              .computeIfAbsent(variant, v -> new ArrayList<>())
              .add(
                  measure(
                      jar,
                      dir,
                      routes,
                      command,
                      isScript(variant) ? Map.of() : env(variant),
                      backendPort,
                      gatewayPort));
        } catch (Exception | Error e) {
          failures.put(variant, e.toString());
        }
      }
    }
    System.out.println("| how started | start to first snapshot, ms (median, min-max of " + starts
        + ") | RSS MB (median) | heap used MB (median) |");
    System.out.println("|---|---|---|---|");
    for (String variant : variants) {
      String label = variant.equals("") ? "(JVM defaults)" : variant.replace("CDS", "edgegw.jsa");
      if (failures.containsKey(variant)) {
        System.out.printf("| `%s` | failed: %s | | |%n", label, failures.get(variant));
        continue;
      }
      List<double[]> m = results.get(variant);
      // Each start in round order, to pair the variants' starts round by round when the load drifts.
      System.err.printf("%s: start ms by round %s%n", label, column(m, 0));
      Stats s = Stats.of(column(m, 0));
      System.out.printf("| `%s` | %.0f (%.0f-%.0f) | %.1f | %.1f |%n", label, s.p(50), s.sorted()[0], s.max(),
          Stats.of(column(m, 1)).p(50), Stats.of(column(m, 2)).p(50));
    }
    System.exit(0);
  }

  /** bin/edgegw keeps its archives next to the jar: edgegw-<JDK>.jsa. */
  private static void deleteScriptArchives(Path dir) throws IOException {
    try (var archives = Files.newDirectoryStream(dir, "edgegw-*.jsa")) {
      for (Path archive : archives) {
        Files.delete(archive);
      }
    }
  }

  private static boolean isScript(String variant) {
    return variant.equals(SCRIPT) || variant.equals(FIRST_START) || variant.equals(NO_SNAPSHOT)
        || isOtherCheckout(variant);
  }

  private static boolean isOtherCheckout(String variant) {
    return variant.startsWith("/") && variant.endsWith("/" + SCRIPT);
  }

  private static List<Double> column(List<double[]> rows, int i) {
    List<Double> out = new ArrayList<>();
    rows.forEach(r -> out.add(r[i]));
    return out;
  }

  /** The leading NAME=value words of a variant. */
  private static Map<String, String> env(String variant) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String word : variant.trim().split("\\s+")) {
      if (!word.matches("[A-Z_][A-Z0-9_]*=.*")) {
        break;
      }
      env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
    }
    return env;
  }

  /** java, the variant's JVM options (its NAME=value words and "(...)" labels dropped), -jar jar. */
  private static List<String> command(Path jar, String variant) {
    List<String> command = new ArrayList<>(List.of("java"));
    for (String word : variant.trim().split("\\s+")) {
      if (!word.isEmpty() && !word.startsWith("(") && !word.endsWith(")")
          && !word.matches("[A-Z_][A-Z0-9_]*=.*")) {
        command.add(word);
      }
    }
    command.addAll(List.of("-jar", jar.toString()));
    return command;
  }

  /** Start to first snapshot (ms), RSS (MB) and heap used (MB) of one sidecar start. */
  static double[] measure(Path jar, Path dir, int routes, List<String> java, Map<String, String> env,
      int backendPort, int gateway) throws Exception {
    int xds = Local.freePort();
    int admin = Local.freePort();
    int envoyAdmin = Local.freePort();
    // A port just released can come back at once: the sidecar would find its admin port taken.
    while (admin == xds || envoyAdmin == xds || envoyAdmin == admin || xds == gateway || admin == gateway
        || envoyAdmin == gateway) {
      admin = Local.freePort();
      envoyAdmin = Local.freePort();
      xds = xds == gateway ? Local.freePort() : xds;
    }
    List<String> command = new ArrayList<>(java);
    command.addAll(List.of("run", "--no-mqtt", "--state-dir", dir.resolve("state").toString(),
        "--xds-address", "127.0.0.1:" + xds, "--admin-address", "127.0.0.1:" + admin,
        "--gateway-labels", "istio=edgegateway", "--listener-address", "127.0.0.1", "--port-map", "80=" + gateway));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sidecar.log").toFile()));
    builder.environment().remove("EDGEGW_JAVA_OPTS"); // bin/edgegw's defaults, not the caller's
    builder.environment().remove("MALLOC_ARENA_MAX");
    builder.environment().putAll(env);
    long t0 = System.nanoTime();
    Process sidecar = builder.start();
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
      // SIGTERM: the JVM exits normally; a training run writes its archive
      Local.stop(sidecar, Duration.ofSeconds(120));
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

  static long rssKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  static long heapUsedKb(long pid) throws Exception {
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
