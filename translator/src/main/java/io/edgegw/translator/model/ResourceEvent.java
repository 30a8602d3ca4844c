package io.edgegw.translator.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A change to one input resource, from any source (MQTT, config dir, Kubernetes API). {@code origin}
 * says where exactly ({@code mqtt:<topic>}, {@code file:<path>#<doc>}, {@code kube:<object path>}); its
 * part before the first colon is the {@link #source()} that owns what it stores.
 */
public record ResourceEvent(Type type, ResourceKey key, Optional<Resource> resource, String origin) {
  public enum Type {
    UPSERT,
    DELETE
  }

  public ResourceEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(origin, "origin");
    if (type == Type.UPSERT && resource.isEmpty()) {
      throw new IllegalArgumentException("an upsert carries its resource");
    }
  }

  /** The source this event comes from: {@code mqtt}, {@code file}, {@code kube} ({@link #sourceOf}). */
  public String source() {
    return sourceOf(origin);
  }

  /** The part of an origin before its first colon, or all of it: the source that owns what it stores. */
  public static String sourceOf(String origin) {
    int colon = origin.indexOf(':');
    return colon < 0 ? origin : origin.substring(0, colon);
  }

  public static ResourceEvent upsert(Resource resource, String origin) {
    return new ResourceEvent(Type.UPSERT, resource.key(), Optional.of(resource), origin);
  }

  public static ResourceEvent delete(ResourceKey key, String origin) {
    return new ResourceEvent(Type.DELETE, key, Optional.empty(), origin);
  }
}
