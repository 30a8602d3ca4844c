package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSetMultimap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.frontend.FrontEnd;
import io.edgegw.translator.frontend.IrPiece;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.ClusterName;
import io.edgegw.translator.ir.DownstreamTls;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.PathHandling;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.RouteMatch;
import io.edgegw.translator.ir.StringMatcher;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.kube.Backend;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.kube.KubernetesServices;
import io.edgegw.translator.kube.LabelSelector;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Gateway API resources to the IR, HTTP core only: the Gateways whose GatewayClass names our
 * controller, their HTTP listeners, and the HTTPRoutes attached to them (parentRefs with
 * sectionName and port, allowedRoutes Same/All, hostname intersection, Exact/PathPrefix path and
 * Exact header matches, weighted Service backends). Names as the Istio front end's, so both share a
 * port's listener and route configuration ({@code IrMerger}).
 */
public final class GatewayApiFrontEnd implements FrontEnd<GatewayApiInputs> {
  public static final String NAME = "Gateway API";
  public static final String DEFAULT_CONTROLLER = "edgegw.io/gateway-controller";
  private static final ImmutableList<String> HTTPS_ALPN = ImmutableList.of("h2", "http/1.1");

  private final String controllerName;

  public GatewayApiFrontEnd(String controllerName) {
    this.controllerName = controllerName;
  }

  /** One route rule's match, ready to be ordered by the specification's precedence. */
  record Candidate(
      HttpRoute route,
      HttpRoute.Rule rule,
      int matchIndex,
      HttpRoute.Match match,
      RouteAction action) {}

  /** Where a route is served: an Envoy port, a filter chain ({@link #chainKey}), a domain. */
  record Placement(int port, String chain, String host) {}

  /**
   * Everything one HTTPRoute gives a translation, in the order it gave it, so that a remembered one
   * ({@link HttpRouteMemo}) is replayed exactly as it was first made: its diagnostics, its status
   * records, the clusters its rules send to (by name, as first made), its candidates and where they
   * are served.
   */
  record RouteWork(
      ImmutableList<Diagnostic> diagnostics,
      ImmutableList<Consumer<StatusCollector>> status,
      ImmutableMap<String, Cluster> clusters,
      ImmutableList<Candidate> candidates,
      ImmutableList<Placement> placements) {

    void replay(
        ImmutableList.Builder<Diagnostic> allDiagnostics,
        StatusCollector allStatus,
        Map<String, Cluster> allClusters,
        Map<Integer, Map<String, Map<String, List<Candidate>>>> byChain) {
      allDiagnostics.addAll(diagnostics);
      status.forEach(s -> s.accept(allStatus));
      clusters.forEach(allClusters::putIfAbsent);
      for (Placement p : placements) {
        byChain.get(p.port()).get(p.chain()).computeIfAbsent(p.host(), h -> new ArrayList<>()).addAll(candidates);
      }
    }
  }

  @Override
  public IrPiece translate(
      GatewayApiInputs inputs,
      GatewayIdentity identity,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    return translate(inputs, identity, diagnostics, new StatusCollector(controllerName), new HttpRouteMemo());
  }

