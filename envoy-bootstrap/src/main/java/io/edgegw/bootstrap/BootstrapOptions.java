package io.edgegw.bootstrap;

import java.util.Objects;

/**
 * What the generated Envoy bootstrap depends on: who Envoy says it is, where the sidecar's ADS server
 * listens and where Envoy's admin interface binds.
 *
 * @param nodeId      Envoy's node id; the sidecar groups snapshots by it
 * @param nodeCluster Envoy's node cluster
 * @param xdsHost     address of the ADS server; an IP literal gives a STATIC cluster, a name a STRICT_DNS one
 * @param xdsPort     port of the ADS server
 * @param adminHost   address Envoy's admin interface binds to
 * @param adminPort   port of Envoy's admin interface (0 lets Envoy pick one)
 * @param deltaXds    true for incremental xDS (DELTA_GRPC), false for state-of-the-world (GRPC)
 */
public record BootstrapOptions(
    String nodeId,
    String nodeCluster,
    String xdsHost,
    int xdsPort,
    String adminHost,
    int adminPort,
    boolean deltaXds) {

  public static final String DEFAULT_NODE_ID = "edgegw";
  public static final String DEFAULT_NODE_CLUSTER = "edgegateway";
  public static final String DEFAULT_XDS_HOST = "127.0.0.1";
  public static final int DEFAULT_XDS_PORT = 18000;
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
  public static final int DEFAULT_ADMIN_PORT = 15000;

  public BootstrapOptions {
    requireText(nodeId, "nodeId");
    requireText(nodeCluster, "nodeCluster");
    requireText(xdsHost, "xdsHost");
    requireText(adminHost, "adminHost");
    if (xdsPort < 1 || xdsPort > 65535) {
      throw new IllegalArgumentException("xdsPort must be in 1..65535, was " + xdsPort);
    }
    if (adminPort < 0 || adminPort > 65535) {
      throw new IllegalArgumentException("adminPort must be in 0..65535, was " + adminPort);
    }
  }

  /** The defaults: node edgegw/edgegateway, ADS at 127.0.0.1:18000, admin at 127.0.0.1:15000, SotW xDS. */
  public static BootstrapOptions defaults() {
    return new BootstrapOptions(DEFAULT_NODE_ID, DEFAULT_NODE_CLUSTER, DEFAULT_XDS_HOST, DEFAULT_XDS_PORT,
        DEFAULT_ADMIN_HOST, DEFAULT_ADMIN_PORT, false);
  }

  public BootstrapOptions withNode(String id, String cluster) {
    return new BootstrapOptions(id, cluster, xdsHost, xdsPort, adminHost, adminPort, deltaXds);
  }

  public BootstrapOptions withXds(String host, int port) {
    return new BootstrapOptions(nodeId, nodeCluster, host, port, adminHost, adminPort, deltaXds);
  }

  public BootstrapOptions withAdmin(String host, int port) {
    return new BootstrapOptions(nodeId, nodeCluster, xdsHost, xdsPort, host, port, deltaXds);
  }

  public BootstrapOptions withDeltaXds(boolean delta) {
    return new BootstrapOptions(nodeId, nodeCluster, xdsHost, xdsPort, adminHost, adminPort, delta);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
