package io.edgegw.translator;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.Objects;

/** What one translation gives: the Envoy resources, and every problem found in the inputs. */
public record Translation(EnvoyResources resources, ImmutableList<Diagnostic> diagnostics) {
  public Translation {
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(diagnostics, "diagnostics");
  }

  /** Resources with at least one ERROR diagnostic. */
  public ImmutableSet<ResourceKey> rejected() {
    return diagnostics.stream().filter(d -> d.isError()).map(d -> d.resource()).collect(ImmutableSet.toImmutableSet());
  }
}