  /**
   * As {@link #translate(GatewayApiInputs, GatewayIdentity, ImmutableList.Builder)}, recording status,
   * with the same result, reusing what {@code memo} remembers of the previous translation made with it.
   */
  public IrPiece translate(
      GatewayApiInputs inputs,
      GatewayIdentity identity,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status,
      HttpRouteMemo memo) {
    // Everything a route's translation reads besides the route (not the other routes, nor the
    // BackendTLSPolicies: they apply to the clusters after).
    memo.begin(ImmutableList.of(controllerName, identity, inputs.classes(), inputs.gateways(),
        inputs.listenerSets(), inputs.namespaces(), inputs.referenceGrants(), inputs.secrets(),
        inputs.rejected(), inputs.configMaps(), inputs.services(), inputs.endpoints(),
        inputs.endpointSlices(), inputs.pods()));
    Set<String> ourClasses = new HashSet<>();
    Set<String> knownClasses = new HashSet<>();
    for (GatewayClass c : inputs.classes()) {
      knownClasses.add(c.key().name());
      if (c.controllerName().equals(controllerName)) {
        ourClasses.add(c.key().name());
        status.gatewayClass(c.key());
      }
    }
    List<ApiGateway> served = new ArrayList<>();
    for (ApiGateway gateway : inputs.gateways()) {
      if (ourClasses.contains(gateway.className())) {
        served.add(gateway);
      } else if (!knownClasses.contains(gateway.className())) {
        diagnostics.add(
            Diagnostic.warning(
                gateway.key(),
                "spec.gatewayClassName",
                "GatewayClass "
                    + gateway.className()
                    + " is not known here; this Gateway is not served until it is (with controllerName "
                    + controllerName
                    + ")"));
      }
      // A Gateway of another controller's class is that controller's business: ignored, not an
      // error.
    }
    served.sort(
        Comparator.comparing((ApiGateway g) -> instant(g.created()))
            .thenComparing(ApiGateway::key));

    ReferenceGrants grants = new ReferenceGrants(inputs.referenceGrants());
    Credentials credentials = new Credentials(inputs.secrets(), inputs.rejected());
    Map<String, ImmutableSortedMap<String, String>> namespaceLabels = new HashMap<>();
    inputs.namespaces().forEach(n -> namespaceLabels.put(n.name(), n.labels()));
    for (ApiGateway gateway : served) {
      status.gateway(gateway.key());
      for (ApiGateway.Listener listener : gateway.listeners()) {
        status.listener(gateway.key(), listener.name())
            .supportedKinds(listener.kinds().stream().map(k -> k.substring(k.indexOf('/') + 1)).toArray(String[]::new));
      }
    }
    // A Gateway whose addresses this node cannot serve, or whose parameters cannot be resolved, is not
    // served at all: from here on it is as a Gateway of another controller.
    served.removeIf(gateway -> {
      GatewayAddresses.Verdict verdict = GatewayAddresses.check(gateway, identity, diagnostics);
      verdict.refusal().ifPresentOrElse(
          why -> status.refuseGateway(gateway.key(), why),
          () -> status.gatewayAddresses(gateway.key(), verdict.addresses()));
      return verdict.refusal().isPresent();
    });
    // The attached ListenerSets, in a Gateway's shape: from here on served as Gateways are.
    List<ApiGateway> listenerOwners = new ArrayList<>(served);
    listenerOwners.addAll(
        ListenerSets.attach(
            served,
            oldestFirst(inputs.listenerSets(), ListenerSet::key, ListenerSet::created),
            namespaceLabels,
            diagnostics,
            status));
    GatewayListeners listeners =
        new GatewayListeners(listenerOwners, identity, grants, credentials,
            new FrontendValidations(inputs.configMaps(), grants, status, diagnostics), diagnostics);

    ImmutableMap<String, Backend> services =
        KubernetesServices.byFqdn(
            inputs.services(),
            inputs.endpoints(),
            inputs.endpointSlices(),
            inputs.pods(),
            identity.domainSuffix(),
            identity.nodePolicy(),
            diagnostics);
    Map<String, Cluster> clusters = new TreeMap<>();
    // Per Envoy port, per filter chain (the listener hostname of an HTTPS chain, "" for HTTP), per
    // domain: the candidates (route matches) for that virtual host.
    Map<Integer, Map<String, Map<String, List<Candidate>>>> byChain = new TreeMap<>();
    listeners
        .all()
        .forEach(
            l ->
                byChain
                    .computeIfAbsent(l.port(), p -> new TreeMap<>())
                    .computeIfAbsent(chainKey(l), k -> new TreeMap<>()));

    List<HttpRoute> routes = new ArrayList<>(inputs.routes());
    routes.sort(
        Comparator.comparing((HttpRoute r) -> instant(r.created()))
            .thenComparing(r -> r.key().namespace())
            .thenComparing(r -> r.key().name()));
    for (HttpRoute route : routes) {
      memo.route(
              route,
              r -> routeWork(r, listenerOwners, listeners, namespaceLabels, services, grants, identity, clusters))
          .replay(diagnostics, status, clusters, byChain);
    }

    // GRPCRoutes (on the HTTP and HTTPS listeners), TCPRoutes and TLSRoutes (their own listeners): own classes.
    BackendClusters backends = new BackendClusters(services, identity, grants, clusters);
    GrpcRoutes grpc =
        GrpcRoutes.translate(
            listenerOwners,
            oldestFirst(inputs.grpcRoutes(), GrpcRoute::key, GrpcRoute::created),
            identity,
            backends,
            namespaceLabels,
            diagnostics,
            status);
    L4Routes.Result l4 =
        L4Routes.translate(
            listenerOwners,
            oldestFirst(inputs.l4Routes(), L4Route::key, L4Route::created),
            byChain.keySet(),
            identity,
            backends,
            namespaceLabels,
            new Terminations(grants, credentials, diagnostics),
            diagnostics,
            status);
    ImmutableSetMultimap.Builder<String, ResourceKey> owners = ImmutableSetMultimap.builder();
    owners.putAll(l4.owners());
    // Every route has made its clusters: the BackendTLSPolicies of their Services apply to them.
    BackendTlsPolicies backendTls = BackendTlsPolicies.resolve(inputs, identity, served, status, diagnostics);
    backendTls.applyTo(clusters, tcpClusters(l4.listeners()),
        BackendClientCertificates.resolve(served, grants, credentials, status, diagnostics), credentials, diagnostics);

    ImmutableList.Builder<Listener> envoyListeners = ImmutableList.builder();
    envoyListeners.addAll(l4.listeners());
    ImmutableList.Builder<RouteConfig> routeConfigs = ImmutableList.builder();
    PathHandling paths = PathHandling.of(identity.pathNormalization());
    byChain.forEach(
        (port, chains) -> {
          List<GatewayListeners.Live> onPort = listeners.byPort().get(port);
          String name = listenerName(identity, port);
          onPort.forEach(l -> owners.put(name, l.gateway().key()));
          ImmutableList.Builder<FilterChain> filterChains = ImmutableList.builder();
          chains.forEach(
              (chain, domains) -> {
                boolean https = !chain.isEmpty();
                String rds = https ? "https." + port + ":" + chain : "http." + port;
                Map<String, ImmutableList<Route>> routesByDomain = new TreeMap<>();
                int listenerPort = onPort.get(0).listener().port();
                domains.forEach(
                    (domain, candidates) ->
                        routesByDomain.put(
                            domain,
                            memo.virtualHost(candidates, listenerPort, https,
                                k -> redirectsFrom(listenerPort, https, routes(candidates)))));
                grpc.joinInto(port, chain, routesByDomain, diagnostics);
                routeConfigs.add(
                    new RouteConfig(rds, virtualHosts(port, chain, routesByDomain, onPort)));
                Optional<DownstreamTls> tls =
                    https ? Optional.of(downstreamTls(chain, onPort, credentials)) : Optional.empty();
                filterChains.add(
                    new FilterChain(
                        !https || chain.equals("*") ? ImmutableList.of() : ImmutableList.of(chain),
                        tls,
                        new NetworkFilter.Http(rds, paths)));
              });
          envoyListeners.add(
              new Listener(name, identity.bindAddress(), port, filterChains.build()));
        });
    memo.endTranslation();
    return new IrPiece(
        NAME,
        new GatewayConfig(
            envoyListeners.build(),
            routeConfigs.build(),
            ImmutableList.copyOf(clusters.values()),
            ImmutableList.<TlsSecret>builder()
                .addAll(credentials.requested()).addAll(backendTls.secrets(clusters))
                .addAll(clientCas(listeners)).build()),
        owners.build());
  }

