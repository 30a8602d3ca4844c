package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;

/**
 * A TCPRoute or a TLSRoute (passthrough): connections to the listeners it attaches to (for a
 * TLSRoute, with one of its {@code hostnames} as TLS server name) go to its backends, by weight.
 * Only the first rule exists (both kinds allow one); {@code hostnames} is empty for a TCPRoute.
 */
public record L4Route(
    ResourceKey key,
    String created,
    Protocol protocol,
    ImmutableList<HttpRoute.ParentRef> parents,
    ImmutableList<String> hostnames,
    ImmutableList<HttpRoute.BackendRef> backends){

  /** The listener protocol a route kind needs: TCPRoute on TCP, TLSRoute on TLS (Passthrough). */
  public enum Protocol {
    TCP("TCPRoute", ApiGateway.Protocol.TCP),
    TLS("TLSRoute", ApiGateway.Protocol.TLS);

    private final String routeKind;
    private final ApiGateway.Protocol listener;

    Protocol(String routeKind, ApiGateway.Protocol listener) {
      this.routeKind = routeKind;
      this.listener = listener;
    }

    public String routeKind() {
      return routeKind;
    }

    public ApiGateway.Protocol listener() {
      return listener;
    }
  }
}
