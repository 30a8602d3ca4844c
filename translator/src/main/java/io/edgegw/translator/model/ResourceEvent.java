package io.edgegw.translator.model;

import java.util.Objects;
import java.util.Optional;

/** A change to one input resource, from any source (MQTT, config dir). */
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

  public static ResourceEvent upsert(Resource resource, String origin) {
    return new ResourceEvent(Type.UPSERT, resource.key(), Optional.of(resource), origin);
  }

  public static ResourceEvent delete(ResourceKey key, String origin) {
    return new ResourceEvent(Type.DELETE, key, Optional.empty(), origin);
  }
}
