package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
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
    ImmutableList<L4Route> tcp) {

  public ConfigOrder order() {
    return new ConfigOrder(creationTimestamp, key);
  }

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

  /**
   * {@code spec.tls[i]} or {@code spec.tcp[i]} ({@code field} says which): the first rule with a
   * match that applies (or with no match at all, tcp only) sends the connection to {@code route}.
   */
  public record L4Route(String field, ImmutableList<L4Match> matches, ImmutableList<HttpRouteDestination> route) {}

  /**
   * {@code match[j]} of a tls or tcp rule; {@code sniHosts} is empty for tcp. {@code supported} is
   * false when it sets a condition not implemented here: it then never matches, rather than match more.
   */
  public record L4Match(int index, ImmutableList<String> sniHosts, OptionalInt port, ImmutableList<String> gateways, boolean supported) {}

  /** {@code spec.http[i]}. Exactly one of route, redirect, directResponse is set (validated). */
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
      boolean delegated) {
    public String field() {
      return "spec.http[" + index + "]";
    }
  }

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
      boolean ignoreUriCase) {}

  /** Istio StringMatch: exactly one of exact, prefix, regex (RE2). */
  public record StringMatch(Type type, String value) {
    public enum Type {
      EXACT,
      PREFIX,
      REGEX
    }
  }

  /** {@code spec.http[i].route[j]}: where to send the request, and its share. */
  public record HttpRouteDestination(int index, Destination destination, int weight) {}

  public record Destination(String host, String subset, OptionalInt port) {}

  public record HttpRedirect(Optional<String> uri, Optional<String> authority, OptionalInt port, Optional<String> scheme, int redirectCode) {}

  public record HttpDirectResponse(int status, Optional<String> body) {}

  public record HttpRewrite(Optional<String> uri, Optional<String> authority) {}

  /** attempts 0 means no retries at all; retryOn empty means Istio's default conditions. */
  public record HttpRetry(int attempts, Optional<Duration> perTryTimeout, Optional<String> retryOn) {}
}
