package io.edgegw.translator.model;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Objects;
import java.util.stream.Stream;

/** Every accepted input resource at one moment, ordered by key so translation is deterministic. */
public record InputSet(ImmutableSortedMap<ResourceKey, Resource> resources) {
  public static final InputSet EMPTY = new InputSet(ImmutableSortedMap.of());

  public InputSet {
    Objects.requireNonNull(resources, "resources");
  }

  public Stream<Resource> ofKind(Kind kind) {
    return resources.values().stream().filter(r -> r.key().kind() == kind);
  }
}
