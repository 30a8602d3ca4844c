package io.edgegw.translator.model;

import java.util.Objects;

/**
 * A problem found in one input resource, naming the field: {@code spec.http[0].match[0].uri.regex}.
 * An empty field means the resource as a whole.
 */
public record Diagnostic(ResourceKey resource, Severity severity, String field, String message) {
  public Diagnostic {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  public static Diagnostic error(ResourceKey resource, String field, String message) {
    return new Diagnostic(resource, Severity.ERROR, field, message);
  }

  public static Diagnostic warning(ResourceKey resource, String field, String message) {
    return new Diagnostic(resource, Severity.WARNING, field, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code ERROR VirtualService default/bookinfo: spec.http[0].route: ...}. */
  @Override
  public String toString() {
    return severity + " " + resource + ": " + (field.isEmpty() ? "" : field + ": ") + message;
  }
}
