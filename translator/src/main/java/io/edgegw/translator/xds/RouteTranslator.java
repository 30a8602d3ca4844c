package io.edgegw.translator.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.ir.HashPolicy;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.RouteMatch;
import io.edgegw.translator.ir.StringMatcher;
import io.edgegw.translator.ir.VirtualHost;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.util.List;
import java.util.function.Function;

/** IR route configurations to Envoy RouteConfigurations. */
public final class RouteTranslator {
  private final RouteFeatureTranslator features = new RouteFeatureTranslator();
  /** istiod caps host re-selection so a retry prefers another endpoint without looping forever. */
  private static final int HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;
  /** The largest direct response body Envoy is told to accept (istiod's value). */
  public static final int MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

  /** Each virtual host made by {@code virtualHosts}: {@link #virtualHost}, or a memo of it. */
  public RouteConfiguration routeConfiguration(
      RouteConfig config, Function<VirtualHost, io.envoyproxy.envoy.config.route.v3.VirtualHost> virtualHosts) {
    RouteConfiguration.Builder out = routeConfigurationFields(config.name());
    config.virtualHosts().forEach(v -> out.addVirtualHosts(virtualHosts.apply(v)));
    return out.build();
  }

  /**
   * A route configuration of {@code host} alone (a scope's, routes per host), with the same fields as a
   * port's; {@code host} is that very instance, so what was built and encoded for it is reused.
   */
  RouteConfiguration routeConfiguration(String name, io.envoyproxy.envoy.config.route.v3.VirtualHost host) {
    return routeConfigurationFields(name).addVirtualHosts(host).build();
  }

  /** A port's route configuration of {@code hosts}, built already (in the IR's order). */
  RouteConfiguration routeConfiguration(String name, List<io.envoyproxy.envoy.config.route.v3.VirtualHost> hosts) {
    return routeConfigurationFields(name).addAllVirtualHosts(hosts).build();
  }