  /**
   * One HTTPRoute's share of the translation, made with nothing but what {@link HttpRouteMemo}'s
   * context holds: {@code clusters} is read (a cluster already made is not made again) but not written.
   */
  private static RouteWork routeWork(
      HttpRoute route,
      List<ApiGateway> listenerOwners,
      GatewayListeners listeners,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels,
      Map<String, Backend> services,
      ReferenceGrants grants,
      GatewayIdentity identity,
      Map<String, Cluster> clusters) {
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    ImmutableList.Builder<Consumer<StatusCollector>> status = ImmutableList.builder();
    if (route.parents().isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              route.key(), "spec.parentRefs", "no parentRefs: this route is not served"));
      return new RouteWork(diagnostics.build(), ImmutableList.of(), ImmutableMap.of(), ImmutableList.of(),
          ImmutableList.of());
    }
    Map<GatewayListeners.Live, Set<String>> domains = new LinkedHashMap<>();
    for (HttpRoute.ParentRef parent : route.parents()) {
      attach(route, parent, listenerOwners, listeners, namespaceLabels, domains, diagnostics, status::add);
    }
    if (domains.isEmpty()) {
      return new RouteWork(diagnostics.build(), status.build(), ImmutableMap.of(), ImmutableList.of(),
          ImmutableList.of());
    }
    Map<String, Cluster> used = new LinkedHashMap<>();
    ImmutableList.Builder<Candidate> candidates = ImmutableList.builder();
    for (HttpRoute.Rule rule : route.rules()) {
      RouteAction action = action(route, rule, services, grants, identity, clusters, used, diagnostics);
      for (int m = 0; m < rule.matches().size(); m++) {
        candidates.add(new Candidate(route, rule, m, rule.matches().get(m), action));
      }
    }
    // A route attached through several listeners sharing a virtual host is served there once.
    Set<Placement> placements = new LinkedHashSet<>();
    domains.forEach(
        (listener, hosts) -> hosts.forEach(host -> placements.add(
            new Placement(listener.port(), chainKey(listener), host))));
    return new RouteWork(diagnostics.build(), status.build(), ImmutableMap.copyOf(used), candidates.build(),
        ImmutableList.copyOf(placements));
  }

  /** The CAs the served HTTPS listeners verify clients against, each once. */
  private static ImmutableList<TlsSecret> clientCas(GatewayListeners listeners) {
    Map<String, TlsSecret> out = new TreeMap<>();
    listeners.all().forEach(l -> l.clientCa().ifPresent(ca -> out.put(ca.name(), ca)));
    return ImmutableList.copyOf(out.values());
  }

  /** The clusters TCPRoutes and TLSRoutes (passthrough: the client's own TLS) send to. */
  private static Set<String> tcpClusters(List<Listener> listeners) {
    Set<String> out = new HashSet<>();
    for (Listener l : listeners) {
      for (FilterChain chain : l.filterChains()) {
        if (chain.filter() instanceof NetworkFilter.Tcp tcp) {
          tcp.clusters().forEach(c -> out.add(c.cluster()));
        }
      }
    }
    return out;
  }

  /** The filter chain a listener's routes go to: "" for HTTP (one chain), the hostname for HTTPS. */
  private static String chainKey(GatewayListeners.Live listener) {
    return listener.listener().protocol() == ApiGateway.Protocol.HTTPS ? listener.host() : "";
  }

  /**
   * The virtual hosts of one filter chain: one per domain with its routes; an empty one (404) for
   * each listener hostname on the port without routes, so that a request for it never falls to a
   * less specific listener's routes (listener isolation); and in an HTTPS chain, 421 (Misdirected
   * Request) for a host that belongs to another chain (the TLS connection was made for another
   * listener, so these routes must not answer it).
   */
  private static ImmutableList<VirtualHost> virtualHosts(
      int port,
      String chain,
      Map<String, ImmutableList<Route>> domains,
      List<GatewayListeners.Live> onPort) {
    Map<String, VirtualHost> hosts = new TreeMap<>();
    domains.forEach(
        (domain, routes) ->
            hosts.put(domain, new VirtualHost(domain + ":" + port, ImmutableList.of(domain), routes, false)));
    Set<String> own = new TreeSet<>();
    Set<String> others = new TreeSet<>();
    for (GatewayListeners.Live l : onPort) {
      if (chain.isEmpty() || chainKey(l).equals(chain)) {
        own.add(l.host());
      } else {
        others.add(l.host());
      }
    }
    for (String host : own) {
      if (!host.equals("*") && !hosts.containsKey(host)) {
        hosts.put(
            host,
            new VirtualHost(host + ":" + port, ImmutableList.of(host), ImmutableList.of(), false));
      }
    }
    if (!chain.isEmpty()) {
      RouteAction misdirected =
          new RouteAction.DirectResponse(421, Optional.empty(), Optional.empty());
      ImmutableList<Route> answer421 =
          ImmutableList.of(
              new Route(
                  "misdirected",
                  new RouteMatch(StringMatcher.prefix("/"), true, ImmutableList.of(), ImmutableList.of()),
                  misdirected));
      for (String host : others) {
        // A more specific listener's host; a less specific one is this chain's own business.
        if (!hosts.containsKey(host)
            && (chain.equals("*") || GatewayListeners.rank(Optional.of(chain), host) >= 0)
            && !host.equals("*")) {
          hosts.put(
              host,
              new VirtualHost("misdirected:" + host + ":" + port, ImmutableList.of(host), answer421, false));
        }
      }
      if (!chain.equals("*") && !hosts.containsKey("*")) {
        hosts.put(
            "*",
            new VirtualHost("misdirected:" + port, ImmutableList.of("*"), answer421, false));
      }
    }
    if (hosts.isEmpty()) {
      // Nothing attached: an explicit empty virtual host, so every request gets a clean 404 (as
      // Istio's).
      return ImmutableList.of(
          new VirtualHost("blackhole:" + port, ImmutableList.of("*"), ImmutableList.of(), false));
    }
    return ImmutableList.copyOf(hosts.values());
  }

  /**
   * TLS of an HTTPS chain: the certificate of its listeners (equal for all of them, else they
   * would be Conflicted), recorded for the snapshot.
   */
  private static DownstreamTls downstreamTls(
      String chain, List<GatewayListeners.Live> onPort, Credentials credentials) {
    GatewayListeners.Live first =
        onPort.stream().filter(l -> chainKey(l).equals(chain)).findFirst().orElseThrow();
    ResourceKey secret = first.secret().orElseThrow();
    String sds =
        ((Credentials.Lookup.Found) credentials.certificate(secret.namespace(), secret.name()))
            .sdsName();
    return new DownstreamTls(
        sds,
        first.clientCa().map(TlsSecret.TrustedCa::name),
        first.clientCa().isPresent() && !first.insecureFallback(),
        first.insecureFallback(),
        HTTPS_ALPN,
        Optional.empty(),
        Optional.empty(),
        ImmutableList.of());
  }

  /**
   * Adds, per listener, the domains under which {@code route} is served through {@code parent}.
   */
  private static void attach(
      HttpRoute route,
      HttpRoute.ParentRef parent,
      List<ApiGateway> served,
      GatewayListeners live,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels,
      Map<GatewayListeners.Live, Set<String>> domains,
      ImmutableList.Builder<Diagnostic> diagnostics,
      Consumer<Consumer<StatusCollector>> status) {
    String field = "spec.parentRefs[" + parent.index() + "]";
    Optional<ApiGateway> gateway =
        served.stream().filter(g -> parent.names(g.key())).findFirst();
    if (gateway.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "no "
                  + parent.kind().kubernetesKind()
                  + " "
                  + parent.namespace()
                  + "/"
                  + parent.name()
                  + " served by this gateway; not attached there"));
      return;
    }
    // Status is recorded as what to do to the collector, so that a remembered route does it again.
    ResourceKey routeKey = route.key();
    int parentIndex = parent.index();
    status.accept(s -> s.routeParent(routeKey, parentIndex));
    BiConsumer<Reason, String> notAccepted =
        (reason, message) -> status.accept(s -> s.routeParent(routeKey, parentIndex).accepted(false, reason, message));
    boolean anyListener = false;
    boolean anyKind = false;
    boolean anyAllowed = false;
    boolean anyServed = false;
    boolean anyHost = false;
    for (ApiGateway.Listener listener : gateway.get().listeners()) {
      if (parent.sectionName().isPresent() && !parent.sectionName().get().equals(listener.name())
          || parent.port().isPresent() && parent.port().getAsInt() != listener.port()) {
        continue;
      }
      anyListener = true;
      if (!listener.kinds().contains(ApiGateway.HTTP_ROUTE)) {
        continue;
      }
      anyKind = true;
      if (!allows(listener, gateway.get(), route.key().namespace(), namespaceLabels)) {
        continue;
      }
      anyAllowed = true;
      Optional<GatewayListeners.Live> served0 =
          live.all().stream()
              .filter(l -> l.gateway() == gateway.get() && l.listener() == listener)
              .findFirst();
      if (served0.isEmpty()) {
        continue;
      }
      anyServed = true;
      GatewayListeners.Live serving = served0.get();
      ImmutableSet<String> hosts = intersect(listener.hostname(), route.hostnames());
      Set<String> kept = new TreeSet<>();
      hosts.stream().filter(h -> live.owns(serving, h)).forEach(kept::add);
      if (!hosts.isEmpty()) {
        anyHost = true;
      }
      if (!kept.isEmpty()) {
        ResourceKey gatewayKey = gateway.get().key();
        String listenerName = listener.name();
        status.accept(s -> s.listener(gatewayKey, listenerName).attach(routeKey));
        domains.computeIfAbsent(serving, l -> new TreeSet<>()).addAll(kept);
      }
    }
    String target = parent.describe();
    if (!anyListener) {
      notAccepted.accept(Reason.NO_MATCHING_PARENT, "no HTTP listener of " + target + " matches");
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "no listener of " + target + " matches (NoMatchingParent); not attached there"));
    } else if (!anyKind) {
      notAccepted.accept(Reason.NOT_ALLOWED_BY_LISTENERS,
          target + " does not take HTTPRoutes (its protocol or allowedRoutes.kinds)");
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              target
                  + " does not take HTTPRoutes (its protocol or allowedRoutes.kinds)"
                  + " (NotAllowedByListeners); not attached there"));
    } else if (!anyAllowed) {
      notAccepted.accept(Reason.NOT_ALLOWED_BY_LISTENERS,
          target + " does not allow HTTPRoutes of namespace " + route.key().namespace());
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              target
                  + " does not allow HTTPRoutes of namespace "
                  + route.key().namespace()
                  + " (NotAllowedByListeners); not attached there"));
    } else if (!anyServed) {
      notAccepted.accept(Reason.NOT_ALLOWED_BY_LISTENERS,
          "no listener of " + target + " that allows this route is served");
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "no listener of "
                  + target
                  + " that allows this route is served (see the Gateway's diagnostics); not attached"
                  + " there"));
    } else if (!anyHost) {
      notAccepted.accept(Reason.NO_MATCHING_LISTENER_HOSTNAME,
          "none of the hostnames " + route.hostnames() + " matches a listener hostname of " + target);
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "none of the hostnames "
                  + route.hostnames()
                  + " matches a listener"
                  + " hostname of "
                  + target
                  + " (NoMatchingListenerHostname); not attached there"));
    }
  }

  /** {@code allowedRoutes.namespaces}: Same, All, or a Selector on the Namespace's labels. */
  static boolean allows(
      ApiGateway.Listener listener,
      ApiGateway gateway,
      String routeNamespace,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels) {
    return allows(listener.from(), listener.selector(), gateway.key().namespace(), routeNamespace, namespaceLabels);
  }

  /**
   * Whether {@code from} (with {@code selector} for Selector) admits an object of {@code namespace} to
   * something of {@code ownNamespace}: a listener's allowedRoutes, a Gateway's allowedListeners.
   */
  static boolean allows(
      ApiGateway.From from,
      Optional<LabelSelector> selector,
      String ownNamespace,
      String namespace,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels) {
    return switch (from) {
      case ALL -> true;
      case SAME -> namespace.equals(ownNamespace);
      case SELECTOR -> {
        ImmutableSortedMap<String, String> labels = namespaceLabels.get(namespace);
        // A Namespace not published is not known to have any label: not selected.
        yield labels != null && selector.map(s -> s.matches(labels)).orElse(false);
      }
    };
  }

  /**
   * The specification's hostname intersection: a route hostname equal to the listener's, or covered
   * by the listener's wildcard, is kept; a route wildcard covering the listener's hostname gives
   * the listener's; no hostnames on either side match everything the other side allows.
   */
  static ImmutableSet<String> intersect(Optional<String> listener, List<String> route) {
    if (listener.isEmpty()) {
      return route.isEmpty() ? ImmutableSet.of("*") : ImmutableSet.copyOf(route);
    }
    String l = listener.get();
    if (route.isEmpty()) {
      return ImmutableSet.of(l);
    }
    ImmutableSet.Builder<String> out = ImmutableSet.builder();
    for (String r : route) {
      if (r.equals(l) || covers(l, r)) {
        out.add(r);
      } else if (covers(r, l)) {
        out.add(l);
      }
    }
    return out.build();
  }

  /**
   * Whether wildcard {@code wildcard} ({@code *.example.com}) matches {@code host} (one or more
   * labels more).
   */
  private static boolean covers(String wildcard, String host) {
    if (!wildcard.startsWith("*.")) {
      return false;
    }
    String suffix = wildcard.substring(1);
    return host.endsWith(suffix)
        && host.length() > suffix.length()
        && !host.equals(wildcard)
        && (!host.startsWith("*.")
            || host.substring(1).endsWith(suffix) && host.length() > wildcard.length());
  }

  /**
   * What a rule does: redirect (RequestRedirect), forward to its backends (with rewrite, mirrors,
   * timeout), or, with no usable backend, answer 500 as the specification asks. A path rewrite of
   * ReplacePrefixMatch depends on the matched route and is completed in {@link #forPath}.
   */
  private static RouteAction action(
      HttpRoute route,
      HttpRoute.Rule rule,
      Map<String, Backend> services,
      ReferenceGrants grants,
      GatewayIdentity identity,
      Map<String, Cluster> clusters,
      Map<String, Cluster> used,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    HttpRoute.Filters filters = rule.filters();
    if (filters.redirect().isPresent()) {
      HttpRoute.Redirect r = filters.redirect().get();
      return new RouteAction.Redirect(
          r.hostname(),
          r.path().filter(HttpRoute.PathModifier::fullPath).map(HttpRoute.PathModifier::value),
          r.port(),
          r.scheme(),
          r.statusCode());
    }
    ImmutableList.Builder<RouteAction.WeightedCluster> weighted = ImmutableList.builder();
    for (HttpRoute.BackendRef ref : rule.backends()) {
      String field = "spec.rules[" + rule.index() + "].backendRefs[" + ref.index() + "]";
      if (ref.weight() == 0 && ref.namespace().equals(route.key().namespace())) {
        continue;
      }
      serviceCluster(
              route, field, ref.namespace(), ref.name(), ref.port(), services, grants, identity,
              clusters, used, diagnostics)
          .filter(name -> ref.weight() > 0)
          .ifPresent(
              name -> weighted.add(new RouteAction.WeightedCluster(name, ref.weight(), ref.headers())));
    }
    ImmutableList<RouteAction.WeightedCluster> built = weighted.build();
    if (built.isEmpty()) {
      // The specification: a rule without a usable backend answers 500.
      return new RouteAction.DirectResponse(500, Optional.empty(), Optional.empty());
    }
    ImmutableList.Builder<RouteAction.Mirror> mirrors = ImmutableList.builder();
    for (HttpRoute.Mirror mirror : filters.mirrors()) {
      serviceCluster(
              route, mirror.field(), mirror.namespace(), mirror.name(), mirror.port(), services,
              grants, identity, clusters, used, diagnostics)
          .ifPresent(name -> mirrors.add(new RouteAction.Mirror(name, mirror.percent())));
    }
    Optional<HttpRoute.Rewrite> rewrite = filters.rewrite();
    return new RouteAction.Forward(
        built,
        timeout(rule.timeouts(), rule.retry().isPresent()),
        rule.retry().map(r -> retryPolicy(r, rule.timeouts())),
        Optional.empty(),
        rewrite.flatMap(HttpRoute.Rewrite::hostname),
        rewrite
            .flatMap(HttpRoute.Rewrite::path)
            .filter(HttpRoute.PathModifier::fullPath)
            // The path without its query, whole.
            .map(p -> new RouteAction.RegexRewrite("^/.*$", p.value())),
        mirrors.build(),
        Optional.empty());
  }

  /**
   * With retries, request bounds them all and backendRequest each (the retry policy's per-try
   * timeout). Without, one attempt is the whole request, so the shorter of the two bounds it. Zero
   * ("0s") means none.
   */
  private static Duration timeout(HttpRoute.Timeouts timeouts, boolean retries) {
    return java.util.stream.Stream.of(
            timeouts.request(), retries ? Optional.<Duration>empty() : timeouts.backendRequest())
        .flatMap(Optional::stream)
        .filter(d -> !d.isZero())
        .min(Comparator.naturalOrder())
        .orElse(Duration.ZERO);
  }

  /**
   * {@code attempts} retries on the given status codes (on connection failures when none are given),
   * each attempt within backendRequest. The same endpoint may be tried again: the specification says
   * nothing of preferring another.
   */
  private static RouteAction.RetryPolicy retryPolicy(
      HttpRoute.Retry retry, HttpRoute.Timeouts timeouts) {
    return new RouteAction.RetryPolicy(
        retry.attempts(),
        retry.codes().isEmpty() ? "connect-failure,refused-stream" : "retriable-status-codes",
        retry.codes(),
        timeouts.backendRequest().filter(d -> !d.isZero()),
        false,
        retry.backoff());
  }

  /**
   * The cluster of a Service port a rule sends to (a backendRef or a mirror), created on first use;
   * empty when the reference is not allowed.
   */
  private static Optional<String> serviceCluster(
      HttpRoute route,
      String field,
      String namespace,
      String serviceName,
      int port,
      Map<String, Backend> services,
      ReferenceGrants grants,
      GatewayIdentity identity,
      Map<String, Cluster> clusters,
      Map<String, Cluster> used,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Optional<String> refused =
        grants.refused(Kind.HTTP_ROUTE, route.key().namespace(), "", "Service", namespace, serviceName);
    if (refused.isPresent()) {
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field + ".namespace",
              refused.get() + "; this backend is left out (a rule with no backend left answers 500)"));
      return Optional.empty();
    }
    String fqdn = KubernetesServices.fqdn(serviceName, namespace, identity.domainSuffix());
    String name = ClusterName.outbound(port, "", fqdn);
    Optional<Backend> backend = Optional.ofNullable(services.get(fqdn));
    if (backend.isEmpty()) {
      // Left out, so a rule with no backend left answers 500 as the specification asks.
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "no Service "
                  + namespace
                  + "/"
                  + serviceName
                  + " (BackendNotFound); this backend is left out (a rule with no backend left answers 500)"));
      return Optional.empty();
    } else {
      backend
          .get()
          .problem(port)
          .ifPresent(p -> diagnostics.add(Diagnostic.warning(route.key(), field + ".port", p)));
    }
    // Made once per name (the first route to use it makes it, the rest take that one); recorded in
    // {@code used}, which the caller adds to the translation's clusters.
    used.computeIfAbsent(
        name,
        n -> Optional.ofNullable(clusters.get(n)).orElseGet(() ->
            BackendClusters.forAppProtocol(
                backend.get().cluster(n, port, ImmutableMap.of()), backend.get().appProtocol(port))));
    return Optional.of(name);
  }

  /**
   * The specification's precedence: an exact path before any prefix, a longer prefix before a
   * shorter one, a method match, more header matches, more query matches first; then the older
   * route, then namespace/name; then rule and match order. Regular expressions (ordered as the
   * implementation likes) come after exact paths and before prefixes, longer first. A prefix {@code
   * /foo} matches whole segments: {@code /foo} exactly and everything under {@code /foo/}.
   */
  private static ImmutableList<Route> routes(List<Candidate> candidates) {
    List<Candidate> ordered = new ArrayList<>(candidates);
    ordered.sort(
        Comparator.comparingInt((Candidate c) -> precedence(c.match().type()))
            .thenComparing(c -> -c.match().path().length())
            .thenComparing(c -> c.match().method().isEmpty())
            .thenComparing(c -> -c.match().headers().size())
            .thenComparing(c -> -c.match().queryParams().size())
            .thenComparing(c -> instant(c.route().created()))
            .thenComparing(c -> c.route().key().namespace())
            .thenComparing(c -> c.route().key().name())
            .thenComparingInt(c -> c.rule().index())
            .thenComparingInt(Candidate::matchIndex));
    ImmutableList.Builder<Route> out = ImmutableList.builder();
    for (Candidate c : ordered) {
      HttpRoute.Match match = c.match();
      ImmutableList.Builder<RouteMatch.HeaderMatch> headers = ImmutableList.builder();
      for (HttpRoute.HeaderMatch h : match.headers()) {
        headers.add(
            new RouteMatch.HeaderMatch(
                h.name(),
                Optional.of(
                    new StringMatcher(
                        h.regex() ? StringMatcher.Kind.REGEX : StringMatcher.Kind.EXACT,
                        h.value())),
                false));
      }
      match
          .method()
          .ifPresent(
              m ->
                  headers.add(
                      new RouteMatch.HeaderMatch(
                          ":method",
                          Optional.of(new StringMatcher(StringMatcher.Kind.EXACT, m)),
                          false)));
      ImmutableList<RouteMatch.QueryParameterMatch> query =
          match.queryParams().stream()
              .map(
                  q ->
                      new RouteMatch.QueryParameterMatch(
                          q.name(),
                          Optional.of(
                              new StringMatcher(
                                  q.regex() ? StringMatcher.Kind.REGEX : StringMatcher.Kind.EXACT,
                                  q.value()))))
              .collect(ImmutableList.toImmutableList());
      String name = GatewayApiFrontEnd.routeName(c.route().key(), c.rule().index(), c.matchIndex());
      String path = match.path();
      Optional<String> prefixReplacement = prefixReplacement(c.rule().filters());
      List<StringMatcher> paths = new ArrayList<>();
      switch (match.type()) {
        case EXACT -> paths.add(new StringMatcher(StringMatcher.Kind.EXACT, path));
        case REGEX -> paths.add(new StringMatcher(StringMatcher.Kind.REGEX, path));
        case PREFIX -> {
          // "/" replaced by a longer prefix needs "/" itself apart, as any other prefix does.
          if (!path.equals("/")
              || prefixReplacement.isPresent() && !prefixReplacement.get().equals("/")) {
            paths.add(new StringMatcher(StringMatcher.Kind.EXACT, path));
          }
          paths.add(StringMatcher.prefix(path.equals("/") ? "/" : path + "/"));
        }
      }
      for (StringMatcher p : paths) {
        out.add(
            new Route(
                name,
                new RouteMatch(p, true, headers.build(), query),
                forPath(c.action(), p, prefixReplacement),
                c.rule().filters().headers(),
                Optional.empty(),
                c.rule().filters().cors()));
      }
    }
    return out.build();
  }

  /**
   * A redirect without scheme and port goes to the listener's port (the specification), which Envoy
   * does not know: it would keep the request's, or name the port it binds (--port-map). Named here
   * unless it is the scheme's well-known one (80 for HTTP, 443 for HTTPS), which Location leaves out.
   *
   * @param port the Gateway listener's port (not the one Envoy binds)
   */
  private static ImmutableList<Route> redirectsFrom(int port, boolean https, ImmutableList<Route> routes) {
    if (port == (https ? 443 : 80)) {
      return routes;
    }
    return routes.stream()
        .map(
            r ->
                r.action() instanceof RouteAction.Redirect d && d.scheme().isEmpty() && d.port().isEmpty()
                    ? new Route(
                        r.name(),
                        r.match(),
                        new RouteAction.Redirect(
                            d.host(), d.path(), OptionalInt.of(port), d.scheme(), d.code(), d.prefixRewrite()),
                        r.headers(),
                        r.fault(),
                        r.cors())
                    : r)
        .collect(ImmutableList.toImmutableList());
  }

  /** Routes of a kind oldest first, then by namespace and name (the specification's tie-breaks). */
  private static <R> List<R> oldestFirst(
      List<R> routes, Function<R, ResourceKey> key, Function<R, String> created) {
    List<R> sorted = new ArrayList<>(routes);
    sorted.sort(
        Comparator.comparing((R r) -> instant(created.apply(r)))
            .thenComparing(r -> key.apply(r).namespace())
            .thenComparing(r -> key.apply(r).name()));
    return sorted;
  }

  private static int precedence(HttpRoute.PathType type) {
    return switch (type) {
      case EXACT -> 0;
      case REGEX -> 1;
      case PREFIX -> 2;
    };
  }

  /** The ReplacePrefixMatch value of the rule's redirect or rewrite, if it has one. */
  private static Optional<String> prefixReplacement(HttpRoute.Filters filters) {
    return filters
        .redirect()
        .flatMap(HttpRoute.Redirect::path)
        .or(() -> filters.rewrite().flatMap(HttpRoute.Rewrite::path))
        .filter(p -> !p.fullPath())
        .map(HttpRoute.PathModifier::value);
  }

  /**
   * Completes a ReplacePrefixMatch for one Envoy route of a prefix match: the whole prefix
   * ({@code /foo}, exact) becomes the replacement; under it ({@code /foo/}) the replacement and a
   * slash, so {@code /foo/bar} becomes {@code /new/bar}, or {@code /bar} for replacement {@code /}.
   */
  private static RouteAction forPath(
      RouteAction action, StringMatcher path, Optional<String> replacement) {
    if (replacement.isEmpty()) {
      return action;
    }
    String value = replacement.get();
    String trimmed = value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    String rewrite =
        path.kind() == StringMatcher.Kind.EXACT ? trimmed : trimmed.equals("/") ? "/" : trimmed + "/";
    if (action instanceof RouteAction.Redirect r) {
      return new RouteAction.Redirect(
          r.host(), r.path(), r.port(), r.scheme(), r.code(), Optional.of(rewrite));
    }
    if (action instanceof RouteAction.Forward f) {
      return new RouteAction.Forward(
          f.clusters(),
          f.timeout(),
          f.retry(),
          Optional.of(rewrite),
          f.hostRewrite(),
          f.regexRewrite(),
          f.mirrors(),
          f.hashPolicy());
    }
    return action;
  }

  /** An Envoy route's name: the route's namespace and name, its rule's and its match's index. */
  static String routeName(ResourceKey route, int rule, int match) {
    return route.namespace() + "." + route.name() + "." + rule + "." + match;
  }

  private static String listenerName(GatewayIdentity identity, int port) {
    return identity.bindAddress() + "_" + port;
  }

  private static Instant instant(String timestamp) {
    try {
      return timestamp.isEmpty() ? Instant.MAX : Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }
}
