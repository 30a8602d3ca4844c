package io.edgegw.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real mosquitto on a free loopback port with extra config lines (passwords, ACLs), for tests. */
final class TestBroker implements AutoCloseable {
  private static final String BINARY = System.getenv().getOrDefault("MOSQUITTO_BIN", "/usr/sbin/mosquitto");

  private final Path dir;
  private final int port;
  private final Process process;

  private TestBroker(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  static TestBroker start(Path dir, List<String> extraLines) throws IOException {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "persistence false", "log_type all",
        "user " + System.getProperty("user.name")));
    lines.addAll(extraLines.isEmpty() ? List.of("allow_anonymous true") : extraLines);
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, String.join("\n", lines) + "\n");
    Process process = new ProcessBuilder(BINARY, "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
    TestBroker broker = new TestBroker(dir, port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited; see " + dir.resolve("mosquitto.log"));
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return broker;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    broker.close();
    throw new UncheckedIOException(new IOException("mosquitto did not listen on " + port));
  }

  String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
