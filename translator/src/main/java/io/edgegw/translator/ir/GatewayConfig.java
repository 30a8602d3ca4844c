package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/** Everything one gateway proxy serves, independent of the front end that produced it. */
public record GatewayConfig(
    ImmutableList<Listener> listeners,
    ImmutableList<RouteConfig> routeConfigs,
    ImmutableList<Cluster> clusters,
    ImmutableList<TlsSecret> secrets) {}
