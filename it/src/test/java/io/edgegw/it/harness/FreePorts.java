package io.edgegw.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on 127.0.0.1, the only address the tests bind to. */
public final class FreePorts {

  public static final String LOOPBACK = "127.0.0.1";

  private FreePorts() {}

  /**
   * A port that was free a moment ago. The kernel hands out ports round-robin, so a port is not given
   * again soon; there is still a window in which another process could take it before it is used.
   */
  public static int next() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(loopback(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + LOOPBACK, e);
    }
  }

  /** {@code count} distinct free ports: all are held open together while they are chosen. */
  public static List<Integer> next(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        held.add(socket);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(loopback(), 0));
        ports.add(socket.getLocalPort());
      }
      return List.copyOf(ports);
    } catch (IOException e) {
      throw new UncheckedIOException("no " + count + " free ports on " + LOOPBACK, e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Closing a listening socket that never accepted cannot lose anything.
        }
      }
    }
  }

  /**
   * A free port that nothing will answer on: below Linux's ephemeral range (32768 and up), so a client
   * retrying a connection to it can never get it as its own source port and connect to itself (a TCP
   * self-connect, which makes a "nobody listens here" test pass a connection through).
   */
  public static int unanswered() {
    for (int port = 20000 + (int) (ProcessHandle.current().pid() % 5000); port < 32000; port += 7) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(loopback(), port));
        return port;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port below the ephemeral range on " + LOOPBACK);
  }

  static InetAddress loopback() {
    try {
      // Not InetAddress.getLoopbackAddress(): that may be ::1, and everything here listens on IPv4.
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
