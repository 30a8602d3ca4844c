package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.ir.RouteMatch;
import io.edgegw.translator.ir.StringMatcher;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GRPCRoutes on the HTTP and HTTPS listeners: per Envoy port, filter chain and domain, the IR routes in the
 * specification's precedence (most service characters, then most method characters, then most
 * header matches; then the older route, namespace/name, rule and match order). A gRPC method is
 * the path {@code /<service>/<method>}; backends are spoken to in HTTP/2 (h2c). On an HTTPS listener
 * the client speaks HTTP/2 inside the listener's TLS (ALPN h2).
 */
final class GrpcRoutes {
  private static final ImmutableSet<String> HTTP = ImmutableSet.of("HTTP", "HTTPS");

  private record Candidate(
      GrpcRoute route, GrpcRoute.Rule rule, int matchIndex, GrpcRoute.Match match, RouteAction action) {}

  /**
   * Per Envoy port, per filter chain (as the HTTPRoutes': "" for HTTP, the listener hostname or "*"
   * for HTTPS), per domain: the candidates, and the GRPCRoutes they come from.
   */
  private final Map<Integer, Map<String, Map<String, List<Candidate>>>> byChain = new TreeMap<>();

  private GrpcRoutes() {}

  /**
   * @param served the Gateways served
   * @param routes every GRPCRoute, oldest first
   */
  static GrpcRoutes translate(
      List<ApiGateway> served,
      List<GrpcRoute> routes,
      GatewayIdentity identity,
      BackendClusters backends,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status) {
    GrpcRoutes out = new GrpcRoutes();
    for (GrpcRoute route : routes) {
      if (route.parents().isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(route.key(), "spec.parentRefs", "no parentRefs: this route is not served"));
        continue;
      }
      Map<Integer, Map<String, Set<String>>> domains = new TreeMap<>();
      for (HttpRoute.ParentRef parent : route.parents()) {
        for (RouteAttachment.Attached a :
            RouteAttachment.attach(
                route.key(), "GRPCRoute", parent, route.hostnames(), true, HTTP, served, namespaceLabels,
                diagnostics, status)) {
          status.listener(a.listener().gateway().key(), a.listener().name()).attach(route.key());
          domains
              .computeIfAbsent(identity.listenerPort(a.listener().port()), p -> new TreeMap<>())
              .computeIfAbsent(chain(a.listener()), c -> new TreeSet<>())
              .addAll(a.hosts());
        }
      }
      if (domains.isEmpty()) {
        continue;
      }
      List<Candidate> candidates = new ArrayList<>();
      for (GrpcRoute.Rule rule : route.rules()) {
        ImmutableList<RouteAction.WeightedCluster> clusters =
            backends.resolve(
                route.key(),
                "spec.rules[" + rule.index() + "]",
                rule.backends(),
                "requests get 503",
                BackendClusters.HTTP2,
                diagnostics);
        // As for HTTPRoute: a rule without a usable backend answers 500 (gRPC status INTERNAL).
        RouteAction action =
            clusters.isEmpty()
                ? new RouteAction.DirectResponse(500, Optional.empty(), Optional.empty())
                : new RouteAction.Forward(
                    clusters, Duration.ZERO, Optional.empty(), Optional.empty(), Optional.empty());
        for (int m = 0; m < rule.matches().size(); m++) {
          candidates.add(new Candidate(route, rule, m, rule.matches().get(m), action));
        }
      }
      domains.forEach(
          (port, chains) ->
              chains.forEach(
                  (chain, hosts) ->
                      hosts.forEach(
                          host ->
                              out.byChain
                                  .computeIfAbsent(port, p -> new TreeMap<>())
                                  .computeIfAbsent(chain, c -> new TreeMap<>())
                                  .computeIfAbsent(host, h -> new ArrayList<>())
                                  .addAll(candidates))));
    }
    return out;
  }

  /** The filter chain a listener's routes go to, as GatewayApiFrontEnd keys them. */
  private static String chain(RouteAttachment.Target listener) {
    return listener.listener().protocol() == ApiGateway.Protocol.HTTPS
        ? listener.listener().hostname().orElse("*")
        : "";
  }

  /**
   * Adds the gRPC routes of {@code port}'s filter chain {@code chain} to {@code httpRoutes} (per
   * domain, the HTTPRoutes' routes of that chain).
   * The specification gives a hostname that both kinds claim on a listener to one kind only; here
   * the HTTPRoutes keep it and the GRPCRoutes get a WARNING (Conflicted) for it.
   */
  void joinInto(
      int port,
      String chain,
      Map<String, ImmutableList<Route>> httpRoutes,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    byChain
        .getOrDefault(port, Map.of())
        .getOrDefault(chain, Map.of())
        .forEach(
            (domain, candidates) -> {
              if (httpRoutes.containsKey(domain)) {
                candidates.stream()
                    .map(c -> c.route().key())
                    .distinct()
                    .forEach(
                        (ResourceKey key) ->
                            diagnostics.add(
                                Diagnostic.warning(
                                    key,
                                    "spec.hostnames",
                                    "host "
                                        + domain
                                        + " on port "
                                        + port
                                        + " is routed by HTTPRoutes; the GRPCRoute is not served"
                                        + " there (Conflicted)")));
              } else {
                httpRoutes.put(domain, routes(candidates));
              }
            });
  }

  private static ImmutableList<Route> routes(List<Candidate> candidates) {
    List<Candidate> ordered = new ArrayList<>(candidates);
    ordered.sort(
        Comparator.comparingInt((Candidate c) -> -c.match().service().map(String::length).orElse(0))
            .thenComparingInt(c -> -c.match().method().map(String::length).orElse(0))
            .thenComparingInt(c -> -c.match().headers().size())
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
                          Optional.of(
                              new StringMatcher(
                                  h.regex() ? StringMatcher.Kind.REGEX : StringMatcher.Kind.EXACT,
                                  h.value())),
                          false))
              .collect(ImmutableList.toImmutableList());
      String name = GatewayApiFrontEnd.routeName(c.route().key(), c.rule().index(), c.matchIndex());
      out.add(
          new Route(
              name,
              new RouteMatch(path(c.match()), true, headers, ImmutableList.of()),
              c.action(),
              c.rule().headers(),
              Optional.empty(),
              Optional.empty()));
    }
    return out.build();
  }

  /** The request path a method match stands for: {@code /<service>/<method>}. */
  static StringMatcher path(GrpcRoute.Match match) {
    if (match.regex()) {
      return new StringMatcher(
          StringMatcher.Kind.REGEX,
          "/(?:" + match.service().orElse("[^/]+") + ")/(?:" + match.method().orElse("[^/]+") + ")");
    }
    if (match.service().isPresent() && match.method().isPresent()) {
      return new StringMatcher(
          StringMatcher.Kind.EXACT, "/" + match.service().get() + "/" + match.method().get());
    }
    if (match.service().isPresent()) {
      return StringMatcher.prefix("/" + match.service().get() + "/");
    }
    if (match.method().isPresent()) {
      // Validated names: only the dots of a service need escaping, and a method has none.
      return new StringMatcher(StringMatcher.Kind.REGEX, "/[^/]+/" + match.method().get());
    }
    return StringMatcher.prefix("/");
  }

  private static Instant instant(String timestamp) {
    try {
      return timestamp.isEmpty() ? Instant.MAX : Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }
}
