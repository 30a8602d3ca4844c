package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/**
 * A listener on {@code address:port}; a connection takes the filter chain whose server names match
 * its SNI (a chain without names matches any). No two chains share a server name.
 */
public record Listener(String name, String address, int port, ImmutableList<FilterChain> filterChains) {
  /** SNI matching and TLS termination both need the TLS inspector to read the ClientHello. */
  public boolean inspectsTls() {
    return filterChains.stream().anyMatch(c -> !c.serverNames().isEmpty() || c.tls().isPresent());
  }
}
