package io.edgegw.server.cli;

import com.google.common.collect.ImmutableList;
import io.edgegw.server.ManifestFiles;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Every document of the files (and directories) given with {@code -f}, in order, with its file. */
record ManifestDocuments(ImmutableList<Document> documents) {
  record Document(Path file, ResourceReader.Read read) {
    /** {@code ERROR path: VirtualService default/x: error}, the form every command prints. */
    String failure() {
      return "ERROR " + file + ": " + read;
    }
  }

  static ManifestDocuments read(List<Path> paths) throws IOException {
    ResourceReader reader = new ResourceReader();
    ImmutableList.Builder<Document> documents = ImmutableList.builder();
    for (Path file : ManifestFiles.expand(paths)) {
      for (ResourceReader.Read read : reader.read(Files.readAllBytes(file))) {
        documents.add(new Document(file, read));
      }
    }
    return new ManifestDocuments(documents.build());
  }
}
