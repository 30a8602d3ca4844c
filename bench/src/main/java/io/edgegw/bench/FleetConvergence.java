package io.edgegw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.fleet.Payloads;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Issue 15's fleet benchmark: N real sidecar processes (the shaded jar, {@code edgegw run}, the
 * project's JVM options file) behind one mosquitto, fed by a real {@code edgegw fleet sync} process
 * from a source directory. One change (a VirtualService every sidecar gets) is written to the source;
 * for every sidecar the time from the write to its retained status saying {@code applied} with the
 * change's resourceVersion (the sidecar serves the new snapshot; no Envoy is attached: Envoy's own
 * apply time is in the propagation benchmark), and to the resource reaching the broker. CPU (from
 * /proc, user + system) and RSS of the broker and the sync over each change. Then rounds with K
 * sidecars stopped during the change and started again after it: their time from the restart to
 * applied, and from their online announcement to applied.
 *
 * <p>Arguments: {@code jar sidecars --offline K --rounds R --offline-rounds O [--sync-jars a.jar,b.jar]}; with
 * several sync jars every round runs once with each (the sync restarted in between), an A/B comparison on
 * the same fleet under the same load.
 */
public final class FleetConvergence {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONVERGE = Duration.ofMinutes(3);
  private static final String VS = "virtualservice/default/bench";
  private static final int BATCH = 5;

  private final Path jar;
  /** Each round runs once per sync build (A/B on the same fleet), the sync restarted in between. */
  private final List<Path> syncJars;
  private final int syncAdmin;
  private final Path repo;
  private final Path work;
  private final int brokerPort;
  private final List<Sidecar> sidecars = new ArrayList<>();
  /** gateway id -> resourceVersion -> first time (nanoTime) seen. */
  private final Map<String, Map<String, Long>> applied = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Long>> published = new ConcurrentHashMap<>();
  private final Map<String, Long> online = new ConcurrentHashMap<>();
  private Process broker;
  private Process sync;
  private int round;

  private final class Sidecar {
    final String id;
    final Path state;
    Process process;

    Sidecar(int index) throws IOException {
      this.id = String.format("gw-%03d", index);
      this.state = Files.createDirectories(work.resolve(id));
    }

    /** With fresh ports each time: a port found free may be taken by another process before the sidecar binds it. */
    void start() throws IOException {
      int xds = Local.freePort();
      int admin = Local.freePort();
      List<String> command = java(jar);
      command.addAll(List.of("run", "--gateway-id", id, "--gateway-labels", "fleet=bench,index=" + id,
          "--mqtt-url", "tcp://127.0.0.1:" + brokerPort, "--state-dir", state.resolve("state").toString(),
          "--xds-address", "127.0.0.1:" + xds, "--admin-address", "127.0.0.1:" + admin,
          "--allow-upstream", "127.0.0.0/8", "--log-level", "WARN"));
      process = Local.start(command, state.resolve("sidecar.log"));
    }
  }

  private FleetConvergence(Path jar, List<Path> syncJars) throws IOException {
    this.jar = jar.toAbsolutePath();
    this.syncJars = syncJars.stream().map(Path::toAbsolutePath).toList();
    // Run from the repository root (as bench/run does): the JVM options file is read from there.
    this.repo = Path.of("").toAbsolutePath();
    this.work = Files.createTempDirectory("edgegw-fleet-bench");
    this.brokerPort = Local.freePort();
    this.syncAdmin = Local.freePort();
  }

  public static void main(String[] args) throws Exception {
    int sidecars = Integer.parseInt(args[1]);
    int offline = 10;
    int rounds = 3;
    int offlineRounds = 2;
    List<Path> syncJars = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--sync-jars" -> Arrays.stream(args[++i].split(",")).map(Path::of).forEach(syncJars::add);
        case "--offline" -> offline = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--offline-rounds" -> offlineRounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path jar = Path.of(args[0]);
    new FleetConvergence(jar, syncJars.isEmpty() ? List.of(jar) : syncJars).run(sidecars, offline, rounds,
        offlineRounds);
  }

  private List<String> java(Path jarFile) {
    List<String> command = new ArrayList<>(List.of("java", "@" + repo.resolve(Footprint.JVM_OPTIONS)));
    command.addAll(List.of("-jar", jarFile.toString()));
    return command;
  }

