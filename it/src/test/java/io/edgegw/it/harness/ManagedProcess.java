package io.edgegw.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose output goes to a file and which is stopped even when the JVM exits without
 * closing it (a failed @BeforeAll, Ctrl-C, a surefire timeout): no Envoy or broker outlives the tests.
 */
final class ManagedProcess implements AutoCloseable {

  private static final Duration GRACE = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final Path output;
  private final Thread shutdownHook;

  private ManagedProcess(String name, Process process, Path output) {
    this.name = name;
    this.process = process;
    this.output = output;
    this.shutdownHook = new Thread(() -> process.destroyForcibly(), "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  static ManagedProcess start(String name, List<String> command, Path output) {
    try {
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
          .start();
      return new ManagedProcess(name, process, output);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  Path output() {
    return output;
  }

  /** Exit code, or a note that it still runs; for failure messages. */
  String state() {
    return process.isAlive() ? name + " (pid " + pid() + ") is running" : name + " exited with " + process.exitValue();
  }

  /** SIGTERM, up to 5 s for a clean exit, then SIGKILL. Idempotent. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      removeShutdownHook();
    }
  }

  /** SIGKILL, as a power cut or the OOM killer would end it: no shutdown hook runs. Idempotent. */
  void kill() {
    try {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      removeShutdownHook();
    }
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs anyway and finds the process gone.
    }
  }
}