  private static RouteConfiguration.Builder routeConfigurationFields(String name) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        // Clients send Host with the port; domains list bare hosts, as in istiod.
        .setIgnorePortInHostMatching(true)
        // Routes may name clusters without endpoints yet; they must load and answer 503, not be refused.
        .setValidateClusters(BoolValue.of(false))
        // Envoy's default is 4096 bytes; istiod allows 1 MiB, and so does the VirtualService decoder.
        .setMaxDirectResponseBodySizeBytes(com.google.protobuf.UInt32Value.of(MAX_DIRECT_RESPONSE_BODY_BYTES));
  }

  io.envoyproxy.envoy.config.route.v3.VirtualHost virtualHost(VirtualHost host) {
    return virtualHost(host, r -> null);
  }

  /** As above; a route {@code previous} knows (built before from an equal IR route) is taken from there. */
  io.envoyproxy.envoy.config.route.v3.VirtualHost virtualHost(
      VirtualHost host, Function<Route, io.envoyproxy.envoy.config.route.v3.Route> previous) {
    var out = io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder()
        .setName(host.name())
        .addAllDomains(host.domains());
    if (host.requireTls()) {
      out.setRequireTls(io.envoyproxy.envoy.config.route.v3.VirtualHost.TlsRequirementType.ALL);
    }
    for (Route r : host.routes()) {
      io.envoyproxy.envoy.config.route.v3.Route known = previous.apply(r);
      out.addRoutes(known != null ? known : route(r));
    }
    return out.build();
  }

  private io.envoyproxy.envoy.config.route.v3.Route route(Route route) {
    var out = io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
        .setName(route.name())
        .setMatch(match(route.match()));
    RouteAction action = route.action();
    if (action instanceof RouteAction.Forward f) {
      out.setRoute(forward(f));
    } else if (action instanceof RouteAction.Redirect r) {
      out.setRedirect(redirect(r));
    } else if (action instanceof RouteAction.DirectResponse d) {
      out.setDirectResponse(directResponse(d));
    }
    HeaderMutations headers = route.headers();
    out.addAllRequestHeadersToAdd(headerValues(headers.requestToAdd()))
        .addAllRequestHeadersToRemove(headers.requestToRemove())
        .addAllResponseHeadersToAdd(headerValues(headers.responseToAdd()))
        .addAllResponseHeadersToRemove(headers.responseToRemove());
    route.fault().ifPresent(f -> out.putTypedPerFilterConfig(EnvoyTypes.FAULT, Any.pack(features.fault(f))));
    route.cors().ifPresent(c -> out.putTypedPerFilterConfig(EnvoyTypes.CORS, Any.pack(features.cors(c))));
    return out.build();
  }

  private static List<HeaderValueOption> headerValues(List<HeaderMutations.HeaderValue> values) {
    return values.stream().map(v -> HeaderValueOption.newBuilder()
            .setHeader(HeaderValue.newBuilder().setKey(v.name()).setValue(v.value()))
            .setAppendAction(v.append()
                ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
                : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
            .build())
        .toList();
  }

  private static io.envoyproxy.envoy.config.route.v3.RouteMatch match(RouteMatch match) {
    var out = io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder();
    StringMatcher path = match.path();
    switch (path.kind()) {
      case EXACT -> out.setPath(path.value());
      case PREFIX -> out.setPrefix(path.value());
      case REGEX -> out.setSafeRegex(RegexMatcher.newBuilder().setRegex(path.value()));
    }
    if (!match.caseSensitive()) {
      out.setCaseSensitive(BoolValue.of(false));
    }
    for (RouteMatch.HeaderMatch header : match.headers()) {
      HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(header.name()).setInvertMatch(header.invert());
      // As istiod: a withoutHeaders value condition also holds when the header is absent.
      header
          .value()
          .ifPresentOrElse(
              v -> h.setStringMatch(stringMatcher(v)).setTreatMissingHeaderAsEmpty(header.invert()),
              () -> h.setPresentMatch(true));
      out.addHeaders(h);
    }
    for (RouteMatch.QueryParameterMatch query : match.queryParameters()) {
      QueryParameterMatcher.Builder q = QueryParameterMatcher.newBuilder().setName(query.name());
      query.value().ifPresentOrElse(v -> q.setStringMatch(stringMatcher(v)), () -> q.setPresentMatch(true));
      out.addQueryParameters(q);
    }
    return out.build();
  }

  static io.envoyproxy.envoy.type.matcher.v3.StringMatcher stringMatcher(StringMatcher matcher) {
    var out = io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder();
    switch (matcher.kind()) {
      case EXACT -> out.setExact(matcher.value());
      case PREFIX -> out.setPrefix(matcher.value());
      case REGEX -> out.setSafeRegex(RegexMatcher.newBuilder().setRegex(matcher.value()));
    }
    return out.build();
  }

  private static io.envoyproxy.envoy.config.route.v3.RouteAction forward(RouteAction.Forward forward) {
    var out = io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder();
    // Destination headers of several destinations live on their weighted cluster entries (a lone
    // destination's are the route's, from the front end).
    if (forward.clusters().size() == 1 && forward.clusters().get(0).headers().isEmpty()) {
      out.setCluster(forward.clusters().get(0).cluster());
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      forward.clusters().forEach(c -> weighted.addClusters(
          WeightedCluster.ClusterWeight.newBuilder().setName(c.cluster()).setWeight(UInt32Value.of(c.weight()))
              .addAllRequestHeadersToAdd(headerValues(c.headers().requestToAdd()))
              .addAllRequestHeadersToRemove(c.headers().requestToRemove())
              .addAllResponseHeadersToAdd(headerValues(c.headers().responseToAdd()))
              .addAllResponseHeadersToRemove(c.headers().responseToRemove())));
      out.setWeightedClusters(weighted);
    }
    // Always explicit: Envoy's default is 15s, Istio's is no timeout.
    out.setTimeout(Durations.fromNanos(forward.timeout().toNanos()));
    forward.retry().ifPresent(r -> out.setRetryPolicy(retryPolicy(r)));
    forward.prefixRewrite().ifPresent(out::setPrefixRewrite);
    forward.hostRewrite().ifPresent(out::setHostRewriteLiteral);
    forward.regexRewrite().ifPresent(r -> out.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
        .setPattern(RegexMatcher.newBuilder().setRegex(r.pattern())).setSubstitution(r.substitution())));
    forward.mirrors().forEach(m -> out.addRequestMirrorPolicies(
        io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy.newBuilder()
            .setCluster(m.cluster())
            .setRuntimeFraction(RouteFeatureTranslator.runtimeFraction(m.percentage()))
            // As istiod: mirrored requests do not start traces of their own, and keep the original
            // Host (istiod's DISABLE_SHADOW_HOST_SUFFIX, true by default; Envoy would append -shadow).
            .setTraceSampled(BoolValue.of(false))
            .setDisableShadowHostSuffixAppend(true)));
    forward.hashPolicy().ifPresent(h -> out.addHashPolicy(hashPolicy(h)));
    return out.build();
  }

  private static io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy hashPolicy(HashPolicy hash) {
    var out = io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.newBuilder();
    switch (hash.kind()) {
      case HEADER -> out.setHeader(io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Header.newBuilder()
          .setHeaderName(hash.name()));
      case COOKIE -> {
        var cookie =
            io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Cookie.newBuilder()
                .setName(hash.name());
        hash.cookiePath().ifPresent(cookie::setPath);
        hash.cookieTtl().ifPresent(ttl -> cookie.setTtl(Durations.fromNanos(ttl.toNanos())));
        out.setCookie(cookie);
      }
      case SOURCE_IP ->
          out.setConnectionProperties(
              io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties
                  .newBuilder()
                  .setSourceIp(true));
      case QUERY_PARAMETER -> out.setQueryParameter(
          io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter.newBuilder().setName(hash.name()));
    }
    return out.build();
  }

  private static RetryPolicy retryPolicy(RouteAction.RetryPolicy retry) {
    RetryPolicy.Builder out = RetryPolicy.newBuilder()
        .setRetryOn(retry.retryOn())
        .setNumRetries(UInt32Value.of(retry.numRetries()));
    if (retry.previousHosts()) {
      out.addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
              .setName(EnvoyTypes.PREVIOUS_HOSTS)
              .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())))
          .setHostSelectionRetryMaxAttempts(HOST_SELECTION_RETRY_MAX_ATTEMPTS);
    }
    out.addAllRetriableStatusCodes(retry.retriableStatusCodes());
    retry.perTryTimeout().ifPresent(d -> out.setPerTryTimeout(Durations.fromNanos(d.toNanos())));
    retry
        .backoff()
        .ifPresent(
            d ->
                out.setRetryBackOff(
                    RetryPolicy.RetryBackOff.newBuilder()
                        .setBaseInterval(Durations.fromNanos(d.toNanos()))));
    return out.build();
  }

  private static RedirectAction redirect(RouteAction.Redirect redirect) {
    RedirectAction.Builder out = RedirectAction.newBuilder();
    redirect.host().ifPresent(out::setHostRedirect);
    redirect.path().ifPresent(out::setPathRedirect);
    redirect.prefixRewrite().ifPresent(out::setPrefixRewrite);
    redirect.port().ifPresent(out::setPortRedirect);
    redirect.scheme().ifPresent(out::setSchemeRedirect);
    out.setResponseCode(switch (redirect.code()) {
      case 302 -> RedirectAction.RedirectResponseCode.FOUND;
      case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
      case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
      case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
      default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
    });
    return out.build();
  }

  private static DirectResponseAction directResponse(RouteAction.DirectResponse response) {
    DirectResponseAction.Builder out = DirectResponseAction.newBuilder().setStatus(response.status());
    response.body().ifPresent(b -> out.setBody(DataSource.newBuilder().setInlineString(b)));
    response.bytes().ifPresent(b -> out.setBody(DataSource.newBuilder().setInlineBytes(b)));
    return out.build();
  }
}
