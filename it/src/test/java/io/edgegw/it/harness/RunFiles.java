package io.edgegw.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Configs and logs of the processes a test run starts, kept under the module's target/it-logs so a
 * failed run can be read afterwards (and `mvn clean` removes them).
 */
final class RunFiles {

  private RunFiles() {}

  static Path dir() {
    // Surefire sets basedir to the module directory; from an IDE the working directory usually is.
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "it-logs");
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** A new, uniquely named empty file, e.g. envoy-123456.log. */
  static Path create(String prefix, String suffix) {
    try {
      return Files.createTempFile(dir(), prefix, suffix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a file in " + dir(), e);
    }
  }

  /** A file with the given stem and another suffix, for files that belong together (.yaml / .log). */
  static Path sibling(Path file, String suffix) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + suffix);
  }

  static String read(Path file) {
    try {
      // Lenient decoding: a log cut mid-character must still be readable.
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
