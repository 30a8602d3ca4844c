package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/**
 * An upstream cluster. EDS clusters get their endpoints as a separate ClusterLoadAssignment; DNS
 * clusters carry theirs (host names) inline because Envoy resolves them itself.
 */
public record Cluster(String name, Discovery discovery, ImmutableList<Endpoint> endpoints, ClusterPolicy policy) {
  /** A cluster with istiod's default policy (no DestinationRule). */
  public Cluster(String name, Discovery discovery, ImmutableList<Endpoint> endpoints) {
    this(name, discovery, endpoints, ClusterPolicy.DEFAULT);
  }

  public Cluster withPolicy(ClusterPolicy newPolicy) {
    return new Cluster(name, discovery, endpoints, newPolicy);
  }

  public enum Discovery {
    EDS,
    STRICT_DNS,
    LOGICAL_DNS
  }

  public record Endpoint(String address, int port) {}
}
