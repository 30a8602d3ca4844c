package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Which files hold manifests: {@code *.yaml}, {@code *.yml}, {@code *.json}, in name order. */
public final class ManifestFiles {
  private ManifestFiles() {}

  public static boolean isManifest(Path file) {
    String name = file.getFileName().toString();
    // Hidden names are editor temp files or Kubernetes' ..data symlink farm for mounted ConfigMaps.
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
  }

  /** The manifest files directly in {@code dir}, sorted. */
  public static ImmutableList<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(ManifestFiles::isManifest).filter(Files::isRegularFile).sorted()
          .collect(ImmutableList.toImmutableList());
    }
  }

  /** Files as given, directories replaced by their manifest files; in the order given. */
  public static ImmutableList<Path> expand(List<Path> paths) throws IOException {
    ImmutableList.Builder<Path> out = ImmutableList.builder();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        out.addAll(list(path));
      } else if (Files.isRegularFile(path)) {
        out.add(path);
      } else {
        throw new NoSuchFileException(path.toString(), null, "not a file or directory");
      }
    }
    return out.build();
  }
}
