package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.ResourceKey;

/**
 * A Kubernetes Namespace as far as the gateway cares: its name and labels (a Gateway API listener's
 * {@code allowedRoutes.namespaces.selector} selects by them). Cluster-scoped: the key's namespace is
 * {@code default}, {@link #name()} is the namespace's own name.
 */
public record Namespace(ResourceKey key, ImmutableSortedMap<String, String> labels) {
  public String name() {
    return key.name();
  }
}
