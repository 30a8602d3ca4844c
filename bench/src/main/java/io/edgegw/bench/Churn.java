package io.edgegw.bench;

import com.sun.net.httpserver.HttpServer;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.server.ConfigStore;
import io.edgegw.translator.model.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The sidecar's memory under sustained churn: the shaded jar started by {@code bin/edgegw run} (its JVM
 * options and AppCDS archive) with N routes in its state directory, connected to a real mosquitto and an
 * Envoy; a publisher then rewrites existing VirtualServices R times a second for S seconds. Samples
 * {@code VmRSS} and heap used every {@code sample} seconds; the last sample is the steady state the
 * target is about.
 *
 * <p>Arguments: {@code jar routes seconds perSecond [sampleSeconds]}. System properties, for finding
 * where the memory is: {@code churn.sidecarOpts} is given to the sidecar's JVM as {@code JAVA_TOOL_OPTIONS}
 * (added to bin/edgegw's options, e.g. {@code -XX:NativeMemoryTracking=summary -Xlog:gc:file=...});
 * {@code churn.diag=<dir>} writes, at the start sample and at the end (before the sidecar is stopped),
 * its {@code /proc} status and smaps_rollup and what {@code jcmd} tells (native memory when tracked,
 * heap, class histogram, threads) into that directory; {@code churn.routeScopes=true} runs the sidecar
 * with {@code --route-scopes}.
 */
public final class Churn {
  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    int routes = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int perSecond = Integer.parseInt(args[3]);
    int sample = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    Path repo = jar.getParent().getParent().getParent();
    Path dir = Files.createTempDirectory("edgegw-churn");
    int brokerPort = Local.freePort();
    int backendPort = Local.freePort();
    int gatewayPort = Local.freePort();
    int xds = Local.freePort();
    int admin = Local.freePort();
    int envoyAdmin = Local.freePort();
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    for (Resource r : Inputs.all(routes, backendPort)) {
      store.put(r);
    }
    Process broker = Local.mosquitto(dir, brokerPort);
    HttpServer backend = Local.backend(backendPort);
    String gatewayId = "churn";
    ProcessBuilder builder = new ProcessBuilder(repo.resolve("bin/edgegw").toString(), "run",
        "--mqtt-url", "tcp://127.0.0.1:" + brokerPort, "--gateway-id", gatewayId,
        "--state-dir", dir.resolve("state").toString(),
        "--xds-address", "127.0.0.1:" + xds, "--admin-address", "127.0.0.1:" + admin,
        "--gateway-labels", "istio=edgegateway", "--listener-address", "127.0.0.1", "--port-map", "80=" + gatewayPort,
        "--allow-upstream", "127.0.0.0/8", "--log-level", "WARN")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sidecar.log").toFile()));
    if (Boolean.getBoolean("churn.routeScopes")) {
      builder.command().add("--route-scopes");
    }
    builder.environment().remove("EDGEGW_JAVA_OPTS");
    String sidecarOpts = System.getProperty("churn.sidecarOpts");
    if (sidecarOpts != null) {
      builder.environment().put("JAVA_TOOL_OPTIONS", sidecarOpts);
    }
    String diag = System.getProperty("churn.diag");
    Process sidecar = builder.start();
    Process envoy = null;
    System.out.println("| routes | changes/s | seconds | changes | RSS MB at start | RSS MB max | RSS MB at end"
        + " | heap used MB at end | samples (s: RSS MB) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    try (MqttResourcePublisher cloud = new MqttResourcePublisher(
        MqttSettings.defaults(gatewayId + "-cloud").withServerUri("tcp://127.0.0.1:" + brokerPort),
        new TopicContract("edgegw", gatewayId))) {
      cloud.connect();
      Local.awaitPort(xds, Duration.ofSeconds(60), sidecar);
      byte[] bootstrap = new BootstrapGenerator().yaml(new BootstrapOptions("bench", "edgegateway", "127.0.0.1",
          xds, "127.0.0.1", envoyAdmin, true)).getBytes(StandardCharsets.UTF_8);
      envoy = Local.envoy(dir, "envoy", "envoy.yaml", bootstrap, envoyAdmin);
      try (Local.Client client = new Local.Client(gatewayPort)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (client.get(Inputs.host(routes - 1), "/") != 200) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Envoy never served the routes");
          }
          Thread.sleep(10);
        }
      }
      Thread.sleep(3000);
      double start = Footprint.rssKb(sidecar.pid()) / 1024.0;
      if (diag != null) {
        diagnose(sidecar.pid(), Path.of(diag), "start");
      }
      double max = start;
      List<String> samples = new ArrayList<>();
      long interval = 1_000_000_000L / perSecond;
      long t0 = System.nanoTime();
      long next = t0;
      long nextSample = t0 + sample * 1_000_000_000L;
      int k = 0;
      while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
        int i = k % routes;
        cloud.publish(Inputs.virtualService("vs-" + i, Inputs.host(i), "svc-" + (i % Inputs.services(routes)), k + 1));
        k++;
        next += interval;
        LockSupport.parkNanos(next - System.nanoTime());
        if (System.nanoTime() >= nextSample) {
          double rss = Footprint.rssKb(sidecar.pid()) / 1024.0;
          max = Math.max(max, rss);
          samples.add(String.format("%d: %.0f", (System.nanoTime() - t0) / 1_000_000_000L, rss));
          nextSample += sample * 1_000_000_000L;
        }
      }
      Thread.sleep(3000);
      double end = Footprint.rssKb(sidecar.pid()) / 1024.0;
      double heap = Footprint.heapUsedKb(sidecar.pid()) / 1024.0;
      if (diag != null) {
        diagnose(sidecar.pid(), Path.of(diag), "end");
      }
      System.out.printf("| %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", routes, perSecond, seconds, k,
          start, Math.max(max, end), end, heap, String.join(", ", samples));
    } finally {
      Local.stop(envoy);
      Local.stop(sidecar, Duration.ofSeconds(120));
      backend.stop(0);
      Local.stop(broker);
    }
    System.exit(0);
  }

  /** Writes what {@code /proc} and {@code jcmd} say about the sidecar's memory to {@code dir/<when>-*.txt}. */
  private static void diagnose(long pid, Path dir, String when) throws Exception {
    Files.createDirectories(dir);
    for (String proc : List.of("status", "smaps_rollup", "smaps")) {
      Files.copy(Path.of("/proc/" + pid + "/" + proc), dir.resolve(when + "-" + proc + ".txt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    // the histogram last: without -all it collects the whole heap first (the live set, at the end only)
    String histogram = when.equals("start") ? "GC.class_histogram -all" : "GC.class_histogram";
    for (String command : List.of("VM.native_memory summary", "GC.heap_info", "Thread.print", "VM.metaspace",
        "Compiler.codecache", histogram)) {
      List<String> jcmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
      jcmd.addAll(List.of(command.split(" ")));
      Process p = new ProcessBuilder(jcmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve(when + "-" + command.split(" ")[0] + ".txt").toFile()).start();
      p.waitFor();
    }
  }
}
