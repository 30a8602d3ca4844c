package io.edgegw.translator.gatewayapi;

import java.util.Optional;

/**
 * A Gateway listener of protocol TCP, or TLS in mode Passthrough: connections are proxied whole, by
 * port (TCP) or by TLS server name (TLS). {@code index} is its position in {@code spec.listeners};
 * {@code allNamespaces}: {@code allowedRoutes.namespaces.from: All}, else Same.
 */
public record L4Listener(
    int index,
    String name,
    int port,
    Protocol protocol,
    Optional<String> hostname,
    boolean allNamespaces) {

  /** The listener protocols served by a TCP proxy, and the route kind each takes. */
  public enum Protocol {
    TCP("TCPRoute"),
    TLS("TLSRoute");

    private final String routeKind;

    Protocol(String routeKind) {
      this.routeKind = routeKind;
    }

    public String routeKind() {
      return routeKind;
    }
  }
}
