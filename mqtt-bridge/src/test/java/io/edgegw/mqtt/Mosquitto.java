package io.edgegw.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real mosquitto on a free loopback port, for tests. {@link #stop()} and {@link #start()} keep the
 * port, so clients can be tested across a broker restart. Its log is {@code mosquitto.log} in the
 * given directory.
 */
final class Mosquitto implements AutoCloseable {
  private static final String BINARY = "/usr/sbin/mosquitto";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private final int port;
  private final List<String> listenerOptions;
  private Process process;

  private Mosquitto(Path dir, int port, List<String> listenerOptions) {
    this.dir = dir;
    this.port = port;
    this.listenerOptions = List.copyOf(listenerOptions);
  }

  /** Starts a broker in {@code dir} (which holds its config and log) on a free port. */
  static Mosquitto start(Path dir) {
    return startOn(dir, freePort());
  }

  /** Starts a broker on a given port, e.g. one a client is already trying to reach. */
  static Mosquitto startOn(Path dir, int port) {
    return startOn(dir, port, List.of());
  }

  /** {@code listenerOptions} are config lines for the listener, e.g. {@code certfile ...} for TLS. */
  static Mosquitto startOn(Path dir, int port, List<String> listenerOptions) {
    Mosquitto broker = new Mosquitto(dir, port, listenerOptions);
    broker.start();
    return broker;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  /** Starts the broker again on the same port; it has no memory of earlier runs (persistence off). */
  void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("mosquitto already runs on port " + port);
    }
    try {
      Path conf = dir.resolve("mosquitto.conf");
      List<String> lines = new ArrayList<>();
      lines.add("listener " + port + " 127.0.0.1");
      lines.addAll(listenerOptions);
      lines.addAll(List.of("allow_anonymous true", "persistence false", "log_type all",
          // Started as root, mosquitto would switch to user "mosquitto" and lose access to our temp dir.
          "user " + System.getProperty("user.name"), ""));
      Files.writeString(conf, String.join("\n", lines));
      process = new ProcessBuilder(BINARY, "-c", conf.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    awaitListening();
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited with " + process.exitValue() + "; see " + dir.resolve("mosquitto.log"));
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    stop();
    throw new IllegalStateException("mosquitto did not listen on " + port + " within " + READY_TIMEOUT);
  }

  /** Stops the broker: SIGTERM, then SIGKILL after 5 s. */
  void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
