package io.edgegw.translator.gatewayapi.status;

import com.google.common.collect.ImmutableList;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One entry of a route's {@code status.parents}: the parentRef as the route spells it (optional
 * fields stay absent, as the specification's comparison expects), and our verdict.
 */
public record ParentStatus(ParentRef parentRef, String controllerName, ImmutableList<Condition> conditions) {

  /** A route's {@code parentRef}, with only the fields the route gave. */
  public record ParentRef(
      Optional<String> group,
      Optional<String> kind,
      Optional<String> namespace,
      String name,
      Optional<String> sectionName,
      OptionalInt port) {}
}
