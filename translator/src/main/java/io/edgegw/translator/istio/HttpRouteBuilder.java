package io.edgegw.translator.istio;

import com.google.common.base.Joiner;
import com.google.common.collect.ImmutableList;
import com.google.common.primitives.Ints;
import io.edgegw.translator.ir.CorsPolicy;
import io.edgegw.translator.ir.Fault;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.ir.Percentage;
import io.edgegw.translator.ir.HashPolicy;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.ir.RouteMatch;
import io.edgegw.translator.ir.StringMatcher;
import io.edgegw.translator.istio.VirtualService.HttpMatchRequest;
import io.edgegw.translator.istio.VirtualService.HttpMirror;
import io.edgegw.translator.istio.VirtualService.HttpRetry;
import io.edgegw.translator.istio.VirtualService.HttpRoute;
import io.edgegw.translator.istio.VirtualService.HttpRouteDestination;
import io.edgegw.translator.istio.VirtualService.StringMatch;
import io.edgegw.translator.model.Diagnostic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/** The Envoy routes of one VirtualService for one Gateway server (docs/istio-semantics.md section 5). */
public final class HttpRouteBuilder {
  /** Istio's retry conditions when a route sets no {@code retries}. */
  static final String DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
  static final int DEFAULT_RETRIES = 2;

  private final DestinationResolver destinations;
  private final DelegateMerger delegates;
  private final Map<String, String> gatewayLabels;

  public HttpRouteBuilder(
      DestinationResolver destinations,
      DelegateMerger delegates,
      Map<String, String> gatewayLabels) {
    this.destinations = destinations;
    this.delegates = delegates;
    this.gatewayLabels = gatewayLabels;
  }

  /**
   * The routes, in VirtualService order, and every cluster they send to; {@code rules}: what each of
   * the VirtualService's http rules gave, for the next build of its next version.
   */
  public record Built(ImmutableList<Route> routes, ImmutableList<ClusterRef> clusters, ImmutableList<RuleBuilt> rules) {
    public Built(ImmutableList<Route> routes, ImmutableList<ClusterRef> clusters) {
      this(routes, clusters, ImmutableList.of());
    }
  }

  /**
   * What one http rule (a delegate's rules expanded in its place) gives one server: the expansion's
   * warnings, its routes and clusters and their warnings, and whether it ends with a catch-all.
   */
  public record RuleBuilt(
      HttpRoute rule,
      ImmutableList<Diagnostic> expansionDiagnostics,
      ImmutableList<Route> routes,
      ImmutableList<ClusterRef> clusters,
      ImmutableList<Diagnostic> diagnostics,
      boolean catchAll) {}

  /**
   * Routes for requests arriving through {@code gateway} (as {@code namespace/name}) on server port
   * {@code serverPort}. Like istiod, stops after the first catch-all: later rules can never match.
   */
  public Built build(VirtualService vs, String gateway, int serverPort, ImmutableList.Builder<Diagnostic> diagnostics) {
    return build(vs, gateway, serverPort, diagnostics, ImmutableList.of());
  }

  /**
   * As above; a rule that is the very instance of a rule in {@code previous} (what the previous version
   * of this VirtualService gave this server, with everything else its routes depend on unchanged) is
   * taken from there: a big VirtualService with one rule edited builds that rule.
   */
  Built build(VirtualService vs, String gateway, int serverPort, ImmutableList.Builder<Diagnostic> diagnostics,
      List<RuleBuilt> previous) {
    Map<HttpRoute, RuleBuilt> reuse = new IdentityHashMap<>(previous.size());
    previous.forEach(r -> reuse.put(r.rule(), r));
    ImmutableList.Builder<RuleBuilt> rules = ImmutableList.builderWithExpectedSize(vs.http().size());
    for (HttpRoute rule : vs.http()) {
      RuleBuilt r = reuse.get(rule);
      rules.add(r != null ? r : rule(vs, rule, gateway, serverPort));
    }
    ImmutableList<RuleBuilt> built = rules.build();
    // In the order one pass finds them: every rule's expansion first, then the rules up to a catch-all.
    built.forEach(r -> diagnostics.addAll(r.expansionDiagnostics()));
    ImmutableList.Builder<Route> routes = ImmutableList.builder();
    List<ClusterRef> clusters = new ArrayList<>();
    for (RuleBuilt r : built) {
      diagnostics.addAll(r.diagnostics());
      routes.addAll(r.routes());
      clusters.addAll(r.clusters());
      if (r.catchAll()) {
        break;
      }
    }
    return new Built(routes.build(), ImmutableList.copyOf(clusters), built);
  }

