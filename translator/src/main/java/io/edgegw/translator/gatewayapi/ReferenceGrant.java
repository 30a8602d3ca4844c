package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * A ReferenceGrant: objects of the {@code from} kinds in the listed namespaces may refer to objects
 * of the {@code to} kinds in the grant's own namespace (all of them, or the one named). Groups are
 * as written, {@code ""} for the core group.
 */
public record ReferenceGrant(ResourceKey key, ImmutableList<From> from, ImmutableList<To> to) {
  /** Who may refer: a kind in a namespace. */
  public record From(String group, String kind, String namespace) {}

  /** What may be referred to, in the grant's namespace: a kind, and with {@code name} only that object. */
  public record To(String group, String kind, Optional<String> name) {}
}
