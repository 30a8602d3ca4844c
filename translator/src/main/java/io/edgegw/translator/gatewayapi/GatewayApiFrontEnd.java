package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSetMultimap;
import io.edgegw.translator.frontend.FrontEnd;
import io.edgegw.translator.frontend.IrPiece;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.ClusterName;
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
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.kube.Backend;
import io.edgegw.translator.kube.KubernetesServices;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

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

  private final String controllerName;

  public GatewayApiFrontEnd(String controllerName) {
    this.controllerName = controllerName;
  }

  /** One route rule's match, ready to be ordered by the specification's precedence. */
  private record Candidate(
      HttpRoute route,
      HttpRoute.Rule rule,
      int matchIndex,
      HttpRoute.Match match,
      RouteAction action) {}

  @Override
  public IrPiece translate(
      GatewayApiInputs inputs,
      GatewayIdentity identity,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    return translate(inputs, identity, diagnostics, new StatusCollector(controllerName));
  }

  /** As {@link #translate(GatewayApiInputs, GatewayIdentity, ImmutableList.Builder)}, recording status. */
  public IrPiece translate(
      GatewayApiInputs inputs,
      GatewayIdentity identity,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status) {
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

    // Listeners by Envoy port; the first listener with a hostname on a port keeps it.
    Map<Integer, Map<String, ApiGateway.Listener>> hostsByPort = new TreeMap<>();
    ImmutableSetMultimap.Builder<String, ResourceKey> owners = ImmutableSetMultimap.builder();
    Map<String, ResourceKey> hostOwner = new java.util.HashMap<>();
    for (ApiGateway gateway : served) {
      status.gateway(gateway.key());
      for (ApiGateway.Listener listener : gateway.listeners()) {
        status.listener(gateway.key(), listener.name()).supportedKinds("HTTPRoute");
        int port = identity.listenerPort(listener.port());
        String host = listener.hostname().orElse("*");
        String id = port + "/" + host;
        if (hostOwner.containsKey(id)) {
          if (hostOwner.get(id).equals(gateway.key())) {
            // The specification's Conflicted is about listeners of one Gateway; Gateways sharing a port
            // share its hosts here (their routes are merged), which the WARNING below reports.
            status.listener(gateway.key(), listener.name()).conflicted(true, Reason.HOSTNAME_CONFLICT,
                "port " + listener.port() + " with hostname " + host + " is already served by listener of"
                    + " this Gateway");
          }
          diagnostics.add(
              Diagnostic.warning(
                  gateway.key(),
                  "spec.listeners[" + listener.index() + "]",
                  "port "
                      + listener.port()
                      + " with hostname "
                      + host
                      + " is already served by "
                      + hostOwner.get(id)
                      + "; listener "
                      + listener.name()
                      + " is not served (Conflicted)"));
          continue;
        }
        hostOwner.put(id, gateway.key());
        hostsByPort.computeIfAbsent(port, p -> new TreeMap<>());
        owners.put(listenerName(identity, port), gateway.key());
      }
    }

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
    // Per Envoy port, per domain: the candidates (route matches) for that virtual host.
    Map<Integer, Map<String, List<Candidate>>> byPortAndDomain = new TreeMap<>();
    hostsByPort.keySet().forEach(p -> byPortAndDomain.put(p, new TreeMap<>()));

    List<HttpRoute> routes = new ArrayList<>(inputs.routes());
    routes.sort(
        Comparator.comparing((HttpRoute r) -> instant(r.created()))
            .thenComparing(r -> r.key().namespace())
            .thenComparing(r -> r.key().name()));
    for (HttpRoute route : routes) {
      if (route.parents().isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(
                route.key(), "spec.parentRefs", "no parentRefs: this route is not served"));
        continue;
      }
      Map<Integer, Set<String>> domains = new TreeMap<>();
      for (HttpRoute.ParentRef parent : route.parents()) {
        attach(route, parent, served, identity, domains, diagnostics, status);
      }
      if (domains.isEmpty()) {
        continue;
      }
      List<Candidate> candidates = new ArrayList<>();
      for (HttpRoute.Rule rule : route.rules()) {
        RouteAction action = action(route, rule, services, identity, clusters, diagnostics);
        for (int m = 0; m < rule.matches().size(); m++) {
          candidates.add(new Candidate(route, rule, m, rule.matches().get(m), action));
        }
      }
      domains.forEach(
          (port, hosts) ->
              hosts.forEach(
                  host ->
                      byPortAndDomain
                          .get(port)
                          .computeIfAbsent(host, h -> new ArrayList<>())
                          .addAll(candidates)));
    }

    ImmutableList.Builder<Listener> listeners = ImmutableList.builder();
    ImmutableList.Builder<RouteConfig> routeConfigs = ImmutableList.builder();
    PathHandling paths = PathHandling.of(identity.pathNormalization());
    byPortAndDomain.forEach(
        (port, domains) -> {
          String rds = "http." + port;
          listeners.add(
              new Listener(
                  listenerName(identity, port),
                  identity.bindAddress(),
                  port,
                  ImmutableList.of(
                      new FilterChain(
                          ImmutableList.of(),
                          Optional.empty(),
                          new NetworkFilter.Http(rds, paths)))));
          ImmutableList.Builder<VirtualHost> hosts = ImmutableList.builder();
          domains.forEach(
              (domain, candidates) ->
                  hosts.add(
                      new VirtualHost(
                          domain + ":" + port,
                          ImmutableList.of(domain),
                          routes(candidates),
                          false)));
          ImmutableList<VirtualHost> built = hosts.build();
          // Nothing attached: an explicit empty virtual host, so every request gets a clean 404 (as
          // Istio's).
          routeConfigs.add(
              new RouteConfig(
                  rds,
                  built.isEmpty()
                      ? ImmutableList.of(
                          new VirtualHost(
                              "blackhole:" + port,
                              ImmutableList.of("*"),
                              ImmutableList.of(),
                              false))
                      : built));
        });
    return new IrPiece(
        NAME,
        new GatewayConfig(
            listeners.build(),
            routeConfigs.build(),
            ImmutableList.copyOf(clusters.values()),
            ImmutableList.of()),
        owners.build());
  }

  /**
   * Adds, per Envoy port, the domains under which {@code route} is served through {@code parent}.
   */
  private static void attach(
      HttpRoute route,
      HttpRoute.ParentRef parent,
      List<ApiGateway> served,
      GatewayIdentity identity,
      Map<Integer, Set<String>> domains,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status) {
    String field = "spec.parentRefs[" + parent.index() + "]";
    Optional<ApiGateway> gateway =
        served.stream()
            .filter(
                g ->
                    g.key().namespace().equals(parent.namespace())
                        && g.key().name().equals(parent.name()))
            .findFirst();
    if (gateway.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "no Gateway "
                  + parent.namespace()
                  + "/"
                  + parent.name()
                  + " served by this gateway; not attached there"));
      return;
    }
    StatusCollector.Conditions parentStatus = status.routeParent(route.key(), parent.index());
    boolean anyListener = false;
    boolean anyAllowed = false;
    boolean anyHost = false;
    for (ApiGateway.Listener listener : gateway.get().listeners()) {
      if (parent.sectionName().isPresent() && !parent.sectionName().get().equals(listener.name())
          || parent.port().isPresent() && parent.port().getAsInt() != listener.port()) {
        continue;
      }
      anyListener = true;
      if (!listener.allNamespaces()
          && !route.key().namespace().equals(gateway.get().key().namespace())) {
        continue;
      }
      anyAllowed = true;
      ImmutableSet<String> hosts = intersect(listener.hostname(), route.hostnames());
      if (!hosts.isEmpty()) {
        anyHost = true;
        status.listener(gateway.get().key(), listener.name()).attach(route.key());
        domains
            .computeIfAbsent(identity.listenerPort(listener.port()), p -> new java.util.TreeSet<>())
            .addAll(hosts);
      }
    }
    String target =
        "Gateway "
            + parent.namespace()
            + "/"
            + parent.name()
            + parent.sectionName().map(s -> " listener " + s).orElse("")
            + (parent.port().isPresent() ? " port " + parent.port().getAsInt() : "");
    if (!anyListener) {
      parentStatus.accepted(false, Reason.NO_MATCHING_PARENT, "no HTTP listener of " + target + " matches");
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              "no HTTP listener of " + target + " matches; not attached there"));
    } else if (!anyAllowed) {
      parentStatus.accepted(false, Reason.NOT_ALLOWED_BY_LISTENERS,
          target + " allows routes of its own namespace only");
      diagnostics.add(
          Diagnostic.warning(
              route.key(),
              field,
              target
                  + " allows routes of its own namespace only"
                  + " (NotAllowedByListeners); not attached there"));
    } else if (!anyHost) {
      parentStatus.accepted(false, Reason.NO_MATCHING_LISTENER_HOSTNAME,
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

  private static RouteAction action(
      HttpRoute route,
      HttpRoute.Rule rule,
      Map<String, Backend> services,
      GatewayIdentity identity,
      Map<String, Cluster> clusters,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableList.Builder<RouteAction.WeightedCluster> weighted = ImmutableList.builder();
    for (HttpRoute.BackendRef ref : rule.backends()) {
      String field = "spec.rules[" + rule.index() + "].backendRefs[" + ref.index() + "]";
      if (!ref.namespace().equals(route.key().namespace())) {
        diagnostics.add(
            Diagnostic.warning(
                route.key(),
                field + ".namespace",
                "a reference to another namespace needs a ReferenceGrant, which is not supported yet"
                    + " (RefNotPermitted); this backend is left out (a rule with no backend left answers 500)"));
        continue;
      }
      if (ref.weight() == 0) {
        continue;
      }
      String fqdn = KubernetesServices.fqdn(ref.name(), ref.namespace(), identity.domainSuffix());
      String name = ClusterName.outbound(ref.port(), "", fqdn);
      Optional<Backend> backend = Optional.ofNullable(services.get(fqdn));
      if (backend.isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(
                route.key(),
                field,
                "no Service "
                    + ref.namespace()
                    + "/"
                    + ref.name()
                    + " (BackendNotFound); this backend is left out"
                    + " (a rule with no backend left answers 500)"));
        continue;
      } else {
        backend
            .get()
            .problem(ref.port())
            .ifPresent(p -> diagnostics.add(Diagnostic.warning(route.key(), field + ".port", p)));
      }
      clusters.computeIfAbsent(
          name,
          n ->
              backend
                  .map(b -> b.cluster(n, ref.port(), ImmutableMap.of()))
                  .orElseGet(() -> new Cluster(n, Cluster.Discovery.EDS, ImmutableList.of())));
      weighted.add(new RouteAction.WeightedCluster(name, ref.weight()));
    }
    ImmutableList<RouteAction.WeightedCluster> built = weighted.build();
    if (built.isEmpty()) {
      // The specification: a rule without a usable backend answers 500.
      return new RouteAction.DirectResponse(500, Optional.empty(), Optional.empty());
    }
    return new RouteAction.Forward(
        built, Duration.ZERO, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * The specification's precedence: an exact path before any prefix, a longer prefix before a
   * shorter one, more header matches first; then the older route, then namespace/name; then rule
   * and match order. A prefix {@code /foo} matches whole segments: {@code /foo} exactly and
   * everything under {@code /foo/}.
   */
  private static ImmutableList<Route> routes(List<Candidate> candidates) {
    List<Candidate> ordered = new ArrayList<>(candidates);
    ordered.sort(
        Comparator.comparing((Candidate c) -> !c.match().exact())
            .thenComparing(c -> -c.match().path().length())
            .thenComparing(c -> -c.match().headers().size())
            .thenComparing(c -> instant(c.route().created()))
            .thenComparing(c -> c.route().key().namespace())
            .thenComparing(c -> c.route().key().name())
            .thenComparingInt(c -> c.rule().index())
            .thenComparingInt(Candidate::matchIndex));
    ImmutableList.Builder<Route> out = ImmutableList.builder();
    for (Candidate c : ordered) {
      ImmutableList<RouteMatch.HeaderMatch> headers =
          c.match().headers().stream()
              .map(
                  h ->
                      new RouteMatch.HeaderMatch(
                          h.name(),
                          Optional.of(new StringMatcher(StringMatcher.Kind.EXACT, h.value())),
                          false))
              .collect(ImmutableList.toImmutableList());
      String name =
          c.route().key().namespace()
              + "."
              + c.route().key().name()
              + "."
              + c.rule().index()
              + "."
              + c.matchIndex();
      String path = c.match().path();
      if (c.match().exact()) {
        out.add(
            new Route(
                name,
                new RouteMatch(
                    new StringMatcher(StringMatcher.Kind.EXACT, path),
                    true,
                    headers,
                    ImmutableList.of()),
                c.action()));
      } else if (path.equals("/")) {
        out.add(
            new Route(
                name,
                new RouteMatch(StringMatcher.prefix("/"), true, headers, ImmutableList.of()),
                c.action()));
      } else {
        out.add(
            new Route(
                name,
                new RouteMatch(
                    new StringMatcher(StringMatcher.Kind.EXACT, path),
                    true,
                    headers,
                    ImmutableList.of()),
                c.action()));
        out.add(
            new Route(
                name,
                new RouteMatch(StringMatcher.prefix(path + "/"), true, headers, ImmutableList.of()),
                c.action()));
      }
    }
    return out.build();
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
