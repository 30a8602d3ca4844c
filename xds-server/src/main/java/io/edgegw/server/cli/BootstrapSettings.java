package io.edgegw.server.cli;

import java.util.Objects;

/** What the Envoy bootstrap needs to know; mirrors {@code io.edgegw.bootstrap.BootstrapOptions}. */
public record BootstrapSettings(
    String nodeId, String nodeCluster, String xdsHost, int xdsPort, String adminHost, int adminPort, boolean deltaXds) {
  public BootstrapSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nodeCluster, "nodeCluster");
    Objects.requireNonNull(xdsHost, "xdsHost");
    Objects.requireNonNull(adminHost, "adminHost");
  }
}
