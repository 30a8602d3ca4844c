package io.edgegw.translator.ir;

import java.util.Optional;

/**
 * One match and what to do with a request that matches it. {@code name} may be empty; header
 * mutations, fault and CORS apply whatever the action.
 */
public record Route(
    String name,
    RouteMatch match,
    RouteAction action,
    HeaderMutations headers,
    Optional<Fault> fault,
    Optional<CorsPolicy> cors) {

  public Route(String name, RouteMatch match, RouteAction action) {
    this(name, match, action, HeaderMutations.NONE, Optional.empty(), Optional.empty());
  }
}
