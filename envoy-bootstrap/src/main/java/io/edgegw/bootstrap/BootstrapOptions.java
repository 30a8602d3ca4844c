package io.edgegw.bootstrap;

import java.util.Objects;

/**
 * What the generated Envoy bootstrap depends on: who Envoy says it is, where the sidecar's ADS server
 * listens, where Envoy's admin interface binds, and where Envoy serves its readiness and Prometheus
 * stats the way Istio's gateways do (15021 {@code /healthz/ready}, 15090 {@code /stats/prometheus}).
 *
 * @param nodeId      Envoy's node id; the sidecar groups snapshots by it
 * @param nodeCluster Envoy's node cluster
 * @param xdsHost     address of the ADS server; an IP literal gives a STATIC cluster, a name a STRICT_DNS one
 * @param xdsPort     port of the ADS server
 * @param adminHost   address Envoy's admin interface binds to
 * @param adminPort   port of Envoy's admin interface (0 lets Envoy pick one)
 * @param deltaXds    true for incremental xDS (DELTA_GRPC), false for state-of-the-world (GRPC)
 * @param statusHost  address the health and stats listeners bind to
 * @param healthPort  port of the listener answering {@code /healthz/ready} from Envoy's readiness; 0: none
 * @param statsPort   port of the listener serving {@code /stats/prometheus}; 0: none
 */
public record BootstrapOptions(
    String nodeId,
    String nodeCluster,
    String xdsHost,
    int xdsPort,
    String adminHost,
    int adminPort,
    boolean deltaXds,
    String statusHost,
    int healthPort,
    int statsPort) {

  public static final String DEFAULT_NODE_ID = "edgegw";
  public static final String DEFAULT_NODE_CLUSTER = "edgegateway";
  public static final String DEFAULT_XDS_HOST = "127.0.0.1";
  public static final int DEFAULT_XDS_PORT = 18000;
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
  public static final int DEFAULT_ADMIN_PORT = 15000;
  /** As Istio's gateways: reachable by the kubelet and Prometheus on the pod's address. */
  public static final String DEFAULT_STATUS_HOST = "0.0.0.0";
  public static final int DEFAULT_HEALTH_PORT = 15021;
  public static final int DEFAULT_STATS_PORT = 15090;

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
    requireText(statusHost, "statusHost");
    if (healthPort < 0 || healthPort > 65535 || statsPort < 0 || statsPort > 65535) {
      throw new IllegalArgumentException(
          "healthPort and statsPort must be in 0..65535, were " + healthPort + ", " + statsPort);
    }
    if (healthPort != 0 && healthPort == statsPort) {
      throw new IllegalArgumentException("healthPort and statsPort must differ, both were " + healthPort);
    }
    if ((healthPort != 0 || statsPort != 0) && adminPort == 0) {
      throw new IllegalArgumentException(
          "the health and stats listeners ask Envoy's admin interface, so adminPort must not be 0");
    }
  }

  /** Without the health and stats listeners (as when many Envoys share one host, e.g. in tests). */
  public BootstrapOptions(
      String nodeId,
      String nodeCluster,
      String xdsHost,
      int xdsPort,
      String adminHost,
      int adminPort,
      boolean deltaXds) {
    this(nodeId, nodeCluster, xdsHost, xdsPort, adminHost, adminPort, deltaXds, DEFAULT_STATUS_HOST, 0, 0);
  }

  /**
   * The defaults: node edgegw/edgegateway, ADS at 127.0.0.1:18000, admin at 127.0.0.1:15000, SotW xDS,
   * health on 0.0.0.0:15021 and stats on 0.0.0.0:15090.
   */
  public static BootstrapOptions defaults() {
    return new BootstrapOptions(DEFAULT_NODE_ID, DEFAULT_NODE_CLUSTER, DEFAULT_XDS_HOST, DEFAULT_XDS_PORT,
        DEFAULT_ADMIN_HOST, DEFAULT_ADMIN_PORT, false, DEFAULT_STATUS_HOST, DEFAULT_HEALTH_PORT, DEFAULT_STATS_PORT);
  }

  public BootstrapOptions withNode(String id, String cluster) {
    return new BootstrapOptions(
        id,
        cluster,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        deltaXds,
        statusHost,
        healthPort,
        statsPort);
  }

  public BootstrapOptions withXds(String host, int port) {
    return new BootstrapOptions(
        nodeId,
        nodeCluster,
        host,
        port,
        adminHost,
        adminPort,
        deltaXds,
        statusHost,
        healthPort,
        statsPort);
  }

  public BootstrapOptions withAdmin(String host, int port) {
    return new BootstrapOptions(
        nodeId,
        nodeCluster,
        xdsHost,
        xdsPort,
        host,
        port,
        deltaXds,
        statusHost,
        healthPort,
        statsPort);
  }

  public BootstrapOptions withDeltaXds(boolean delta) {
    return new BootstrapOptions(
        nodeId,
        nodeCluster,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        delta,
        statusHost,
        healthPort,
        statsPort);
  }

  /** The health and stats listeners on {@code host}; a port of 0 leaves that listener out. */
  public BootstrapOptions withStatusListeners(String host, int health, int stats) {
    return new BootstrapOptions(
        nodeId, nodeCluster, xdsHost, xdsPort, adminHost, adminPort, deltaXds, host, health, stats);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
