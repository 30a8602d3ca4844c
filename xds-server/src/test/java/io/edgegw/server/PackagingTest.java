package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every way the sidecar is started uses the one JVM options file, and the JVM accepts that file. */
class PackagingTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path OPTIONS = REPO.resolve("xds-server/src/main/jvm/edgegw.jvmopts");

  private static List<String> options() throws IOException {
    return Files.readAllLines(OPTIONS).stream()
        .map(line -> line.replaceFirst("#.*", "").trim())
        .filter(line -> !line.isEmpty())
        .toList();
  }

  private static String read(String path) throws IOException {
    return Files.readString(REPO.resolve(path));
  }

  @Test
  void theJvmAcceptsTheOptionsFile() throws Exception {
    assertTrue(options().contains("-Xmx160m"), options().toString());
    Process java = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + OPTIONS, "-version")
        .redirectErrorStream(true)
        .start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(java.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, java.exitValue(), output);
  }

  @Test
  void everyLauncherReadsTheOptionsFileAndKeepsNoCopyOfItsOptions() throws IOException {
    String script = read("bin/edgegw");
    assertTrue(script.contains("\"@$repo/xds-server/src/main/jvm/edgegw.jvmopts\""), "bin/edgegw");
    assertTrue(script.contains("EDGEGW_JAVA_OPTS"), "bin/edgegw keeps its override");
    String dockerfile = read("Dockerfile");
    assertTrue(dockerfile.contains("COPY xds-server/src/main/jvm/edgegw.jvmopts /opt/edgegw/edgegw.jvmopts"));
    assertTrue(dockerfile.contains("ENTRYPOINT [\"/opt/java/bin/java\", \"@/opt/edgegw/edgegw.jvmopts\""));
    assertTrue(dockerfile.contains("/opt/java/bin/java @/opt/edgegw/edgegw.jvmopts \\\n"), "the AppCDS training run");
    String harness = read("it/src/test/java/io/edgegw/it/harness/SidecarProcess.java");
    assertTrue(harness.contains("\"xds-server/src/main/jvm/edgegw.jvmopts\""), "it/ SidecarProcess");
    assertTrue(harness.contains("\"@\" + JVM_OPTIONS"), "it/ SidecarProcess");
    assertTrue(read("bench/src/main/java/io/edgegw/bench/Footprint.java")
        .contains("\"xds-server/src/main/jvm/edgegw.jvmopts\""), "bench/ Footprint");
    // bench/ Footprint varies the options on purpose, so only the launchers proper must not repeat them.
    for (String launcher : List.of(script, dockerfile, harness)) {
      for (String option : options()) {
        assertFalse(launcher.contains(option), option + " repeated outside " + OPTIONS);
      }
    }
  }
}
