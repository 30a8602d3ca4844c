package io.edgegw.translator.istio;

import io.edgegw.translator.ir.ClusterName;

/** A service port (and subset) some route sends traffic to. */
public record ClusterRef(String host, int port, String subset) {
  /**
   * Every route of every VirtualService has its own ref, and the front end keeps one per cluster name
   * (10,000 refs for 50 services at 10,000 hosts): with the host interned, equal refs compare their
   * hosts by reference instead of character by character.
   */
  public ClusterRef {
    host = host.intern();
  }

  public String name() {
    return ClusterName.outbound(port, subset, host);
  }
}
