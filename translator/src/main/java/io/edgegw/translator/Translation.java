package io.edgegw.translator;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.gatewayapi.status.ObjectStatus;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.Objects;

/**
 * What one translation gives: the Envoy resources, every problem found in the inputs, and the
 * {@code .status} of each Gateway API object that has one ({@code statuses}).
 */
public record Translation(
    EnvoyResources resources,
    ImmutableList<Diagnostic> diagnostics,
    ImmutableMap<ResourceKey, ObjectStatus> statuses) {
  public Translation {
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(diagnostics, "diagnostics");
    Objects.requireNonNull(statuses, "statuses");
  }

  /** Without object statuses (no Gateway API objects). */
  public Translation(EnvoyResources resources, ImmutableList<Diagnostic> diagnostics) {
    this(resources, diagnostics, ImmutableMap.of());
  }

  /** Resources with at least one ERROR diagnostic. */
  public ImmutableSet<ResourceKey> rejected() {
    return diagnostics.stream().filter(d -> d.isError()).map(d -> d.resource()).collect(ImmutableSet.toImmutableSet());
  }
}
