package io.edgegw.translator.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One input resource as the operator wrote it: its key and the whole manifest as a JSON tree.
 *
 * <p>The manifest is kept as compact JSON bytes and parsed again on each {@link #manifest()}: a tree
 * costs about fifteen times its JSON (a LinkedHashMap per object), and every accepted resource is
 * held for as long as it is served, while the tree is read only when the resource is decoded (once
 * per change: the translator keeps what it decoded). That keeps the heap the documented limits need
 * bounded (docs/resilience.md, "Bounded memory"). Typed decoding and validation live in the
 * translator.
 */
public final class Resource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ResourceKey key;
  private final byte[] json;
  private final int hash;

  /**
   * @throws IllegalArgumentException when the manifest does not survive a round trip through JSON
   *     (so {@link #manifest()} can never fail later)
   */
  public Resource(ResourceKey key, ObjectNode manifest) {
    this.key = Objects.requireNonNull(key, "key");
    Objects.requireNonNull(manifest, "manifest");
    try {
      this.json = JSON.writeValueAsBytes(manifest);
      // A manifest that would not parse again is refused here, not later; reading its tokens is
      // enough to know, without building the tree again.
      try (JsonParser parser = JSON.createParser(json)) {
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
          if (token.isNumeric()) {
            parser.getNumberValue(); // decoded as the tree would, within the parser's limits
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("manifest cannot be kept as JSON: " + e.getClass().getSimpleName(), e);
    }
    this.hash = key.hashCode() * 31 + Arrays.hashCode(json);
  }

  /** The manifest's size as compact JSON, in bytes: what it costs to keep. */
  public int size() {
    return json.length;
  }

  public ResourceKey key() {
    return key;
  }

  /** The whole manifest, parsed anew on every call (a fresh tree): call once per use and keep the result. */
  public ObjectNode manifest() {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(key + ": stored manifest no longer parses: " + e, e);
    }
  }

  public JsonNode spec() {
    return manifest().path("spec");
  }

  /**
   * The manifest's {@code metadata}, parsed alone: the rest of the manifest (a big VirtualService's
   * thousand routes) is skipped token by token, without building its tree.
   */
  public JsonNode metadata() {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          if (name.equals("metadata")) {
            JsonNode metadata = JSON.readTree(parser);
            return metadata == null ? MissingNode.getInstance() : metadata;
          }
          parser.skipChildren();
        }
      }
      return MissingNode.getInstance();
    } catch (IOException e) {
      throw new IllegalStateException(key + ": stored manifest no longer parses: " + e, e);
    }
  }

  /** The manifest as compact JSON (a copy): what it costs to write or hash without parsing it. */
  public byte[] toJson() {
    return json.clone();
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
    return o == this || o instanceof Resource r && r.hash == hash && r.key.equals(key) && Arrays.equals(r.json, json);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return key.toString();
  }
}
