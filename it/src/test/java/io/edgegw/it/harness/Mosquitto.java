package io.edgegw.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real mosquitto broker on 127.0.0.1, anonymous; without persistence unless a directory is given,
 * where it keeps retained messages and sessions across restarts (saved on SIGTERM).
 */
public final class Mosquitto implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(10);

  private final int port;
  private final Path config;
  private final ManagedProcess process;

  private Mosquitto(int port, Path config, ManagedProcess process) {
    this.port = port;
    this.config = config;
    this.process = process;
  }

  /** A broker on a free port. */
  public static Mosquitto start() {
    return start(FreePorts.next());
  }

  /** A broker on the given port, e.g. to restart one on the port clients are configured with. */
  public static Mosquitto start(int port) {
    return start(port, Optional.empty());
  }

  /** A broker on {@code port} that saves its state in {@code persistenceDir}, for broker-restart tests. */
  public static Mosquitto startPersistent(int port, Path persistenceDir) {
    return start(port, Optional.of(persistenceDir));
  }

  private static Mosquitto start(int port, Optional<Path> persistenceDir) {
    return start(port, persistenceDir, List.of());
  }

  /**
   * A broker with extra configuration lines, e.g. a bridge ({@code connection ...}) or
   * {@code password_file}/{@code acl_file}; a line starting {@code allow_anonymous} replaces the default.
   */
  public static Mosquitto start(int port, Optional<Path> persistenceDir, List<String> extraConfig) {
    Path binary = Tools.mosquitto();
    Path config = RunFiles.create("mosquitto-" + port + "-", ".conf");
    Path log = RunFiles.sibling(config, ".log");
    try {
      Files.writeString(config, String.join("\n",
          "listener " + port + " " + FreePorts.LOOPBACK,
          extraConfig.stream().anyMatch(l -> l.startsWith("allow_anonymous")) ? "" : "allow_anonymous true",
          // Started as root, mosquitto drops to user "mosquitto", who cannot write in our temp directory;
          // "user root" keeps it as it is (and means nothing when the tests do not run as root).
          persistenceDir.map(dir -> "persistence true\npersistence_location " + dir.toAbsolutePath() + "/\nuser root")
              .orElse("persistence false"),
          "log_dest stdout",
          "log_timestamp_format %Y-%m-%dT%H:%M:%S",
          "connection_messages true",
          // As docs/mqtt.md recommends for a node's broker: a sidecar that is away or slower than the
          // publisher must not lose queued deletes to the default limit of 1000 (no resync brings them back).
          extraConfig.stream().anyMatch(l -> l.startsWith("max_queued_messages")) ? "" : "max_queued_messages 0",
          String.join("\n", extraConfig),
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
    ManagedProcess process = ManagedProcess.start("mosquitto:" + port,
        List.of(binary.toString(), "-c", config.toString()), log);
    Mosquitto mosquitto = new Mosquitto(port, config, process);
    try {
      Poll.until(STARTUP, () -> Poll.accepts(port), process::isAlive,
          () -> "mosquitto does not accept connections on " + port + "; " + process.state()
              + "\n--- " + log + "\n" + mosquitto.log());
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return mosquitto;
  }

  public int port() {
    return port;
  }

  /** The broker address as MQTT clients take it. */
  public String url() {
    return "tcp://" + FreePorts.LOOPBACK + ":" + port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Path configFile() {
    return config;
  }

  /** The broker's log so far, for assertion messages. */
  public String log() {
    return RunFiles.read(process.output());
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 5 s); idempotent. */
  public void stop() {
    process.close();
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "Mosquitto[" + url() + ", " + process.state() + "]";
  }
}
