package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/**
 * An upstream cluster. EDS clusters get their endpoints as a separate ClusterLoadAssignment; DNS
 * clusters carry theirs (host names) inline because Envoy resolves them itself.
 */
public record Cluster(String name, Discovery discovery, ImmutableList<Endpoint> endpoints) {
  public enum Discovery {
    EDS,
    STRICT_DNS,
    LOGICAL_DNS
  }

  public record Endpoint(String address, int port) {}
}
