package io.edgegw.translator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import java.util.Map;
import java.util.Objects;

/**
 * One input resource as the operator wrote it: its key and the whole manifest as a JSON tree.
 *
 * <p>The tree is a private deep copy and is never handed out mutable-by-contract: callers must not
 * modify what {@link #manifest()} returns. Typed decoding and validation live in the translator.
 */
public final class Resource {
  private final ResourceKey key;
  private final ObjectNode manifest;

  public Resource(ResourceKey key, ObjectNode manifest) {
    this.key = Objects.requireNonNull(key, "key");
    this.manifest = Objects.requireNonNull(manifest, "manifest").deepCopy();
  }

  public ResourceKey key() {
    return key;
  }

  /** The whole manifest. Treat as read-only. */
  public ObjectNode manifest() {
    return manifest;
  }

  public JsonNode spec() {
    return manifest.path("spec");
  }

  public JsonNode metadata() {
    return manifest.path("metadata");
  }

  public ImmutableMap<String, String> labels() {
    ImmutableMap.Builder<String, String> labels = ImmutableMap.builder();
    for (Map.Entry<String, JsonNode> e : metadata().path("labels").properties()) {
      labels.put(e.getKey(), e.getValue().asText());
    }
    return labels.buildKeepingLast();
  }

  /** RFC 3339 creationTimestamp, or empty when absent; istiod orders conflicts by it. */
  public String creationTimestamp() {
    return metadata().path("creationTimestamp").asText("");
  }

  @Override
  public boolean equals(Object o) {
    // Same instance first: the store hands out unchanged resources as the same objects.
    return o == this || o instanceof Resource r && r.key.equals(key) && r.manifest.equals(manifest);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + manifest.hashCode();
  }

  @Override
  public String toString() {
    return key.toString();
  }
}
