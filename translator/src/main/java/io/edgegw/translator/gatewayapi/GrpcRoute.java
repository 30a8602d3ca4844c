package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/** A GRPCRoute: gRPC requests by service, method and headers to weighted Service backends. */
public record GrpcRoute(
    ResourceKey key,
    String created,
    ImmutableList<HttpRoute.ParentRef> parents,
    ImmutableList<String> hostnames,
    ImmutableList<Rule> rules) {

  /**
   * {@code index} is the rule's position in {@code spec.rules}; {@code matches} is never empty (no
   * match: every request); {@code headers}: the rule's RequestHeaderModifier and
   * ResponseHeaderModifier filters.
   */
  public record Rule(
      int index,
      ImmutableList<Match> matches,
      HeaderMutations headers,
      ImmutableList<HttpRoute.BackendRef> backends) {}

  /**
   * {@code regex}: method match type RegularExpression (RE2), else Exact; an empty {@code service}
   * or {@code method} matches any.
   */
  public record Match(
      boolean regex,
      Optional<String> service,
      Optional<String> method,
      ImmutableList<HeaderMatch> headers) {}

  /** A header (gRPC metadata) condition; {@code regex}: RE2, else exact. Names are lower case. */
  public record HeaderMatch(String name, boolean regex, String value) {}
}
