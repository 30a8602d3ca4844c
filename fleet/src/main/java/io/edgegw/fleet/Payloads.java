package io.edgegw.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.translator.model.Resource;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The retained message for one resource: its manifest as JSON with {@code metadata.resourceVersion}
 * set to {@code fleet-} and a digest of the content. The sidecar echoes it in the resource's status,
 * which is how {@code fleet status --wait-applied} knows a status is about the latest change.
 */
public final class Payloads {
  /** Marks resourceVersions the sync stamped; only statuses carrying one are the sync's business. */
  public static final String VERSION_PREFIX = "fleet-";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  public static byte[] of(Resource resource) {
    ObjectNode manifest = resource.manifest().deepCopy();
    ObjectNode metadata = (ObjectNode) manifest.with("metadata");
    metadata.remove("resourceVersion");
    String version = VERSION_PREFIX + digest(bytes(manifest)).substring(0, 16);
    metadata.put("resourceVersion", version);
    return bytes(manifest);
  }

  public static String digest(byte[] payload) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The {@code metadata.resourceVersion} of a retained payload, if it is JSON and has one. */
  public static Optional<String> resourceVersion(byte[] payload) {
    try {
      JsonNode node = JSON.readTree(payload);
      String version = node == null ? "" : node.path("metadata").path("resourceVersion").asText("");
      return version.isEmpty() ? Optional.empty() : Optional.of(version);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a manifest read from YAML or JSON always serializes", e);
    }
  }
}
