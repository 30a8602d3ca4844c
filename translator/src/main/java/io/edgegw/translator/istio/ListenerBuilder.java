package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.ir.DownstreamTls;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.PathHandling;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.PathNormalization;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The filter chains of one listener from its servers (docs/istio-semantics.md sections 2 and 3):
 * one HTTP chain for plain HTTP, one TCP proxy for plain TCP, and for HTTPS/TLS one chain per
 * terminating server and one per passthrough route, told apart by SNI.
 */
public final class ListenerBuilder {
  private static final ImmutableList<String> HTTPS_ALPN = ImmutableList.of("h2", "http/1.1");

  private final VirtualHostBuilder virtualHosts;
  private final L4RouteBuilder l4Routes;
  private final Credentials credentials;
  private final PathHandling paths;

  public ListenerBuilder(
      VirtualHostBuilder virtualHosts,
      L4RouteBuilder l4Routes,
      Credentials credentials,
      PathNormalization normalization) {
    this.virtualHosts = virtualHosts;
    this.l4Routes = l4Routes;
    this.credentials = credentials;
    this.paths = pathHandling(normalization);
  }

  /** As istiod's HTTP connection manager for {@code meshConfig.pathNormalization}. */
  static PathHandling pathHandling(PathNormalization normalization) {
    return PathHandling.of(normalization);
  }

  /**
   * The listener (absent when no chain is left), its route configurations, the clusters they use, and
   * the servers that got a filter chain (what is really served of each Gateway).
   */
  public record Built(
      Optional<Listener> listener,
      ImmutableList<RouteConfig> routeConfigs,
      ImmutableList<ClusterRef> clusters,
      ImmutableSet<ServerListener.BoundServer> served) {}

