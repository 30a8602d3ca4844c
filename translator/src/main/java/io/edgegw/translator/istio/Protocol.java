package io.edgegw.translator.istio;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Istio port protocols a Gateway server may declare (matched case-insensitively, like istiod). */
public enum Protocol {
  HTTP("HTTP"),
  HTTP2("HTTP2"),
  GRPC("GRPC"),
  GRPC_WEB("GRPC-WEB"),
  HTTPS("HTTPS"),
  TLS("TLS"),
  TCP("TCP"),
  MONGO("MONGO"),
  MYSQL("MYSQL"),
  REDIS("REDIS");

  private final String istioName;

  Protocol(String istioName) {
    this.istioName = istioName;
  }

  public String istioName() {
    return istioName;
  }

  public static Optional<Protocol> parse(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return Arrays.stream(values()).filter(p -> p.istioName.equals(upper)).findFirst();
  }

  /** Plain-text protocols served by one HTTP connection manager; only these merge on a port. */
  public boolean isHttpFamily() {
    return this == HTTP || this == HTTP2 || this == GRPC || this == GRPC_WEB;
  }
}
