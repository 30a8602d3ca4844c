package io.edgegw.translator.istio;

import io.edgegw.translator.ir.ClusterName;

/** A service port (and subset) some route sends traffic to. */
public record ClusterRef(String host, int port, String subset) {
  public String name() {
    return ClusterName.outbound(port, subset, host);
  }
}
