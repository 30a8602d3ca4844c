package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;

/**
 * The Gateway servers merged onto one Envoy listener ({@code bind}, {@code listenerPort}), oldest
 * Gateway first. {@code routeConfigName} is the RDS name its HTTP connection manager asks for.
 */
public record ServerListener(String bind, int listenerPort, String routeConfigName, ImmutableList<BoundServer> servers) {

  /** {@code <bind>_<port>}, istiod's listener name. */
  public String name() {
    return bind + "_" + listenerPort;
  }

  /** One server of one Gateway. */
  public record BoundServer(Gateway gateway, Gateway.Server server) {}
}
