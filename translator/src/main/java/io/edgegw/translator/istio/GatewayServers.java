package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the Gateways that select this proxy and merges their servers into listeners
 * (docs/istio-semantics.md sections 1 and 2). A server that conflicts with an older one on its
 * port is skipped whole, with a WARNING naming both.
 */
public final class GatewayServers {

  /** Listeners sorted by name; {@code gateways} must be in conflict order (oldest first). */
  public ImmutableList<ServerListener> listeners(
      List<Gateway> gateways, GatewayIdentity identity, ImmutableList.Builder<Diagnostic> diagnostics) {
    Map<String, List<ServerListener.BoundServer>> byListener = new LinkedHashMap<>();
    Map<String, ServerListener> shape = new LinkedHashMap<>();
    // Per listener: host -> the server with a tls block that has it (duplicates are istiod's conflict).
    Map<String, Map<String, ServerListener.BoundServer>> tlsHosts = new HashMap<>();
    for (Gateway gateway : gateways) {
      if (!gateway.selects(identity.labels())) {
        continue;
      }
      for (Gateway.Server server : gateway.servers()) {
        Optional<ServerListener.Kind> kind = kind(gateway, server, diagnostics);
        if (kind.isEmpty()) {
          continue;
        }
        String bind = server.bind().isEmpty() ? identity.bindAddress() : server.bind();
        int port = identity.listenerPort(server.portNumber());
        if (!allowedByNode(gateway, server, bind, port, identity, diagnostics)) {
          continue;
        }
        ServerListener listener =
            new ServerListener(
                bind, port, kind.get(), routeConfigName(bind, port, identity), ImmutableList.of());
        ServerListener.BoundServer bound = new ServerListener.BoundServer(gateway, server);
        ServerListener existing = shape.putIfAbsent(listener.name(), listener);
        List<ServerListener.BoundServer> servers = byListener.computeIfAbsent(listener.name(), k -> new ArrayList<>());
        if (existing != null && !conflictFree(existing, servers, bound, diagnostics)) {
          continue;
        }
        if (server.tls().isPresent()
            && duplicateHost(
                tlsHosts.computeIfAbsent(listener.name(), k -> new HashMap<>()),
                bound,
                diagnostics)) {
          continue;
        }
        servers.add(bound);
      }
    }
    return shape.values().stream()
        .map(
            l ->
                new ServerListener(
                    l.bind(),
                    l.listenerPort(),
                    l.kind(),
                    l.routeConfigName(),
                    ImmutableList.copyOf(byListener.get(l.name()))))
        .filter(l -> !l.servers().isEmpty())
        .sorted(Comparator.comparing(ServerListener::name))
        .collect(ImmutableList.toImmutableList());
  }

  /**
   * The node policy (a deliberate difference from istiod): a server whose address or bound port the
   * node does not allow, or that would take one of the node's control ports, is not served and its
   * Gateway gets an ERROR, instead of a listener Envoy cannot bind (a NACK that would hold back every
   * later change) or one that exposes more than the operator meant.
   */
  private static boolean allowedByNode(Gateway gateway, Gateway.Server server, String bind, int port,
      GatewayIdentity identity, ImmutableList.Builder<Diagnostic> diagnostics) {
    var policy = identity.nodePolicy();
    var addressProblem = policy.listenAddressProblem(bind);
    if (addressProblem.isPresent()) {
      String field = server.bind().isEmpty() ? server.field() : server.field() + ".bind";
      diagnostics.add(Diagnostic.error(gateway.key(), field, addressProblem.get() + "; this server is not served"));
      return false;
    }
    var portProblem = policy.listenPortProblem(port);
    if (portProblem.isPresent()) {
      String mapped =
          port == server.portNumber()
              ? ""
              : " (Gateway port " + server.portNumber() + " mapped to " + port + ")";
      diagnostics.add(Diagnostic.error(gateway.key(), server.field() + ".port.number",
          portProblem.get() + mapped + "; this server is not served"));
      return false;
    }
    return true;
  }

  /**
   * {@code http.<port>} as istiod names it; a listener on a non-default bind address gets its own
   * route configuration, since its servers (and hosts) differ from the default listener's.
   */
  private static String routeConfigName(String bind, int port, GatewayIdentity identity) {
    return bind.equals(identity.bindAddress()) ? "http." + port : "http." + port + "." + bind;
  }

  private static Optional<ServerListener.Kind> kind(
      Gateway gateway, Gateway.Server server, ImmutableList.Builder<Diagnostic> diagnostics) {
    if (server.tls().isPresent() && !server.tls().get().supported()) {
      return Optional.empty(); // the decoder said why
    }
    if (server.protocol() == Protocol.GRPC_WEB) {
      diagnostics.add(Diagnostic.warning(gateway.key(), server.field() + ".port.protocol",
          "protocol " + server.protocol().istioName() + " is not supported yet; server skipped"));
      return Optional.empty();
    }
    return Optional.of(kindOf(server));
  }

  /** Plain HTTP servers merge; TLS servers share a port by SNI; a TCP port has one server. */
  private static boolean conflictFree(ServerListener existing, List<ServerListener.BoundServer> servers,
      ServerListener.BoundServer bound, ImmutableList.Builder<Diagnostic> diagnostics) {
    String first = servers.isEmpty() ? "an older server" : servers.get(0).describe();
    String field = bound.server().field() + ".port";
    if (existing.kind() != kindOf(bound.server())) {
      diagnostics.add(
          Diagnostic.warning(
              bound.gateway().key(),
              field,
              "port "
                  + bound.server().portNumber()
                  + " already serves "
                  + existing.kind()
                  + " for "
                  + first
                  + "; a port serves one of HTTP, TCP or TLS; this server is skipped"));
      return false;
    }
    if (existing.kind() == ServerListener.Kind.TCP && !servers.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              bound.gateway().key(),
              field,
              "port "
                  + bound.server().portNumber()
                  + " already has a plain TCP server ("
                  + first
                  + "), and TCP cannot tell connections apart by host; this server is skipped"));
      return false;
    }
    return true;
  }

  private static ServerListener.Kind kindOf(Gateway.Server server) {
    return switch (server.protocol()) {
      case HTTPS, TLS -> ServerListener.Kind.TLS;
      case TCP, MONGO, MYSQL, REDIS -> ServerListener.Kind.TCP;
      case HTTP, HTTP2, GRPC, GRPC_WEB -> ServerListener.Kind.HTTP;
    };
  }

  /** istiod: servers with a tls block may not repeat a host on one port; the later one is skipped. */
  private static boolean duplicateHost(
      Map<String, ServerListener.BoundServer> hosts,
      ServerListener.BoundServer bound,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    for (String host : bound.server().sniHosts()) {
      ServerListener.BoundServer owner = hosts.get(host);
      if (owner != null) {
        diagnostics.add(Diagnostic.warning(bound.gateway().key(), bound.server().field() + ".hosts",
            "host " + host + " on port " + bound.server().portNumber() + " is already served by " + owner.describe()
                + "; this server is skipped"));
        return true;
      }
    }
    bound.server().sniHosts().forEach(h -> hosts.put(h, bound));
    return false;
  }
}
