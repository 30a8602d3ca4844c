package io.edgegw.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/** Local processes and sockets the benchmarks need: mosquitto, Envoy, a backend, a keep-alive client. */
final class Local {
  private Local() {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void awaitPort(int port, Duration timeout, Process process) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!accepts(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("nothing listens on " + port);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  static Process start(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static void stop(Process p) throws InterruptedException {
    stop(p, Duration.ofSeconds(5));
  }

  /** SIGTERM, then SIGKILL after {@code grace} (a JVM writing a CDS archive at exit needs longer). */
  static void stop(Process p, Duration grace) throws InterruptedException {
    if (p == null) {
      return;
    }
    p.destroy();
    if (!p.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
    }
  }

  static Process mosquitto(Path dir, int port) throws IOException {
    Path conf = Files.writeString(dir.resolve("mosquitto.conf"),
        "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n");
    Process p = start(List.of(Tools.mosquitto(), "-c", conf.toString()), dir.resolve("mosquitto.log"));
    awaitPort(port, Duration.ofSeconds(10), p);
    return p;
  }

  static Process envoy(Path dir, String name, String bootstrapFileName, byte[] bootstrap, int adminPort)
      throws IOException {
    Path file = Files.write(dir.resolve(bootstrapFileName), bootstrap);
    List<String> command = new ArrayList<>(List.of(Tools.envoy(), "-c", file.toString(), "--concurrency", "1",
        "--disable-hot-restart", "-l", "warn"));
    String componentLog = System.getProperty("bench.envoyComponentLog");
    if (componentLog != null) {
      command.addAll(List.of("--component-log-level", componentLog));
    }
    Process p = start(command, dir.resolve(name + ".log"));
    awaitPort(adminPort, Duration.ofSeconds(20), p);
    return p;
  }

  /** A backend answering 200 "ok" to everything. */
  static HttpServer backend(int port) throws IOException {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40 ms
    // per request, and the backend, not Envoy, would set the throughput.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    byte[] ok = "ok\n".getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, ok.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(ok);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "backend");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return server;
  }

  /** One HTTP/1.1 keep-alive connection; reconnects after an error. Not thread-safe. */
  static final class Client implements AutoCloseable {
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Client(int port) {
      this.port = port;
    }

    /** The status code, or -1 if the connection failed. */
    int get(String host, String path) {
      try {
        if (socket == null) {
          socket = new Socket("127.0.0.1", port);
          socket.setTcpNoDelay(true);
          socket.setSoTimeout(5000);
          in = new BufferedInputStream(socket.getInputStream());
          out = socket.getOutputStream();
        }
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = line();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
          String lower = h.toLowerCase();
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(lower.substring(15).trim());
          } else if (lower.startsWith("connection:") && lower.contains("close")) {
            close = true;
          }
        }
        in.skipNBytes(length);
        if (close) {
          close();
        }
        return code;
      } catch (IOException | RuntimeException e) {
        close();
        return -1;
      }
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() {
      try {
        if (socket != null) {
          socket.close();
        }
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
  }
}