  private RuleBuilt rule(VirtualService vs, HttpRoute top, String gateway, int serverPort) {
    ImmutableList.Builder<Diagnostic> expansion = ImmutableList.builder();
    ImmutableList<DelegateMerger.Sourced> expanded = delegates.expand(vs, top, expansion);
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    ImmutableList.Builder<Route> routes = ImmutableList.builder();
    List<ClusterRef> clusters = new ArrayList<>();
    boolean catchAll = false;
    for (DelegateMerger.Sourced sourced : expanded) {
      HttpRoute rule = sourced.rule();
      // A delegated rule resolves names in, and reports on, the VirtualService that holds it.
      Optional<RouteAction> action = action(sourced.source(), rule, serverPort, clusters, diagnostics);
      if (action.isEmpty()) {
        continue;
      }
      HeaderMutations headers = rule.headers().map(RouteFeatures::headers).orElse(HeaderMutations.NONE);
      if (action.get() instanceof RouteAction.Forward forward && forward.clusters().size() == 1
          && !forward.clusters().get(0).headers().isEmpty()) {
        // As istiod: a lone destination becomes the route's cluster, and its header operations follow
        // the rule's on the route, so where both set a header the destination's value wins.
        RouteAction.WeightedCluster only = forward.clusters().get(0);
        headers = headers.followedBy(only.headers());
        action =
            Optional.of(
                new RouteAction.Forward(
                    ImmutableList.of(
                        new RouteAction.WeightedCluster(only.cluster(), only.weight())),
                    forward.timeout(),
                    forward.retry(),
                    forward.prefixRewrite(),
                    forward.hostRewrite(),
                    forward.regexRewrite(),
                    forward.mirrors(),
                    forward.hashPolicy()));
      }
      Optional<Fault> fault = rule.fault().map(RouteFeatures::fault);
      Optional<CorsPolicy> cors = rule.corsPolicy().map(RouteFeatures::cors);
      if (rule.matches().isEmpty()) {
        routes.add(new Route(rule.name(), anyPath(), action.get(), headers, fault, cors));
        catchAll = true;
      }
      for (HttpMatchRequest match : rule.matches()) {
        if (!applies(vs, match, gateway, serverPort)) {
          continue;
        }
        Route route = new Route(routeName(rule, match), match(match), action.get(), headers, fault, cors);
        routes.add(route);
        if (route.match().isCatchAll()) {
          catchAll = true;
          break;
        }
      }
      if (catchAll) {
        break;
      }
    }
    return new RuleBuilt(top, expansion.build(), routes.build(), ImmutableList.copyOf(clusters), diagnostics.build(),
        catchAll);
  }

  private static String routeName(HttpRoute rule, HttpMatchRequest match) {
    return Joiner.on('.').join(Stream.of(rule.name(), match.name()).filter(s -> !s.isEmpty()).iterator());
  }

  /** A match limited to another port or other gateways does not apply to this server. */
  /**
   * istiod drops a match whose {@code port} or {@code gateways} name another server, whose {@code
   * sourceLabels} are not all labels of this proxy (the gateway), or whose {@code sourceNamespace} is not
   * the proxy's (this gateway has none).
   */
  private boolean applies(VirtualService vs, HttpMatchRequest match, String gateway, int serverPort) {
    if (match.port().isPresent() && match.port().getAsInt() != serverPort) {
      return false;
    }
    if (match.sourceNamespace().isPresent()
        || !match.sourceLabels().entrySet().stream()
            .allMatch(e -> e.getValue().equals(gatewayLabels.get(e.getKey())))) {
      return false;
    }
    return match.gateways().isEmpty() || match.gateways().stream().map(vs::qualify).anyMatch(gateway::equals);
  }

  private static RouteMatch anyPath() {
    return new RouteMatch(StringMatcher.prefix("/"), true, ImmutableList.of(), ImmutableList.of());
  }

  private static RouteMatch match(HttpMatchRequest match) {
    StringMatcher path = match.uri().map(HttpRouteBuilder::matcher).orElse(StringMatcher.prefix("/"));
    List<RouteMatch.HeaderMatch> headers = new ArrayList<>();
    match
        .headers()
        .forEach(
            (name, value) ->
                headers.add(
                    new RouteMatch.HeaderMatch(name, value.map(HttpRouteBuilder::matcher), false)));
    match
        .withoutHeaders()
        .forEach(
            (name, value) ->
                headers.add(
                    new RouteMatch.HeaderMatch(name, value.map(HttpRouteBuilder::matcher), true)));
    headers.sort(java.util.Comparator.comparing(RouteMatch.HeaderMatch::name));
    match.method().ifPresent(m -> headers.add(new RouteMatch.HeaderMatch(":method", Optional.of(matcher(m)), false)));
    match
        .authority()
        .ifPresent(
            m ->
                headers.add(
                    new RouteMatch.HeaderMatch(":authority", Optional.of(matcher(m)), false)));
    match.scheme().ifPresent(m -> headers.add(new RouteMatch.HeaderMatch(":scheme", Optional.of(matcher(m)), false)));
    ImmutableList.Builder<RouteMatch.QueryParameterMatch> query = ImmutableList.builder();
    for (Map.Entry<String, Optional<StringMatch>> e : match.queryParams().entrySet()) {
      query.add(new RouteMatch.QueryParameterMatch(e.getKey(), e.getValue().map(HttpRouteBuilder::matcher)));
    }
    return new RouteMatch(path, !match.ignoreUriCase(), ImmutableList.copyOf(headers), query.build());
  }

