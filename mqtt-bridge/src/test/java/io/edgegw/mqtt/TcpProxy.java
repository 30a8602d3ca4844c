package io.edgegw.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay to a broker, so tests can make a client's connection die the way a network
 * does: {@link #cut()} closes both sides at once, without an MQTT DISCONNECT, and while
 * {@link #refuse(boolean)} is on, new connections are closed as soon as they are accepted.
 */
final class TcpProxy implements AutoCloseable {
  private final int target;
  private final ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;

  TcpProxy(int targetPort) {
    this.target = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("proxy-accept", this::acceptLoop).start();
  }

  int port() {
    return server.getLocalPort();
  }

  String uri() {
    return "tcp://127.0.0.1:" + port();
  }

  void refuse(boolean on) {
    refusing = on;
  }

  /** Drops every relayed connection, both ends. */
  void cut() {
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  @Override
  public void close() {
    closeQuietly(server);
    cut();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (refusing) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(upstream);
        daemon("proxy-up", () -> pump(client, upstream)).start();
        daemon("proxy-down", () -> pump(upstream, client)).start();
      } catch (IOException e) {
        // server closed, or the broker is not there: the client sees its connection close
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }
}
