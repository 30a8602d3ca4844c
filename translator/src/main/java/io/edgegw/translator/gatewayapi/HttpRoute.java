package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;
import java.util.OptionalInt;

/** An HTTPRoute, with only what the HTTP core supports so far (the decoder reports the rest). */
public record HttpRoute(
    ResourceKey key,
    String created,
    ImmutableList<ParentRef> parents,
    ImmutableList<String> hostnames,
    ImmutableList<Rule> rules) {

  /**
   * A Gateway this route wants to attach to; {@code index} is its position in {@code
   * spec.parentRefs}.
   */
  public record ParentRef(
      int index, String namespace, String name, Optional<String> sectionName, OptionalInt port) {}

  /**
   * {@code index} is the rule's position in {@code spec.rules}; {@code matches} is never empty
   * (default: prefix /).
   */
  public record Rule(int index, ImmutableList<Match> matches, ImmutableList<BackendRef> backends) {}

  /**
   * {@code exact}: path type Exact, else PathPrefix; {@code path} without a trailing slash except
   * for "/".
   */
  public record Match(boolean exact, String path, ImmutableList<HeaderMatch> headers) {}

  /** Header type Exact. */
  public record HeaderMatch(String name, String value) {}

  /**
   * A Service port with its weight; {@code index} is its position in the rule's {@code
   * backendRefs}.
   */
  public record BackendRef(int index, String namespace, String name, int port, int weight) {}
}
