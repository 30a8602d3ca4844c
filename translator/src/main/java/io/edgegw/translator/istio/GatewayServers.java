package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks the Gateways that select this proxy and merges their servers into listeners
 * (istio-gateway-semantics.md sections 1 and 2).
 */
public final class GatewayServers {

  /** Listeners sorted by name; {@code gateways} must be in conflict order (oldest first). */
  public ImmutableList<ServerListener> listeners(
      List<Gateway> gateways, GatewayIdentity identity, ImmutableList.Builder<Diagnostic> diagnostics) {
    Map<String, List<ServerListener.BoundServer>> byListener = new LinkedHashMap<>();
    Map<String, ServerListener> shape = new LinkedHashMap<>();
    for (Gateway gateway : gateways) {
      if (!gateway.selects(identity.labels())) {
        continue;
      }
      for (Gateway.Server server : gateway.servers()) {
        if (!servable(gateway, server, diagnostics)) {
          continue;
        }
        String bind = server.bind().isEmpty() ? identity.bindAddress() : server.bind();
        int port = identity.listenerPort(server.portNumber());
        ServerListener listener = new ServerListener(bind, port, routeConfigName(bind, port, identity), ImmutableList.of());
        // Plain-text HTTP-family servers on one (bind, port) all merge: nothing to conflict on yet.
        shape.putIfAbsent(listener.name(), listener);
        byListener.computeIfAbsent(listener.name(), k -> new ArrayList<>()).add(new ServerListener.BoundServer(gateway, server));
      }
    }
    return shape.values().stream()
        .map(l -> new ServerListener(l.bind(), l.listenerPort(), l.routeConfigName(), ImmutableList.copyOf(byListener.get(l.name()))))
        .sorted(Comparator.comparing(ServerListener::name))
        .collect(ImmutableList.toImmutableList());
  }

  /**
   * {@code http.<port>} as istiod names it; a listener on a non-default bind address gets its own
   * route configuration, since its servers (and hosts) differ from the default listener's.
   */
  private static String routeConfigName(String bind, int port, GatewayIdentity identity) {
    return bind.equals(identity.bindAddress()) ? "http." + port : "http." + port + "." + bind;
  }

  private static boolean servable(Gateway gateway, Gateway.Server server, ImmutableList.Builder<Diagnostic> diagnostics) {
    if (!server.protocol().isHttpFamily() || server.protocol() == Protocol.GRPC_WEB) {
      diagnostics.add(Diagnostic.warning(gateway.key(), server.field() + ".port.protocol",
          "protocol " + server.protocol().istioName() + " is not supported yet; server skipped"));
      return false;
    }
    if (server.hasTls()) {
      diagnostics.add(Diagnostic.warning(gateway.key(), server.field() + ".tls", "not supported yet; server skipped"));
      return false;
    }
    return true;
  }
}
