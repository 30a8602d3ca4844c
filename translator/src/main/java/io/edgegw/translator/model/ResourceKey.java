package io.edgegw.translator.model;

import java.util.Comparator;
import java.util.Objects;

/** Identity of one input resource: kind, namespace, name. */
public record ResourceKey(Kind kind, String namespace, String name) implements Comparable<ResourceKey> {
  private static final Comparator<ResourceKey> ORDER =
      Comparator.comparing(ResourceKey::kind)
          .thenComparing(ResourceKey::namespace)
          .thenComparing(ResourceKey::name);

  public ResourceKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  public static ResourceKey of(Kind kind, String namespace, String name) {
    return new ResourceKey(kind, namespace, name);
  }

  /** {@code kind/namespace/name} with the lower-case kind, as in MQTT topics. */
  public String path() {
    return kind.topicName() + "/" + namespace + "/" + name;
  }

  @Override
  public int compareTo(ResourceKey other) {
    return ORDER.compare(this, other);
  }

  /**
   * Human form used in every diagnostic: {@code VirtualService default/bookinfo},
   * {@code Gateway.gateway.networking.k8s.io default/web} ({@link Kind#displayName()}).
   */
  @Override
  public String toString() {
    return kind.displayName() + " " + namespace + "/" + name;
  }
}
