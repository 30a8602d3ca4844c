package io.edgegw.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resources Envoy refused, kept in the state directory ({@code quarantine.json}) with the digest of
 * the refused content, so that a restarted sidecar holds them out from its first translation instead
 * of sending Envoy the same refused config again. An entry applies only while the stored resource still
 * has that digest: a new version published while the sidecar was down is tried afresh.
 */
final class QuarantineFile {
  private static final Logger log = LoggerFactory.getLogger(QuarantineFile.class);

  /**
   * Jackson, set up on first use (with the first translation, on the config loop): building the first
   * ObjectMapper takes 0.1 s of a cold start (databind's classes, the JDK's locale data for its date
   * format), which a start that serves a saved snapshot need not spend before serving it.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** One quarantined resource: the digest of its refused content and Envoy's message. */
  record Entry(String digest, String message) {
    Entry {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(message, "message");
    }
  }

  private final Path file;

  QuarantineFile(Path stateDir) {
    this.file = Objects.requireNonNull(stateDir, "stateDir").resolve("quarantine.json");
  }

  /** The saved entries; empty when there is no file, or it cannot be read (logged). */
  ImmutableMap<ResourceKey, Entry> load() {
    try {
      JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
      ImmutableMap.Builder<ResourceKey, Entry> entries = ImmutableMap.builder();
      for (JsonNode e : root.path("quarantined")) {
        parseKey(e.path("resource").asText()).ifPresent(key ->
            entries.put(key, new Entry(e.path("digest").asText(), e.path("message").asText())));
      }
      return entries.buildKeepingLast();
    } catch (NoSuchFileException e) {
      return ImmutableMap.of();
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read {} ({}); resources Envoy refused before are tried again", file, e.toString());
      return ImmutableMap.of();
    }
  }

  /** Replaces the file (owner-only, crash-safe); no file when nothing is quarantined. */
  void save(Map<ResourceKey, Entry> entries) throws IOException {
    if (entries.isEmpty()) {
      Files.deleteIfExists(file);
      return;
    }
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode list = root.putArray("quarantined");
    entries.forEach((key, entry) -> list.addObject()
        .put("resource", key.path()).put("digest", entry.digest()).put("message", entry.message()));
    StateDirectory.writeAtomically(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  private static Optional<ResourceKey> parseKey(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    return Kind.fromTopicName(parts[0]).map(kind -> ResourceKey.of(kind, parts[1], parts[2]));
  }
}
