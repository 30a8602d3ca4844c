package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/**
 * Routes for requests whose Host matches one of {@code domains}; routes are tried in order.
 * {@code requireTls}: plain-text requests are redirected (301) to https before any route.
 */
public record VirtualHost(
    String name, ImmutableList<String> domains, ImmutableList<Route> routes, boolean requireTls) {}
