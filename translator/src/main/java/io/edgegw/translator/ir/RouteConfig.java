package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/** The routes of one HTTP listener, by virtual host (sorted by name). */
public record RouteConfig(String name, ImmutableList<VirtualHost> virtualHosts) {}
