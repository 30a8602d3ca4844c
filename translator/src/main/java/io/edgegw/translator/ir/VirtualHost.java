package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/** Routes for requests whose Host matches one of {@code domains}; routes are tried in order. */
public record VirtualHost(String name, ImmutableList<String> domains, ImmutableList<Route> routes) {}