  public Built build(
      ServerListener listener,
      List<VirtualService> virtualServices,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Chains chains = new Chains(listener, diagnostics);
    switch (listener.kind()) {
      case HTTP -> {
        VirtualHostBuilder.Built built = virtualHosts.build(listener, virtualServices, diagnostics);
        chains.routeConfigs.add(built.routeConfig());
        chains.add(
            new FilterChain(
                ImmutableList.of(),
                Optional.empty(),
                new NetworkFilter.Http(listener.routeConfigName(), paths)),
            built.clusters());
        chains.served.addAll(listener.servers());
      }
      case TCP -> {
        ServerListener.BoundServer bound = listener.servers().get(0);
        tcpProxy(listener, bound, virtualServices, diagnostics).ifPresent(proxy -> {
          chains.add(new FilterChain(ImmutableList.of(), Optional.empty(), proxy.filter()), proxy.clusters());
          chains.served.add(bound);
        });
      }
      case TLS -> listener.servers().forEach(bound -> tlsServer(listener, bound, virtualServices, chains, diagnostics));
    }
    Optional<Listener> out =
        chains.chains.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new Listener(
                    listener.name(),
                    listener.bind(),
                    listener.listenerPort(),
                    ImmutableList.copyOf(chains.chains)));
    return new Built(out, ImmutableList.copyOf(chains.routeConfigs), ImmutableList.copyOf(chains.clusters),
        ImmutableSet.copyOf(chains.served));
  }

  private void tlsServer(
      ServerListener listener,
      ServerListener.BoundServer bound,
      List<VirtualService> virtualServices,
      Chains chains,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Gateway.Server server = bound.server();
    ResourceKey gateway = bound.gateway().key();
    if (!server.terminatesTls()) {
      ImmutableList<L4RouteBuilder.SniRoute> routes =
          l4Routes.passthrough(bound, "outbound_" + listener.name(), virtualServices, diagnostics);
      if (routes.isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(
                gateway,
                server.field(),
                "no VirtualService bound to this gateway has a tls route "
                    + "whose sniHosts match this server's hosts on port "
                    + server.portNumber()
                    + "; nothing is passed through"));
      }
      for (L4RouteBuilder.SniRoute route : routes) {
        FilterChain chain = new FilterChain(serverNames(route.sniHosts()), Optional.empty(), route.proxy().filter());
        if (chains.claim(
            chain.serverNames(),
            "VirtualService "
                + route.vs().key().namespace()
                + "/"
                + route.vs().key().name()
                + " "
                + route.origin(),
            route.vs().key(),
            route.origin() + ".sniHosts")) {
          chains.add(chain, route.proxy().clusters());
          chains.served.add(bound);
        }
      }
      return;
    }
    Gateway.ServerTls tls = server.tls().orElseThrow();
    Optional<String> missing =
        credentials.missing(
            gateway.namespace(), tls.credentialName(), tls.mode().verifiesClients());
    if (missing.isPresent()) {
      diagnostics.add(
          Diagnostic.warning(
              gateway,
              server.field() + ".tls.credentialName",
              "credentialName "
                  + tls.credentialName()
                  + " ("
                  + tls.mode()
                  + "): "
                  + missing.get()
                  + "; this server is skipped"));
      return;
    }
    ImmutableList<String> names = serverNames(server.sniHosts());
    if (server.protocol() == Protocol.HTTPS) {
      String routeConfigName =
          "https."
              + listener.listenerPort()
              + "."
              + server.portName()
              + "."
              + gateway.name()
              + "."
              + gateway.namespace();
      if (chains.claim(names, bound.describe(), gateway, server.field() + ".hosts")) {
        FilterChain chain =
            new FilterChain(
                names,
                Optional.of(downstreamTls(bound)),
                new NetworkFilter.Http(routeConfigName, paths));
        ServerListener own =
            new ServerListener(
                listener.bind(),
                listener.listenerPort(),
                listener.kind(),
                routeConfigName,
                ImmutableList.of(bound));
        VirtualHostBuilder.Built built = virtualHosts.build(own, virtualServices, diagnostics);
        chains.routeConfigs.add(built.routeConfig());
        chains.add(chain, built.clusters());
        chains.served.add(bound);
      }
      return;
    }
    Optional<L4RouteBuilder.Proxy> proxy = tcpProxy(listener, bound, virtualServices, diagnostics);
    if (proxy.isPresent()) {
      if (chains.claim(names, bound.describe(), gateway, server.field() + ".hosts")) {
        chains.add(
            new FilterChain(names, Optional.of(downstreamTls(bound)), proxy.get().filter()),
            proxy.get().clusters());
        chains.served.add(bound);
      }
    }
  }

  private Optional<L4RouteBuilder.Proxy> tcpProxy(ServerListener listener, ServerListener.BoundServer bound,
      List<VirtualService> virtualServices, ImmutableList.Builder<Diagnostic> diagnostics) {
    Optional<L4RouteBuilder.Proxy> proxy =
        l4Routes.tcp(bound, "outbound_" + listener.name(), virtualServices, diagnostics);
    if (proxy.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              bound.gateway().key(),
              bound.server().field(),
              "no VirtualService bound to this gateway has a tcp route for its hosts and port "
                  + bound.server().portNumber()
                  + "; nothing is served for this server"));
    }
    return proxy;
  }

  /**
   * The certificate, and for MUTUAL/OPTIONAL_MUTUAL the CA, of the server's credential in the Gateway's
   * namespace. Asked only once {@link Credentials#missing} said both are there: asking records them
   * for the snapshot, which must hold exactly the secrets the listeners use.
   */
  private DownstreamTls downstreamTls(ServerListener.BoundServer bound) {
    Gateway.Server server = bound.server();
    Gateway.ServerTls tls = server.tls().orElseThrow();
    String namespace = bound.gateway().key().namespace();
    String certificate =
        ((Credentials.Lookup.Found) credentials.certificate(namespace, tls.credentialName()))
            .sdsName();
    Optional<String> validation = tls.mode().verifiesClients()
        ? Optional.of(((Credentials.Lookup.Found) credentials.trustedCa(namespace, tls.credentialName())).sdsName())
        : Optional.empty();
    return new DownstreamTls(certificate, validation, tls.mode() == Gateway.TlsMode.MUTUAL, false,
        server.protocol() == Protocol.HTTPS ? HTTPS_ALPN : ImmutableList.of(),
        tls.minProtocolVersion().flatMap(ListenerBuilder::envoyVersion),
        tls.maxProtocolVersion().flatMap(ListenerBuilder::envoyVersion),
        tls.cipherSuites());
  }

  /** Istio {@code TLSV1_2} -> Envoy {@code TLSv1_2}; TLS_AUTO leaves Envoy's default. */
  private static Optional<String> envoyVersion(String istio) {
    return istio.equals("TLS_AUTO") ? Optional.empty() : Optional.of("TLSv" + istio.substring("TLSV".length()));
  }

  /** Sorted, without duplicates; none at all (any SNI, or none) when {@code *} is among them. */
  private static ImmutableList<String> serverNames(List<String> hosts) {
    if (hosts.contains("*")) {
      return ImmutableList.of();
    }
    return hosts.stream().distinct().sorted().collect(ImmutableList.toImmutableList());
  }

  /** The chains so far; Envoy refuses a listener where two chains match the same server name. */
  private static final class Chains {
    private final ServerListener listener;
    private final ImmutableList.Builder<Diagnostic> diagnostics;
    private final List<FilterChain> chains = new ArrayList<>();
    private final List<RouteConfig> routeConfigs = new ArrayList<>();
    private final List<ClusterRef> clusters = new ArrayList<>();
    private final Set<ServerListener.BoundServer> served = new LinkedHashSet<>();
    private final Map<String, String> owners = new HashMap<>();

    Chains(ServerListener listener, ImmutableList.Builder<Diagnostic> diagnostics) {
      this.listener = listener;
      this.diagnostics = diagnostics;
    }

    /**
     * Claims {@code serverNames} (none: any) unless one is taken; then reports it on {@code resource} and returns
     * false.
     */
    boolean claim(List<String> serverNames, String owner, ResourceKey resource, String field) {
      List<String> names = serverNames.isEmpty() ? List.of("*") : serverNames;
      for (String name : names) {
        String taken = owners.get(name);
        if (taken != null) {
          diagnostics.add(
              Diagnostic.warning(
                  resource,
                  field,
                  "SNI "
                      + name
                      + " on port "
                      + listener.servers().get(0).server().portNumber()
                      + " is already served by "
                      + taken
                      + "; skipped"));
          return false;
        }
      }
      names.forEach(n -> owners.put(n, owner));
      return true;
    }

    void add(FilterChain chain, List<ClusterRef> used) {
      chains.add(chain);
      clusters.addAll(used);
    }
  }
}
