package io.edgegw.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one input resource stands. {@code servingPrevious}: the latest submission was rejected but an
 * earlier accepted version is still stored and served. {@code objectStatus}: for Gateway API objects,
 * their own {@code .status} as the API server would hold it (never modified once here).
 */
public record ResourceStatus(
    ResourceKey key,
    State state,
    String origin,
    ImmutableList<String> reasons,
    ImmutableList<String> warnings,
    Optional<String> appliedVersion,
    boolean servingPrevious,
    Optional<String> resourceVersion,
    Optional<ObjectNode> objectStatus) {
  public enum State {
    /** Stored, not yet in a served snapshot. */
    ACCEPTED,
    /** In the snapshot served at {@link #appliedVersion()}. */
    APPLIED,
    /** Refused by validation or translation. */
    REJECTED,
    /** Translated, but Envoy refused the result; the previous snapshot is served. */
    REJECTED_BY_ENVOY;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  public ResourceStatus {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(reasons, "reasons");
    Objects.requireNonNull(warnings, "warnings");
    Objects.requireNonNull(appliedVersion, "appliedVersion");
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    Objects.requireNonNull(objectStatus, "objectStatus");
  }

  /** Without an object status. */
  public ResourceStatus(
      ResourceKey key,
      State state,
      String origin,
      ImmutableList<String> reasons,
      ImmutableList<String> warnings,
      Optional<String> appliedVersion,
      boolean servingPrevious,
      Optional<String> resourceVersion) {
    this(key, state, origin, reasons, warnings, appliedVersion, servingPrevious, resourceVersion, Optional.empty());
  }

  /** The same, with the object's own {@code .status}. */
  public ResourceStatus withObjectStatus(Optional<ObjectNode> objectStatus) {
    return new ResourceStatus(key, state, origin, reasons, warnings, appliedVersion, servingPrevious, resourceVersion,
        objectStatus);
  }

  /** Without a {@code metadata.resourceVersion} to echo. */
  public ResourceStatus(
      ResourceKey key,
      State state,
      String origin,
      ImmutableList<String> reasons,
      ImmutableList<String> warnings,
      Optional<String> appliedVersion,
      boolean servingPrevious) {
    this(key, state, origin, reasons, warnings, appliedVersion, servingPrevious, Optional.empty());
  }
}
