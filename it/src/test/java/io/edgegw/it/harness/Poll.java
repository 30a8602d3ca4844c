package io.edgegw.it.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits whose failure says why, with the process log at hand. */
final class Poll {

  private static final Duration INTERVAL = Duration.ofMillis(50);

  private Poll() {}

  /**
   * Waits until {@code condition} holds. Fails early when {@code stillWorthWaiting} turns false (the
   * process died), and otherwise after {@code timeout}; both with {@code message}.
   */
  static void until(Duration timeout, BooleanSupplier condition, BooleanSupplier stillWorthWaiting,
      Supplier<String> message) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (!stillWorthWaiting.getAsBoolean()) {
        throw new IllegalStateException(message.get());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms: " + message.get());
      }
      try {
        Thread.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted: " + message.get(), e);
      }
    }
  }

  /** True when something accepts TCP connections on 127.0.0.1:port. */
  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(FreePorts.loopback(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
