package io.edgegw.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real Envoy started from a bootstrap, with its admin interface at hand for assertions. Hot restart is
 * disabled so that several Envoys can run side by side (they would otherwise share one base id).
 */
public final class EnvoyProcess implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(20);
  private static final Duration LISTENER_WAIT = Duration.ofSeconds(10);
  private static final HttpClient ADMIN = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final int adminPort;
  private final Path bootstrap;
  private final Path log;
  private final ManagedProcess process;

  private EnvoyProcess(int adminPort, Path bootstrap, Path log, ManagedProcess process) {
    this.adminPort = adminPort;
    this.bootstrap = bootstrap;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts Envoy and waits until its admin interface answers. {@code adminPort} must be the port the
   * bootstrap's admin address names. Does not wait for listeners or xDS: see {@link #awaitListener} and
   * {@link #awaitXdsConnected}.
   */
  public static EnvoyProcess start(String bootstrapYaml, int adminPort) {
    Path binary = Tools.envoy();
    Path bootstrap = RunFiles.create("envoy-", ".yaml");
    Path log = RunFiles.sibling(bootstrap, ".log");
    Path output = RunFiles.sibling(bootstrap, ".out");
    try {
      Files.writeString(bootstrap, bootstrapYaml);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + bootstrap, e);
    }
    ManagedProcess process = ManagedProcess.start("envoy:" + adminPort, List.of(
        binary.toString(),
        "-c", bootstrap.toString(),
        "--concurrency", "1",
        "--disable-hot-restart",
        "-l", "info",
        "--log-path", log.toString(),
        // The log file is buffered and flushed every 10 s by default: too late for a failing assertion.
        "--file-flush-interval-msec", "100"), output);
    EnvoyProcess envoy = new EnvoyProcess(adminPort, bootstrap, log, process);
    try {
      Poll.until(STARTUP, envoy::adminAnswers, process::isAlive,
          () -> "Envoy admin does not answer on " + adminPort + "; " + process.state() + envoy.logSection());
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return envoy;
  }

  public int adminPort() {
    return adminPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Path bootstrapFile() {
    return bootstrap;
  }

  public Path logFile() {
    return log;
  }

  /**
   * Envoy's log so far (plus anything it wrote to stdout/stderr), for assertion messages. Envoy writes
   * it in batches every 100 ms, so a line logged just now may be missing.
   */
  public String log() {
    String output = RunFiles.read(process.output());
    return output.isEmpty() ? RunFiles.read(log) : RunFiles.read(log) + "\n--- stdout/stderr\n" + output;
  }

  /** GET on the admin interface, e.g. "/config_dump", "/clusters", "/stats?filter=...". Fails unless 200. */
  public String admin(String pathAndQuery) {
    return adminRequest("GET", pathAndQuery);
  }

  /** POST on the admin interface, e.g. "/healthcheck/fail", "/runtime_modify?k=v". Fails unless 200. */
  public String adminPost(String pathAndQuery) {
    return adminRequest("POST", pathAndQuery);
  }

  /**
   * One counter or gauge by its full name. Envoy creates many stats lazily (an RDS subscription's stats
   * appear with the first listener that uses it), so a stat that does not exist yet reads as 0.
   */
  public long stat(String name) {
    return stats("^" + regexQuote(name) + "$").getOrDefault(name, 0L);
  }

  /** Every counter and gauge whose name matches the (RE2) regex; histograms are left out. */
  public Map<String, Long> stats(String regex) {
    String text = admin("/stats?filter=" + URLEncoder.encode(regex, StandardCharsets.UTF_8));
    Map<String, Long> stats = new TreeMap<>();
    for (String line : text.split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon <= 0) {
        continue;
      }
      try {
        stats.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2).trim()));
      } catch (NumberFormatException histogramOrTextReadout) {
        // "P0(...)", "No recorded values" or a quoted text readout: not a counter or gauge.
      }
    }
    return stats;
  }

  /**
   * Rejected xDS updates (NACKs) so far: the sum of every stat ending in ".update_rejected", i.e.
   * listener_manager.lds, cluster_manager.cds, http.*.rds.*, and EDS/SDS where used.
   */
  public long nacks() {
    return stats("\\.update_rejected$").values().stream().mapToLong(Long::longValue).sum();
  }

  /** Waits (up to 10 s) until something accepts TCP connections on 127.0.0.1:port. */
  public void awaitListener(int port) {
    awaitListener(port, LISTENER_WAIT);
  }

  public void awaitListener(int port, Duration timeout) {
    Poll.until(timeout, () -> Poll.accepts(port), process::isAlive,
        () -> "Envoy does not accept connections on " + port + "; " + process.state()
            + "\n--- listeners\n" + adminOrError("/listeners") + logSection());
  }

  /** Waits until control_plane.connected_state is 1, i.e. Envoy holds an ADS stream to the sidecar. */
  public void awaitXdsConnected(Duration timeout) {
    Poll.until(timeout, () -> stat("control_plane.connected_state") == 1, process::isAlive,
        () -> "Envoy is not connected to its xDS server; " + process.state() + logSection());
  }

  /** SIGTERM, up to 5 s to exit, then SIGKILL; idempotent. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "EnvoyProcess[admin " + adminPort + ", " + process.state() + ", log " + log + "]";
  }

  /**
   * True once the admin interface answers as this Envoy: /server_info names our bootstrap file, so a
   * stranger that took the admin port in the meantime is not mistaken for it.
   */
  private boolean adminAnswers() {
    try {
      HttpResponse<String> info = ADMIN.send(request("GET", "/server_info"), HttpResponse.BodyHandlers.ofString());
      return info.statusCode() == 200 && info.body().contains(bootstrap.getFileName().toString());
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String adminRequest(String method, String pathAndQuery) {
    try {
      HttpResponse<String> response = ADMIN.send(request(method, pathAndQuery),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200) {
        throw new IllegalStateException(method + " " + pathAndQuery + " on Envoy admin " + adminPort + " gave "
            + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + pathAndQuery + " on Envoy admin " + adminPort
          + " failed; " + process.state(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private HttpRequest request(String method, String pathAndQuery) {
    String path = pathAndQuery.startsWith("/") ? pathAndQuery : "/" + pathAndQuery;
    return HttpRequest.newBuilder(URI.create("http://" + FreePorts.LOOPBACK + ":" + adminPort + path))
        .timeout(Duration.ofSeconds(5))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
  }

  private String adminOrError(String path) {
    try {
      return admin(path);
    } catch (RuntimeException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  /** The last {@code lines} lines of {@link #log()}. */
  public String logTail(int lines) {
    String[] all = log().split("\n", -1);
    return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
  }

  private String logSection() {
    return "\n--- last lines of " + log + "\n" + logTail(200);
  }

  /** Escapes RE2 metacharacters so that a stat name matches only itself. */
  private static String regexQuote(String literal) {
    StringBuilder quoted = new StringBuilder(literal.length() + 8);
    for (char c : literal.toCharArray()) {
      if ("\\.^$|?*+()[]{}".indexOf(c) >= 0) {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.toString();
  }
}
