package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.istio.VirtualService.CorsPolicy;
import io.edgegw.translator.istio.VirtualService.StringMatch;
import java.time.Duration;
import java.util.Optional;

/** {@code corsPolicy} of an http rule, checked as istiod's validateCORSPolicy does. */
final class CorsPolicyDecoder {
  private static final ImmutableSet<String> CORS = ImmutableSet.of(
      "allowOrigin", "allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials",
      "unmatchedPreflights");
  private static final ImmutableSet<String> METHODS = ImmutableSet.of(
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final ImmutableSet<String> UNMATCHED_PREFLIGHTS = ImmutableSet.of("UNSPECIFIED", "FORWARD", "IGNORE");
  private static final ImmutableList<String> STRING_MATCH_KINDS = ImmutableList.of("exact", "prefix", "regex");

  Optional<CorsPolicy> corsPolicy(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(CORS);
    ImmutableList.Builder<StringMatch> origins = ImmutableList.builder();
    Field allowOrigins = field.get("allowOrigins");
    for (Field item : allowOrigins.items()) {
      if (item.isObject() && STRING_MATCH_KINDS.stream().noneMatch(k -> item.get(k).present())) {
        item.error("one of exact, prefix, regex must be set");
      }
      VirtualServiceDecoder.stringMatch(item).ifPresent(origins::add);
    }
    if (allowOrigins.present() && field.get("allowOrigin").present()) {
      field.get("allowOrigin").warning("ignored: allowOrigins is set");
    } else {
      // Deprecated list of exact origins, used only when allowOrigins is not set (as istiod).
      field.get("allowOrigin").strings().forEach(o -> origins.add(new StringMatch(StringMatch.Type.EXACT, o)));
    }
    ImmutableList<String> methods = field.get("allowMethods").strings();
    for (int i = 0; i < methods.size(); i++) {
      if (!METHODS.contains(methods.get(i))) {
        field
            .get("allowMethods")
            .items()
            .get(i)
            .error(
                "invalid HTTP method "
                    + methods.get(i)
                    + ": use one of "
                    + String.join(", ", METHODS));
      }
    }
    ImmutableList<String> allowHeaders = headerNames(field.get("allowHeaders"));
    ImmutableList<String> exposeHeaders = headerNames(field.get("exposeHeaders"));
    Field maxAgeField = field.get("maxAge");
    Optional<Duration> maxAge = Checks.duration(maxAgeField);
    if (maxAge.isPresent() && maxAge.get().getNano() != 0) {
      maxAgeField.error("maxAge is accurate only to seconds: use whole seconds");
      maxAge = Optional.empty();
    }
    Field credentials = field.get("allowCredentials");
    Optional<Boolean> allowCredentials =
        credentials.present() ? Optional.of(credentials.bool(false)) : Optional.empty();
    String unmatched = field.get("unmatchedPreflights").string("UNSPECIFIED");
    if (!UNMATCHED_PREFLIGHTS.contains(unmatched)) {
      field.get("unmatchedPreflights").error("invalid value " + unmatched + ": use FORWARD or IGNORE");
    }
    return Optional.of(new CorsPolicy(origins.build(), methods, allowHeaders, exposeHeaders, maxAge, allowCredentials,
        unmatched.equals("IGNORE")));
  }

  private static ImmutableList<String> headerNames(Field field) {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (Field item : field.items()) {
      item.string().ifPresent(name -> {
        if (Checks.isHeaderName(name)) {
          out.add(name);
        } else {
          item.error("invalid header name " + name);
        }
      });
    }
    return out.build();
  }
}
