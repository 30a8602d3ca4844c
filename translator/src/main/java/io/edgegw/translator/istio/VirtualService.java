package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.protobuf.ByteString;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An Istio VirtualService, reduced to what the gateway translation uses. Every nested part keeps
 * its index so diagnostics can name the field the user wrote.
 */
public record VirtualService(
    ResourceKey key,
    String creationTimestamp,
    ImmutableList<String> hosts,
    ImmutableList<String> gateways,
    ImmutableList<HttpRoute> http,
    ImmutableList<L4Route> tls,
    ImmutableList<L4Route> tcp,
    ExportTo exportTo) implements ConfigOrder.Ordered {

  /** A gateway reference as {@code namespace/name}: {@code name} and {@code ./name} are in this VS's namespace. */
  public String qualify(String gateway) {
    if (gateway.equals("mesh")) {
      return gateway;
    }
    if (gateway.startsWith("./")) {
      return key.namespace() + gateway.substring(1);
    }
    return gateway.contains("/") ? gateway : key.namespace() + "/" + gateway;
  }

  /** No hosts: usable only as the {@code delegate} of another VirtualService's http rule. */
  public boolean isDelegate() {
    return hosts.isEmpty();
  }

  /**
   * {@code spec.tls[i]} or {@code spec.tcp[i]} ({@code field} says which): the first rule with a
   * match that applies (or with no match at all, tcp only) sends the connection to {@code route}.
   */
  public record L4Route(String field, ImmutableList<L4Match> matches, ImmutableList<HttpRouteDestination> route) {}

  /**
   * {@code match[j]} of a tls or tcp rule; {@code sniHosts} is empty for tcp. {@code supported} is
   * false when it sets a condition not supported here: it then never matches, rather than match more.
   */
  public record L4Match(
      int index,
      ImmutableList<String> sniHosts,
      OptionalInt port,
      ImmutableList<String> gateways,
      boolean supported) {}

  /** {@code spec.http[i]}. Exactly one of route, redirect, directResponse, delegate is set (validated). */
  public record HttpRoute(
      int index,
      String name,
      ImmutableList<HttpMatchRequest> matches,
      ImmutableList<HttpRouteDestination> route,
      Optional<HttpRedirect> redirect,
      Optional<HttpDirectResponse> directResponse,
      Optional<HttpRewrite> rewrite,
      Optional<Duration> timeout,
      Optional<HttpRetry> retries,
      Optional<Delegate> delegate,
      Optional<Headers> headers,
      Optional<HttpFault> fault,
      ImmutableList<HttpMirror> mirrors,
      Optional<CorsPolicy> corsPolicy) {
    public String field() {
      return "spec.http[" + index + "]";
    }
  }

  /** {@code delegate}: the http rules of VirtualService {@code namespace/name} (a VS without hosts). */
  public record Delegate(String name, String namespace) {}

  /** {@code headers} of a rule or of one destination. */
  public record Headers(HeaderOperations request, HeaderOperations response) {}

  /** set overwrites, add appends, remove deletes; maps sorted by name as istiod sorts them. */
  public record HeaderOperations(
      ImmutableSortedMap<String, String> set, ImmutableSortedMap<String, String> add, ImmutableList<String> remove) {
    public static final HeaderOperations NONE =
        new HeaderOperations(ImmutableSortedMap.of(), ImmutableSortedMap.of(), ImmutableList.of());
  }

  /** {@code fault}: at least one of delay and abort (validated). */
  public record HttpFault(Optional<FaultDelay> delay, Optional<FaultAbort> abort) {}

  /** A fixed delay for a share of requests; {@code percent} empty means none, as in istiod. */
  public record FaultDelay(Duration fixedDelay, Optional<Percent> percent) {}

  /** Exactly one of httpStatus, grpcStatus (as its code); {@code percent} empty means no request is aborted. */
  public record FaultAbort(OptionalInt httpStatus, OptionalInt grpcStatus, Optional<Percent> percent) {}

  /** A share of requests in 0..100. */
  public record Percent(double value) {}

  /** {@code mirror} or {@code mirrors[i].destination}, named by its field path, with the share of requests copied. */
  public record HttpMirror(String field, Destination destination, Percent percent) {}

  /** {@code corsPolicy}; empty lists and optionals mean "not set". */
  public record CorsPolicy(
      ImmutableList<StringMatch> allowOrigins,
      ImmutableList<String> allowMethods,
      ImmutableList<String> allowHeaders,
      ImmutableList<String> exposeHeaders,
      Optional<Duration> maxAge,
      Optional<Boolean> allowCredentials,
      boolean ignoreUnmatchedPreflights) {}

  /** {@code spec.http[i].match[j]}. Header, query and pseudo-header maps are sorted by name. */
  public record HttpMatchRequest(
      int index,
      String name,
      Optional<StringMatch> uri,
      Optional<StringMatch> scheme,
      Optional<StringMatch> method,
      Optional<StringMatch> authority,
      ImmutableSortedMap<String, Optional<StringMatch>> headers,
      ImmutableSortedMap<String, Optional<StringMatch>> withoutHeaders,
      ImmutableSortedMap<String, Optional<StringMatch>> queryParams,
      OptionalInt port,
      ImmutableList<String> gateways,
      boolean ignoreUriCase,
      ImmutableSortedMap<String, String> sourceLabels,
      Optional<String> sourceNamespace) {}

  /** Istio StringMatch: exactly one of exact, prefix, regex (RE2). */
  public record StringMatch(Type type, String value) {
    public enum Type {
      EXACT,
      PREFIX,
      REGEX
    }
  }

  /** {@code spec.http[i].route[j]}: where to send the request, and its share. */
  public record HttpRouteDestination(int index, Destination destination, int weight, Optional<Headers> headers) {}

  public record Destination(String host, String subset, OptionalInt port) {}

  /** {@code portFromRequest}: derivePort FROM_REQUEST_PORT, i.e. the port of the server the request came in on. */
  public record HttpRedirect(
      Optional<String> uri,
      Optional<String> authority,
      OptionalInt port,
      boolean portFromRequest,
      Optional<String> scheme,
      int redirectCode) {}

  /** {@code body.string} or {@code body.bytes} (decoded from base64), at most one. */
  public record HttpDirectResponse(int status, Optional<String> body, Optional<ByteString> bytes) {}

  public record HttpRewrite(Optional<String> uri, Optional<String> authority, Optional<RegexRewrite> uriRegexRewrite) {}

  /** {@code uriRegexRewrite}: RE2 {@code match}, {@code rewrite} may use {@code \\1}-style groups. */
  public record RegexRewrite(String match, String rewrite) {}

  /**
   * attempts 0 means no retries at all; retryOn empty means Istio's default conditions;
   * ignorePreviousHosts empty means Istio's default (true); backoff empty means Envoy's (25ms).
   */
  public record HttpRetry(int attempts, Optional<Duration> perTryTimeout, Optional<String> retryOn,
      Optional<Boolean> ignorePreviousHosts, Optional<Duration> backoff) {}
}
