package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/** What a filter chain does with the bytes: HTTP routing by route configuration, or a TCP proxy. */
public sealed interface NetworkFilter {

  /** An HTTP connection manager whose routes come by RDS under {@code routeConfigName}. */
  record Http(String routeConfigName, PathHandling paths) implements NetworkFilter {}

  /** Every connection to one cluster, or spread over several by weight. */
  record Tcp(String statPrefix, ImmutableList<RouteAction.WeightedCluster> clusters) implements NetworkFilter {}
}
