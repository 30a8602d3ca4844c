package io.edgegw.translator.model;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Where sources (MQTT, config dir, Kubernetes API) deliver what they read. Implementations must be thread-safe. */
public interface ResourceSink {
  /** A well-formed upsert or delete. */
  void accept(ResourceEvent event);

  /**
   * Input that could not even be read as a resource (bad YAML, unknown kind, topic and payload
   * disagreeing, too large). {@code origin} says where it came from, e.g. the MQTT topic or file.
   */
  void reject(String origin, Optional<ResourceKey> key, String reason);

  /**
   * A complete listing from {@code source} (as {@link ResourceEvent#source()}) of everything {@code scope}
   * covers: what is stored from that source within the scope and absent from {@code present} was
   * deleted while the source was away (or the sidecar was down) and is removed. Nothing another source
   * owns is touched. Ordered with the source's events: send it after the listing's upserts.
   */
  void reconcile(String source, Predicate<ResourceKey> scope, Set<ResourceKey> present);
}
