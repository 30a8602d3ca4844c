package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/**
 * A route's CORS policy. Lists empty and optionals absent mean "not set"; {@code maxAgeSeconds}
 * as Envoy wants it. {@code forwardNotMatchingPreflights}: send preflights of unknown origins upstream.
 */
public record CorsPolicy(
    ImmutableList<StringMatcher> allowOrigins,
    ImmutableList<String> allowMethods,
    ImmutableList<String> allowHeaders,
    ImmutableList<String> exposeHeaders,
    Optional<Long> maxAgeSeconds,
    Optional<Boolean> allowCredentials,
    boolean forwardNotMatchingPreflights) {}
