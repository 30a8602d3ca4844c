package io.edgegw.it.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on 127.0.0.1, the only address the tests bind to. */
public final class FreePorts {

  public static final String LOOPBACK = "127.0.0.1";

  private FreePorts() {}

  /**
   * Ports are handed out below Linux's ephemeral range (32768 and up by default). Ports from the
   * kernel's bind(0) are ephemeral ones, and between choosing such a port and Envoy binding it, any
   * outgoing connection on the machine may get it as its source port: Envoy then refuses the listener
   * ("Address already in use") and counts an LDS rejection. Outgoing connections never take ports below
   * the range, and a cursor shared by the whole test JVM never hands one out twice.
   */
  private static final int FIRST = 12000;
  private static final int END = ephemeralStart();
  private static int cursor = FIRST + (int) (ProcessHandle.current().pid() * 37 % (END - FIRST));

  /** A port that was free a moment ago and that no outgoing connection can take. */
  public static int next() {
    return next(1).get(0);
  }

  /** {@code count} distinct free ports. */
  public static synchronized List<Integer> next(int count) {
    List<Integer> ports = new ArrayList<>();
    for (int tried = 0; ports.size() < count; tried++) {
      if (tried > END - FIRST) {
        throw new IllegalStateException("no " + count + " free ports below " + END + " on " + LOOPBACK);
      }
      int port = cursor;
      cursor = cursor + 1 < END ? cursor + 1 : FIRST;
      if (free(port)) {
        ports.add(port);
      }
    }
    return List.copyOf(ports);
  }

  /**
   * A free port that nothing will answer on: below the ephemeral range, so a client retrying a
   * connection to it can never get it as its own source port and connect to itself (a TCP self-connect,
   * which makes a "nobody listens here" test pass a connection through); and never handed out by
   * {@link #next()} in this JVM.
   */
  public static int unanswered() {
    return next();
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(loopback(), port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int ephemeralStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      if (start > FIRST + 2000) {
        return start;
      }
    } catch (IOException | RuntimeException unreadable) {
      // Not Linux, or an unusual range: fall back to the default.
    }
    return 32768;
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
