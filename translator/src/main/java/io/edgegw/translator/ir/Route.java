package io.edgegw.translator.ir;

/** One match and what to do with a request that matches it. {@code name} may be empty. */
public record Route(String name, RouteMatch match, RouteAction action) {}
