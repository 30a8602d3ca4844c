package io.edgegw.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The real sidecar, {@code java -jar xds-server/target/edgegw.jar run}, as a separate JVM that a test
 * can SIGKILL ({@link #kill9()}), SIGTERM ({@link #stop()}) and start again ({@link #restart()}) on the
 * same ports and state directory, while Envoy (bootstrapped against the fixed {@link #xdsPort()}) keeps
 * running and reconnects by itself. Every incarnation appends to one log file under target/it-logs.
 */
public final class SidecarProcess implements AutoCloseable {
  private static final Path REPO = Path.of(System.getProperty("edgegw.repo", "..")).toAbsolutePath().normalize();
  private static final Path JAR = REPO.resolve("xds-server/target/edgegw.jar");
  private static final Path JVM_OPTIONS = REPO.resolve("xds-server/src/main/jvm/edgegw.jvmopts");
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final HttpClient ADMIN = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  /**
   * How the sidecar runs. {@code mqttUrl} may name a port where no broker listens (offline start).
   *
   * @param httpPort the port Envoy binds for Gateway port 80
   */
  public record Options(String mqttUrl, int httpPort, int xdsPort, int adminPort, Path stateDir, int debounceMillis,
      Optional<String> kubeedgeTopic, List<String> extraArgs) {
    public Options {
      Objects.requireNonNull(mqttUrl, "mqttUrl");
      Objects.requireNonNull(stateDir, "stateDir");
      Objects.requireNonNull(kubeedgeTopic, "kubeedgeTopic");
      extraArgs = List.copyOf(extraArgs);
    }

    /** Fresh free ports, debounce 10 ms, no KubeEdge topic. */
    public static Options of(String mqttUrl, Path stateDir) {
      List<Integer> ports = FreePorts.next(3);
      return new Options(mqttUrl, ports.get(0), ports.get(1), ports.get(2), stateDir, 10, Optional.empty(), List.of());
    }

    public Options withKubeedgeTopic(String filter) {
      return new Options(mqttUrl, httpPort, xdsPort, adminPort, stateDir, debounceMillis, Optional.of(filter), extraArgs);
    }

    public Options withMqttUrl(String url) {
      return new Options(url, httpPort, xdsPort, adminPort, stateDir, debounceMillis, kubeedgeTopic, extraArgs);
    }

    /** More {@code edgegw run} arguments, e.g. {@code --kube-api URL}. */
    public Options withExtraArgs(List<String> args) {
      return new Options(mqttUrl, httpPort, xdsPort, adminPort, stateDir, debounceMillis, kubeedgeTopic, args);
    }
  }

  private final Options options;
  private final Path log;
  private ManagedProcess process;
  private int starts;

  private SidecarProcess(Options options, Path log) {
    this.options = options;
    this.log = log;
  }

  /** Starts the sidecar and waits until its admin endpoint answers (it serves its state by then). */
  public static SidecarProcess start(Options options) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " does not exist: run the end-to-end tests with `mvn verify` from the"
          + " repository root, which packages xds-server (and its edgegw.jar) before the it module");
    }
    SidecarProcess sidecar = new SidecarProcess(options, RunFiles.create("sidecar-", ".log"));
    sidecar.launch();
    return sidecar;
  }

  /** Starts it again with the same options, after {@link #kill9()} or {@link #stop()}. */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("sidecar still runs: " + process.state());
    }
    launch();
  }

  /** SIGKILL: no shutdown hook, no offline status, no clean disconnect; the broker sends the Will. */
  public void kill9() {
    process.kill();
  }

  /** SIGTERM and wait for the clean shutdown (SIGKILL after 5 s). */
  public void stop() {
    process.close();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Options options() {
    return options;
  }

  public int xdsPort() {
    return options.xdsPort();
  }

  public int adminPort() {
    return options.adminPort();
  }

  public int httpPort() {
    return options.httpPort();
  }

  public Path logFile() {
    return log;
  }

  /** Everything every incarnation logged so far. */
  public String log() {
    return RunFiles.read(log);
  }

  /** How many log lines so far contain {@code text}, e.g. "serving snapshot". */
  public long countLogLines(String text) {
    return log().lines().filter(line -> line.contains(text)).count();
  }

  /** GET on the admin endpoint; the body, whatever the status. Fails when nothing answers. */
  public String admin(String path) {
    return adminResponse(path).body();
  }

  /** GET on the admin endpoint; the HTTP status. Fails when nothing answers. */
  public int adminStatus(String path) {
    return adminResponse(path).statusCode();
  }

  /** /healthz/live answers 200: the sidecar can still take in changes. */
  public boolean live() {
    return adminStatus("/healthz/live") == 200 && json(admin("/healthz/live")).path("live").asBoolean(false);
  }

  /** /healthz/ready says some Envoy has been served a snapshot. */
  public boolean ready() {
    return json(admin("/healthz/ready")).path("ready").asBoolean(false);
  }

  /** The overall version in /config_dump ("" before the first snapshot). */
  public String servedVersion() {
    JsonNode dump = json(admin("/config_dump"));
    if (!dump.has("version")) {
      throw new IllegalStateException("no version in /config_dump: " + dump);
    }
    return dump.path("version").asText();
  }

  /** True when the admin endpoint answers at all. */
  public boolean adminAnswers() {
    try {
      adminResponse("/healthz/ready");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }

  @Override
  public String toString() {
    return "SidecarProcess[" + process.state() + ", log " + log + "]";
  }

  private void launch() {
    starts++;
    appendMarker("--- start " + starts + " ---");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // The JVM options bin/edgegw and the image use: test the sidecar as it runs on an edge node.
        "@" + JVM_OPTIONS));
    // Only to measure (docs/resilience.md, "Bounded memory"): e.g. -Dedgegw.it.sidecarJvmArgs="-Xmx64m -Xlog:gc".
    String extra = System.getProperty("edgegw.it.sidecarJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of(
        "-jar", JAR.toString(), "run",
        "--mqtt-url", options.mqttUrl(),
        "--gateway-id", EdgeGateway.GATEWAY_ID,
        "--gateway-labels", "istio=edgegateway",
        "--listener-address", FreePorts.LOOPBACK,
        "--port-map", "80=" + options.httpPort(),
        "--xds-address", FreePorts.LOOPBACK + ":" + options.xdsPort(),
        "--admin-address", FreePorts.LOOPBACK + ":" + options.adminPort(),
        "--state-dir", options.stateDir().toString(),
        "--debounce", String.valueOf(options.debounceMillis()),
        // The test backends run on loopback, which the node policy refuses by default.
        "--allow-upstream", "127.0.0.0/8"));
    options.kubeedgeTopic().ifPresent(topic -> command.addAll(List.of("--kubeedge-topic", topic)));
    command.addAll(options.extraArgs());
    process = ManagedProcess.start("sidecar:" + options.adminPort(), command, log);
    try {
      Poll.until(STARTUP, this::adminAnswers, process::isAlive,
          () -> "sidecar admin does not answer on " + options.adminPort() + "; " + process.state()
              + "\n--- " + log + "\n" + log());
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  private void appendMarker(String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + log, e);
    }
  }

  private HttpResponse<String> adminResponse(String path) {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://" + FreePorts.LOOPBACK + ":" + options.adminPort() + path))
        .timeout(Duration.ofSeconds(5))
        .GET()
        .build();
    try {
      return ADMIN.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " on the sidecar's admin " + options.adminPort() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static JsonNode json(String body) {
    try {
      return new ObjectMapper().readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the admin endpoint did not answer JSON: " + body, e);
    }
  }
}
