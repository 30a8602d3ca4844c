package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The source of truth as a directory of manifests (a Git checkout): every {@code .yaml}, {@code .yml}
 * and {@code .json} file below it, hidden directories ({@code .git}) skipped, read with the
 * project's {@link ResourceReader}.
 */
public final class SourceDirectory implements FleetSource {
  /** What the directory holds; {@code problems} name the file and document, or a key defined twice. */
  public record Snapshot(ImmutableList<Resource> resources, ImmutableList<String> problems) {}

  private final Path root;
  private final ResourceReader reader = new ResourceReader();

  public SourceDirectory(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  @Override
  public String describe() {
    return root.toString();
  }

  /** Paths, sizes and modification times of the files below the root: cheap to compare every poll. */
  @Override
  public String fingerprint() throws IOException {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.append(p)
            .append('|')
            .append(Files.size(p))
            .append('|')
            .append(Files.getLastModifiedTime(p).toMillis())
            .append('\n');
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return Payloads.digest(out.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Snapshot read() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": not a directory");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> !hidden(root.relativize(p)))
              .filter(
                  p ->
                      p.toString().endsWith(".yaml")
                          || p.toString().endsWith(".yml")
                          || p.toString().endsWith(".json"))
              .sorted()
              .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    ImmutableList.Builder<Resource> resources = ImmutableList.builder();
    List<String> problems = new ArrayList<>();
    Map<ResourceKey, Path> seen = new HashMap<>();
    for (Path file : files) {
      for (ResourceReader.Read read : reader.read(Files.readAllBytes(file))) {
        String where = root.relativize(file).toString();
        if (read instanceof ResourceReader.Ok ok) {
          Path earlier = seen.putIfAbsent(ok.resource().key(), file);
          if (earlier != null) {
            problems.add(where + ": " + ok.resource().key() + " is also defined in " + root.relativize(earlier));
          } else {
            resources.add(ok.resource());
          }
        } else {
          problems.add(where + ": " + read);
        }
      }
    }
    return new Snapshot(resources.build(), ImmutableList.copyOf(problems));
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