  static StringMatcher matcher(StringMatch match) {
    return new StringMatcher(StringMatcher.Kind.valueOf(match.type().name()), match.value());
  }

  /** Redirect, then direct response, then forwarding (validation allows only one of them). */
  private Optional<RouteAction> action(
      VirtualService vs,
      HttpRoute rule,
      int serverPort,
      List<ClusterRef> clusters,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    if (rule.redirect().isPresent()) {
      var r = rule.redirect().get();
      // Envoy cannot copy the request's port; the route belongs to one server port, so that is it (as istiod).
      OptionalInt port = r.portFromRequest() ? OptionalInt.of(serverPort) : r.port();
      return Optional.of(new RouteAction.Redirect(r.authority(), r.uri(), port, r.scheme(), r.redirectCode()));
    }
    if (rule.directResponse().isPresent()) {
      var d = rule.directResponse().get();
      return Optional.of(new RouteAction.DirectResponse(d.status(), d.body(), d.bytes()));
    }
    ImmutableList.Builder<RouteAction.WeightedCluster> weighted = ImmutableList.builder();
    List<ClusterRef> used = new ArrayList<>();
    boolean single = rule.route().size() == 1;
    for (HttpRouteDestination destination : rule.route()) {
      // A zero weight takes no traffic; with one destination the weight does not matter.
      if (!single && destination.weight() == 0) {
        continue;
      }
      ClusterRef cluster = destinations.resolve(vs, rule, destination, serverPort, diagnostics);
      used.add(cluster);
      weighted.add(new RouteAction.WeightedCluster(cluster.name(), single ? 100 : destination.weight(),
          destination.headers().map(RouteFeatures::headers).orElse(HeaderMutations.NONE)));
    }
    ImmutableList.Builder<RouteAction.Mirror> mirrors = ImmutableList.builder();
    for (HttpMirror mirror : rule.mirrors()) {
      // Like istiod: an explicit 0% mirrors nothing, so there is no policy at all.
      if (mirror.percent().value() == 0) {
        continue;
      }
      ClusterRef cluster = destinations.resolve(vs, mirror.field(), mirror.destination(), serverPort, diagnostics);
      used.add(cluster);
      mirrors.add(new RouteAction.Mirror(cluster.name(), new Percentage(mirror.percent().value())));
    }
    clusters.addAll(used);
    Optional<String> prefixRewrite = rule.rewrite().flatMap(VirtualService.HttpRewrite::uri);
    Optional<String> hostRewrite = rule.rewrite().flatMap(VirtualService.HttpRewrite::authority);
    Optional<RouteAction.RegexRewrite> regexRewrite =
        rule.rewrite()
            .flatMap(VirtualService.HttpRewrite::uriRegexRewrite)
            .map(r -> new RouteAction.RegexRewrite(r.match(), r.rewrite()));
    // Like istiod: a consistent hash only makes sense when one cluster takes all the traffic.
    Optional<HashPolicy> hashPolicy = single ? destinations.hashPolicy(used.get(0)) : Optional.empty();
    return Optional.of(new RouteAction.Forward(weighted.build(), rule.timeout().orElse(Duration.ZERO),
        retryPolicy(rule.retries()), prefixRewrite, hostRewrite, regexRewrite, mirrors.build(), hashPolicy));
  }

  /** istiod's ConvertPolicy: default when unset, none for 0 attempts; numeric retryOn parts are status codes. */
  private static Optional<RouteAction.RetryPolicy> retryPolicy(Optional<HttpRetry> retries) {
    if (retries.isEmpty()) {
      return Optional.of(
          new RouteAction.RetryPolicy(
              DEFAULT_RETRIES, DEFAULT_RETRY_ON, ImmutableList.of(), Optional.empty()));
    }
    HttpRetry retry = retries.get();
    if (retry.attempts() == 0) {
      return Optional.empty();
    }
    String retryOn = DEFAULT_RETRY_ON;
    ImmutableList.Builder<Integer> codes = ImmutableList.builder();
    if (retry.retryOn().isPresent()) {
      List<String> conditions = new ArrayList<>();
      for (String part : retry.retryOn().get().split(",")) {
        String trimmed = part.trim();
        Integer code = Ints.tryParse(trimmed);
        if (code != null) {
          codes.add(code);
        } else if (!trimmed.isEmpty()) {
          conditions.add(trimmed);
        }
      }
      if (!codes.build().isEmpty() && !conditions.contains("retriable-status-codes")) {
        conditions.add("retriable-status-codes");
      }
      retryOn = String.join(",", conditions);
    }
    return Optional.of(new RouteAction.RetryPolicy(retry.attempts(), retryOn, codes.build(), retry.perTryTimeout(),
        retry.ignorePreviousHosts().orElse(true), retry.backoff()));
  }
}
