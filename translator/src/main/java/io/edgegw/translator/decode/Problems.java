package io.edgegw.translator.decode;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.LinkedHashSet;
import java.util.Set;

/** Collects the diagnostics found while decoding one resource, in the order found. */
public final class Problems {
  private final ResourceKey resource;
  // A set: re-reading a malformed field must not report it twice.
  private final Set<Diagnostic> found = new LinkedHashSet<>();

  public Problems(ResourceKey resource) {
    this.resource = resource;
  }

  public ResourceKey resource() {
    return resource;
  }

  public void error(String field, String message) {
    found.add(Diagnostic.error(resource, field, message));
  }

  public void warning(String field, String message) {
    found.add(Diagnostic.warning(resource, field, message));
  }

  /** Diagnostics found earlier for this resource (a remembered part's), in their order. */
  public void addAll(Iterable<Diagnostic> diagnostics) {
    for (Diagnostic d : diagnostics) {
      if (!d.resource().equals(resource)) {
        throw new IllegalArgumentException(d + " is not about " + resource);
      }
      found.add(d);
    }
  }

  public boolean hasErrors() {
    return found.stream().anyMatch(Diagnostic::isError);
  }

  public ImmutableList<Diagnostic> all() {
    return ImmutableList.copyOf(found);
  }
}
