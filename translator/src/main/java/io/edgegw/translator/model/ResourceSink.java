package io.edgegw.translator.model;

import java.util.Optional;

/** Where sources (MQTT, config dir) deliver what they read. Implementations must be thread-safe. */
public interface ResourceSink {
  /** A well-formed upsert or delete. */
  void accept(ResourceEvent event);

  /**
   * Input that could not even be read as a resource (bad YAML, unknown kind, topic and payload
   * disagreeing, too large). {@code origin} says where it came from, e.g. the MQTT topic or file.
   */
  void reject(String origin, Optional<ResourceKey> key, String reason);
}
