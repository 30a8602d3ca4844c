package io.edgegw.it.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A line echo server on 127.0.0.1 standing for a TCP workload (a database, a DICOM node): every line
 * it reads comes back as {@code <name>: <line>}, so a test sees which backend a connection reached.
 * With an SSLContext it terminates TLS itself and presents its own certificate (for passthrough).
 */
public final class TcpEchoBackend implements AutoCloseable {
  private final String name;
  private final ServerSocket server;
  private final ExecutorService executor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();

  private TcpEchoBackend(String name, ServerSocket server) {
    this.name = name;
    this.server = server;
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "echo-" + name + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    executor.execute(this::accept);
  }

  public static TcpEchoBackend plain(String name) {
    return start(name, Optional.empty());
  }

  /** An echo server that speaks TLS itself, presenting the certificate of {@code context}. */
  public static TcpEchoBackend tls(String name, SSLContext context) {
    return start(name, Optional.of(context));
  }

  private static TcpEchoBackend start(String name, Optional<SSLContext> tls) {
    try {
      ServerSocket socket = tls.isPresent() ? tls.get().getServerSocketFactory().createServerSocket() : new ServerSocket();
      socket.bind(new InetSocketAddress(FreePorts.loopback(), 0), 64);
      return new TcpEchoBackend(name, socket);
    } catch (IOException e) {
      throw new UncheckedIOException("echo backend " + name + " cannot listen", e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        open.add(socket);
        executor.execute(() -> echo(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void echo(Socket socket) {
    try (socket) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = socket.getOutputStream();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.write((name + ": " + line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      // The peer went away (or a TLS handshake failed): nothing to echo any more.
    } finally {
      open.remove(socket);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // Closing a listening socket cannot lose data.
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Already gone.
      }
    }
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "TcpEchoBackend[" + name + " on " + FreePorts.LOOPBACK + ":" + port() + "]";
  }
}