  /** (Re)starts the sync from {@code syncJar} and waits until its first reconcile is done. */
  private void startSync(Path source, Path syncJar) throws Exception {
    if (sync != null) {
      Local.stop(sync);
    }
    List<String> command = java(syncJar);
    command.addAll(List.of("fleet", "sync", "--source-dir", source.toString(), "--mqtt-url",
        "tcp://127.0.0.1:" + brokerPort, "--poll-interval", "200ms", "--admin-address", "127.0.0.1:" + syncAdmin));
    sync = Local.start(command, work.resolve("sync-" + syncJar.getFileName() + ".log"));
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + syncAdmin + "/healthz/ready")).build();
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (true) {
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (!sync.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the sync did not become ready; see " + work);
      }
      Thread.sleep(50);
    }
  }

  private void run(int count, int offline, int rounds, int offlineRounds) throws Exception {
    broker = Local.mosquitto(work, brokerPort);
    MqttClient watcher = watch();
    Path source = Files.createDirectories(work.resolve("source"));
    write(source, 0);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll)); // interrupted: no process is left behind
    try {
      startSync(source, syncJars.get(0));
      long started = System.nanoTime();
      for (int i = 0; i < count; i++) {
        sidecars.add(new Sidecar(i));
      }
      // In batches: 100 JVMs starting at once on two cores would take each other's CPU for minutes, and a
      // sidecar whose start-up takes longer than its own 30 s limit exits (started again, and counted).
      int restarts = 0;
      for (int i = 0; i < count; i += BATCH) {
        List<Sidecar> batch = sidecars.subList(i, Math.min(count, i + BATCH));
        for (Sidecar s : batch) {
          s.start();
        }
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!batch.stream().allMatch(s -> online.containsKey(s.id))) {
          for (Sidecar s : batch) {
            if (!s.process.isAlive() && restarts++ < count) {
              s.start();
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("sidecars not online within " + CONVERGE + "; see " + work);
          }
          Thread.sleep(20);
        }
        System.err.printf("%tT %d sidecars online%n", System.currentTimeMillis(), online.size());
      }
      if (restarts > 0) {
        System.out.printf("- %d sidecar start(s) timed out under the machine's load and were repeated%n", restarts);
      }
      String first = awaitVersion(started);
      awaitAll(sidecars, s -> applied.getOrDefault(s.id, Map.of()).containsKey(first), "applied (initial)");
      System.out.printf("- %d sidecars online and applied after %.1f s; sidecars' total RSS %d MB, load %s%n",
          count, (System.nanoTime() - started) / 1e9, sidecars.stream().mapToLong(s -> rssKb(s.process)).sum() / 1024,
          Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.println();
      System.out.println("| round | sync | offline | change to published p50 / p99 / max"
          + " | change to applied p50 / p99 / max"
          + " | broker CPU s | sync CPU s | broker RSS MB | sync RSS MB | back: restart to applied p50 / max"
          + " | back: online to applied p50 / max |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      for (int r = 0; r < rounds + offlineRounds; r++) {
        for (Path syncJar : syncJars) {
          if (syncJars.size() > 1) {
            startSync(source, syncJar);
          }
          change(source, r < rounds ? 0 : offline, syncJar.getFileName().toString());
        }
      }
    } finally {
      watcher.disconnect();
      watcher.close();
      stopAll();
    }
  }

  private synchronized void stopAll() {
    for (Process p : Stream.concat(sidecars.stream().map(s -> s.process), Stream.of(sync, broker)).toList()) {
      try {
        if (p != null && p.isAlive()) {
          Local.stop(p);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void change(Path source, int offline, String syncLabel) throws Exception {
    round++;
    List<Sidecar> away = sidecars.subList(sidecars.size() - offline, sidecars.size());
    List<Sidecar> present = sidecars.subList(0, sidecars.size() - offline);
    for (Sidecar s : away) {
      Local.stop(s.process);
      online.remove(s.id);
    }
    Thread.sleep(2000); // the broker notices the disconnects; the sync sees the offline announcements
    long[] brokerCpu = {cpuTicks(broker)};
    long[] syncCpu = {cpuTicks(sync)};
    long t0 = System.nanoTime();
    write(source, round);
    String version = awaitVersion(t0);
    awaitAll(present, s -> applied.getOrDefault(s.id, Map.of()).containsKey(version), "applied round " + round);
    Stats toPublished = Stats.of(present.stream()
        .map(s -> (published.get(s.id).get(version) - t0) / 1e6).toList());
    Stats toApplied = Stats.of(present.stream().map(s -> (applied.get(s.id).get(version) - t0) / 1e6).toList());
    String back = "-";
    String backOnline = "-";
    if (!away.isEmpty()) {
      Map<String, Long> restarted = new ConcurrentHashMap<>();
      for (Sidecar s : away) {
        restarted.put(s.id, System.nanoTime());
        s.start();
      }
      // A start that exceeds the sidecar's own 30 s start-up limit under load exits: started again (and
      // its time keeps counting from the first start).
      long deadline = System.nanoTime() + CONVERGE.toNanos();
      while (!away.stream().allMatch(s -> applied.getOrDefault(s.id, Map.of()).containsKey(version))) {
        for (Sidecar s : away) {
          if (!s.process.isAlive()) {
            System.err.printf("%s exited while coming back; started again%n", s.id);
            s.start();
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("returning sidecars not applied within " + CONVERGE + "; see " + work);
        }
        Thread.sleep(5);
      }
      Stats restart = Stats.of(away.stream().map(s -> (applied.get(s.id).get(version) - restarted.get(s.id)) / 1e6)
          .toList());
      Stats fromOnline = Stats.of(away.stream().map(s -> (applied.get(s.id).get(version) - online.get(s.id)) / 1e6)
          .toList());
      back = String.format("%.0f / %.0f", restart.p(50), restart.max());
      backOnline = String.format("%.0f / %.0f", fromOnline.p(50), fromOnline.max());
    }
    double brokerSeconds = (cpuTicks(broker) - brokerCpu[0]) / 100.0;
    double syncSeconds = (cpuTicks(sync) - syncCpu[0]) / 100.0;
    System.out.printf(
        "| %d | %s | %d | %.0f / %.0f / %.0f ms | %.0f / %.0f / %.0f ms | %.2f | %.2f | %.1f | %.1f | %s | %s |%n",
        round, syncLabel, offline, toPublished.p(50), toPublished.p(99), toPublished.max(), toApplied.p(50),
        toApplied.p(99), toApplied.max(), brokerSeconds, syncSeconds, rssKb(broker) / 1024.0, rssKb(sync) / 1024.0,
        back, backOnline);
  }

  /** The resourceVersion of the first resource message published after {@code since}. */
  private String awaitVersion(long since) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (System.nanoTime() < deadline) {
      for (Map<String, Long> versions : published.values()) {
        for (Map.Entry<String, Long> e : versions.entrySet()) {
          if (e.getValue() > since) {
            return e.getKey();
          }
        }
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("the sync published nothing within " + CONVERGE + "; see " + work);
  }

  private void awaitAll(List<Sidecar> which, java.util.function.Predicate<Sidecar> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!which.stream().allMatch(done)) {
      for (Sidecar s : which) {
        if (!s.process.isAlive()) {
          throw new IllegalStateException(s.id + " exited; see " + s.state.resolve("sidecar.log"));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(which.stream().filter(done.negate()).count() + " sidecar(s) not " + what
            + " within " + CONVERGE + "; see " + work);
      }
      Thread.sleep(5);
    }
  }

  /**
   * The source: one Gateway every sidecar gets (on port 8080: the default node policy refuses ports
   * below 1024 without a port map) and a VirtualService whose header value is the round.
   */
  private static void write(Path source, int round) throws IOException {
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: bench-gw, namespace: default}
        spec:
          selector: {fleet: bench}
          servers:
          - port: {number: 8080, name: http, protocol: HTTP}
            hosts: ["bench.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bench, namespace: default}
        spec:
          hosts: ["bench.example.com"]
          gateways: [bench-gw]
          http:
          - headers:
              response:
                set: {x-round: "%d"}
            route:
            - destination: {host: backend.example.com, port: {number: 8080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: backend, namespace: default}
        spec:
          hosts: ["backend.example.com"]
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: 127.0.0.1}]
        """.formatted(round);
    Path tmp = source.resolve(".fleet.yaml.tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, source.resolve("fleet.yaml"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private MqttClient watch() throws MqttException {
    MqttClient client = new MqttClient("tcp://127.0.0.1:" + brokerPort, "bench-watcher", new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void messageArrived(String topic, MqttMessage message) {
        long now = System.nanoTime();
        String[] parts = topic.split("/", 4);
        String id = parts[1];
        byte[] payload = message.getPayload();
        if (payload.length == 0) {
          return;
        }
        if (topic.endsWith("/status/gateway")) {
          if (new String(payload, StandardCharsets.UTF_8).contains("\"state\":\"online\"")) {
            online.putIfAbsent(id, now);
          }
        } else if (parts[2].equals("resources")) {
          Payloads.resourceVersion(payload)
              .ifPresent(v -> published.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).putIfAbsent(v, now));
        } else {
          try {
            JsonNode status = JSON.readTree(payload);
            if (status.path("state").asText().equals("applied")) {
              applied.computeIfAbsent(id, k -> new ConcurrentHashMap<>())
                  .putIfAbsent(status.path("resourceVersion").asText(), now);
            }
          } catch (IOException e) {
            // not a status
          }
        }
      }

      @Override
      public void disconnected(MqttDisconnectResponse response) {}

      @Override
      public void mqttErrorOccurred(MqttException exception) {}

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String serverUri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    });
    client.connect();
    client.subscribe(new String[] {"edgegw/+/status/gateway", "edgegw/+/status/" + VS, "edgegw/+/resources/" + VS},
        new int[] {1, 1, 1});
    return client;
  }

  /** User + system CPU of a process so far, in clock ticks (100 per second). */
  private static long cpuTicks(Process p) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long rssKb(Process p) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }
}
