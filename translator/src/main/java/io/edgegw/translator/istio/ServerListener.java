package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;

/**
 * The Gateway servers merged onto one Envoy listener ({@code bind}, {@code listenerPort}), oldest
 * Gateway first, all of one {@link Kind}. {@code routeConfigName} is the RDS name of the shared HTTP
 * connection manager of an HTTP listener.
 */
public record ServerListener(
    String bind,
    int listenerPort,
    Kind kind,
    String routeConfigName,
    ImmutableList<BoundServer> servers) {

  /** What a port serves; servers of different kinds cannot share a port. */
  public enum Kind {
    /** Plain-text HTTP, HTTP2, GRPC: one HTTP connection manager for every server. */
    HTTP,
    /** Plain TCP (and MONGO, MYSQL, REDIS, proxied as TCP): one TCP proxy. */
    TCP,
    /** HTTPS and TLS, terminated or passed through: filter chains chosen by SNI. */
    TLS
  }

  /** {@code <bind>_<port>}, istiod's listener name. */
  public String name() {
    return bind + "_" + listenerPort;
  }

  /** One server of one Gateway. */
  public record BoundServer(Gateway gateway, Gateway.Server server) {
    public String describe() {
      return "Gateway " + gateway.qualifiedName() + " " + server.field();
    }
  }
}
