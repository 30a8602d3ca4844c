package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.re2j.PatternSyntaxException;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.GoDuration;
import io.edgegw.translator.ir.CorsPolicy;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.ir.Percentage;
import io.edgegw.translator.ir.StringMatcher;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTPRoute rule: matches, filters, timeouts and backendRefs. A value of the specification not
 * supported here is a WARNING ending in {@code (UnsupportedValue)} and the rule is not served (a
 * rule is served whole or not at all); what the specification's own validation refuses is an
 * ERROR.
 */
final class HttpRuleDecoder {
  private static final String NOT_YET = "not supported yet (docs/gateway-api.md)";
  private static final String NOT_SERVED = "; this rule is not served (UnsupportedValue)";
  private static final ImmutableSet<String> RULE =
      ImmutableSet.of(
          "name", "matches", "filters", "backendRefs", "timeouts", "retry", "sessionPersistence");
  private static final ImmutableSet<String> MATCH =
      ImmutableSet.of("path", "headers", "queryParams", "method");
  private static final ImmutableSet<String> BACKEND_REF =
      ImmutableSet.of("group", "kind", "name", "namespace", "port", "weight", "filters");
  private static final ImmutableSet<String> FILTER =
      ImmutableSet.of(
          "type",
          "requestHeaderModifier",
          "responseHeaderModifier",
          "requestRedirect",
          "urlRewrite",
          "requestMirror",
          "cors",
          "extensionRef",
          "externalAuth");
  private static final ImmutableSet<String> METHODS =
      ImmutableSet.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final ImmutableSet<Integer> REDIRECT_CODES = ImmutableSet.of(301, 302, 303, 307, 308);
  /** The specification's Duration: up to four parts of 1-5 digits and h, m, s or ms. */
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,5}(h|m|s|ms)){1,4}");
  /** Envoy's default {@code max_program_size} refuses long patterns; istiod caps their length. */
  private static final int MAX_REGEX_LENGTH = 1024;

  /** A rule's {@code name}: the specification's SectionName, an RFC 1123 label. */
  private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private HttpRuleDecoder() {}

  /**
   * The rules' optional {@code name}s, as the specification's validation checks them: each a DNS
   * label, unique within the route (an ERROR names the field; the route is rejected).
   */
  static void ruleNames(java.util.List<Field> rules) {
    Set<String> seen = new HashSet<>();
    for (Field rule : rules) {
      Optional<String> name = rule.get("name").string();
      if (name.isEmpty()) {
        continue;
      }
      if (!RULE_NAME.matcher(name.get()).matches()) {
        rule.get("name").error("must be a lower-case RFC 1123 label of at most 63 characters, got " + name.get());
      } else if (!seen.add(name.get())) {
        rule.get("name").error("rule name " + name.get() + " is used by an earlier rule; names are unique in a route");
      }
    }
  }

  /**
   * Empty when the rule uses something not supported (a WARNING says which), or on an ERROR (in
   * {@code rule}'s problems).
   */
  static Optional<HttpRoute.Rule> rule(int index, Field rule, String namespace) {
    if (!rule.isObject()) {
      rule.error("required");
      return Optional.empty();
    }
    rule.allowOnly(RULE);
    boolean skip = false;
    if (rule.get("sessionPersistence").present()) {
      rule.get("sessionPersistence").warning(NOT_YET + NOT_SERVED);
      skip = true;
    }
    ImmutableList.Builder<HttpRoute.Match> matches = ImmutableList.builder();
    ImmutableList<Field> matchItems = rule.get("matches").items();
    if (matchItems.isEmpty()) {
      matches.add(new HttpRoute.Match(false, "/", ImmutableList.of()));
    }
    for (Field m : matchItems) {
      Optional<HttpRoute.Match> match = match(m);
      if (match.isEmpty()) {
        skip = true;
      } else {
        matches.add(match.get());
      }
    }
    ImmutableList<HttpRoute.Match> builtMatches = matches.build();
    Optional<HttpRoute.Filters> filters =
        filters(rule.get("filters"), namespace, builtMatches, true);
    HttpRoute.Timeouts timeouts = timeouts(rule.get("timeouts"));
    Optional<HttpRoute.Retry> retry = retry(rule.get("retry"));
    ImmutableList.Builder<HttpRoute.BackendRef> backends = ImmutableList.builder();
    ImmutableList<Field> backendItems = rule.get("backendRefs").items();
    for (int b = 0; b < backendItems.size(); b++) {
      Field ref = backendItems.get(b);
      if (!ref.isObject()) {
        ref.error("required");
        continue;
      }
      ref.allowOnly(BACKEND_REF);
      Optional<HttpRoute.Filters> own = filters(ref.get("filters"), namespace, builtMatches, false);
      if (own.isEmpty()) {
        skip = true;
      }
      String group = ref.get("group").string("");
      String kind = ref.get("kind").string("Service");
      String name = ref.get("name").string("");
      if (name.isEmpty()) {
        ref.get("name").error("required");
      }
      OptionalInt port = ref.get("port").integer();
      int weight = ref.get("weight").integer().orElse(1);
      if (weight < 0 || weight > 1_000_000) {
        ref.get("weight").error("must be within 0..1000000, got " + weight);
      }
      if (!group.isEmpty() || !kind.equals("Service")) {
        ref.warning(
            "backend "
                + (group.isEmpty() ? "core" : group)
                + "/"
                + kind
                + " is "
                + NOT_YET
                + " (only Service); this backend is left out (a rule with no backend left answers"
                + " 500) (InvalidKind)");
        continue;
      }
      if (port.isEmpty()) {
        ref.get("port").error("required for a Service backend");
        continue;
      }
      backends.add(
          new HttpRoute.BackendRef(
              b,
              ref.get("namespace").string(namespace),
              name,
              port.getAsInt(),
              weight,
              own.map(HttpRoute.Filters::headers).orElse(HeaderMutations.NONE)));
    }
    if (filters.isPresent()
        && filters.get().redirect().isPresent()
        && !backendItems.isEmpty()) {
      rule.get("backendRefs")
          .warning("a rule with a RequestRedirect filter redirects; its backendRefs are not used");
    }
    if (filters.isPresent()
        && filters.get().redirect().isPresent()
        && !filters.get().mirrors().isEmpty()) {
      rule.get("filters").warning("a redirected request is not mirrored; the RequestMirror filters do nothing");
    }
    return skip || filters.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new HttpRoute.Rule(
                index, builtMatches, backends.build(), filters.get(), timeouts, retry));
  }

  /** Empty when the match uses something not supported (a WARNING says which). */
  private static Optional<HttpRoute.Match> match(Field m) {
    if (!m.isObject()) {
      m.error("required");
      return Optional.empty();
    }
    m.allowOnly(MATCH);
    boolean skip = false;
    Field path = m.get("path");
    if (path.present()) {
      path.allowOnly(ImmutableSet.of("type", "value"));
    }
    String type = path.get("type").string("PathPrefix");
    String value = path.get("value").string("/");
    HttpRoute.PathType pathType;
    switch (type) {
      case "Exact" -> pathType = HttpRoute.PathType.EXACT;
      case "PathPrefix" -> pathType = HttpRoute.PathType.PREFIX;
      case "RegularExpression" -> pathType = HttpRoute.PathType.REGEX;
      default -> {
        path.get("type").error("must be Exact, PathPrefix or RegularExpression, got " + type);
        pathType = HttpRoute.PathType.PREFIX;
      }
    }
    if (pathType == HttpRoute.PathType.REGEX) {
      validRegex(path.get("value"), value);
    } else if (!value.startsWith("/")) {
      path.get("value").error("must start with /");
    } else if (value.contains("//") || value.contains("/./") || value.contains("/../")
        || value.contains("%2f") || value.contains("%2F") || value.contains("#")) {
      path.get("value").error("must not contain //, /./, /../, %2f, %2F or #");
    }
    // A prefix matches whole segments, and its trailing slash is ignored ("/foo/" matches "/foo").
    String normalized =
        pathType == HttpRoute.PathType.PREFIX && value.length() > 1 && value.endsWith("/")
            ? value.substring(0, value.length() - 1)
            : value;
    ImmutableList.Builder<HttpRoute.HeaderMatch> headers = ImmutableList.builder();
    Set<String> headerNames = new HashSet<>();
    for (Field h : m.get("headers").items()) {
      h.allowOnly(ImmutableSet.of("type", "name", "value"));
      String headerType = h.get("type").string("Exact");
      String name = h.get("name").string("");
      String headerValue = h.get("value").string("");
      if (name.isEmpty() || !Checks.isHeaderName(name)) {
        h.get("name").error(name.isEmpty() ? "required" : "invalid header name " + name);
        continue;
      }
      // The specification: of several matches on one header (names are case-insensitive), the
      // first counts.
      if (!headerNames.add(name.toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      boolean regex = headerType.equals("RegularExpression");
      if (regex) {
        validRegex(h.get("value"), headerValue);
      } else if (!headerType.equals("Exact")) {
        h.get("type").error("must be Exact or RegularExpression, got " + headerType);
      }
      headers.add(new HttpRoute.HeaderMatch(name, headerValue, regex));
    }
    ImmutableList.Builder<HttpRoute.QueryMatch> query = ImmutableList.builder();
    Set<String> queryNames = new HashSet<>();
    for (Field q : m.get("queryParams").items()) {
      q.allowOnly(ImmutableSet.of("type", "name", "value"));
      String queryType = q.get("type").string("Exact");
      String name = q.get("name").string("");
      String queryValue = q.get("value").string("");
      if (name.isEmpty()) {
        q.get("name").error("required");
        continue;
      }
      // Query parameter names are case-sensitive; the first match on a name counts.
      if (!queryNames.add(name)) {
        continue;
      }
      boolean regex = queryType.equals("RegularExpression");
      if (regex) {
        validRegex(q.get("value"), queryValue);
      } else if (!queryType.equals("Exact")) {
        q.get("type").error("must be Exact or RegularExpression, got " + queryType);
      }
      query.add(new HttpRoute.QueryMatch(name, queryValue, regex));
    }
    Optional<String> method = m.get("method").string();
    if (method.isPresent() && !METHODS.contains(method.get())) {
      m.get("method").error("must be one of " + METHODS + ", got " + method.get());
      skip = true;
    }
    return skip
        ? Optional.empty()
        : Optional.of(
            new HttpRoute.Match(pathType, normalized, headers.build(), query.build(), method));
  }

  /**
   * The filters of a rule ({@code ofRule}) or of one backendRef; empty when one is not supported
   * (a WARNING says which).
   */
  private static Optional<HttpRoute.Filters> filters(
      Field filters, String namespace, ImmutableList<HttpRoute.Match> matches, boolean ofRule) {
    HeaderMutations requestHeaders = HeaderMutations.NONE;
    HeaderMutations responseHeaders = HeaderMutations.NONE;
    Optional<HttpRoute.Redirect> redirect = Optional.empty();
    Optional<HttpRoute.Rewrite> rewrite = Optional.empty();
    ImmutableList.Builder<HttpRoute.Mirror> mirrors = ImmutableList.builder();
    Optional<CorsPolicy> cors = Optional.empty();
    boolean skip = false;
    Set<String> seen = new HashSet<>();
    for (Field f : filters.items()) {
      if (!f.isObject()) {
        f.error("required");
        continue;
      }
      f.allowOnly(FILTER);
      String type = f.get("type").string("");
      if (!type.equals("RequestMirror") && !type.isEmpty() && !seen.add(type)) {
        f.get("type").error("filter " + type + " may be given once per rule");
        continue;
      }
      if (!ofRule
          && !type.equals("RequestHeaderModifier")
          && !type.equals("ResponseHeaderModifier")) {
        f.get("type")
            .warning("filter " + type + " on a backendRef is " + NOT_YET + NOT_SERVED);
        skip = true;
        continue;
      }
      switch (type) {
        case "RequestHeaderModifier" ->
            requestHeaders = headerModifier(f.get("requestHeaderModifier"), true);
        case "ResponseHeaderModifier" ->
            responseHeaders = headerModifier(f.get("responseHeaderModifier"), false);
        case "RequestRedirect" -> redirect = Optional.of(redirect(f.get("requestRedirect"), matches));
        case "URLRewrite" -> rewrite = Optional.of(rewrite(f.get("urlRewrite"), matches));
        case "RequestMirror" -> mirror(f.get("requestMirror"), namespace).ifPresent(mirrors::add);
        case "CORS" -> cors = Optional.of(cors(f.get("cors")));
        case "" -> f.get("type").error("required");
        default -> {
          f.get("type").warning("filter " + type + " is " + NOT_YET + NOT_SERVED);
          skip = true;
        }
      }
    }
    if (redirect.isPresent() && rewrite.isPresent()) {
      filters.error("RequestRedirect and URLRewrite cannot both be given on one rule");
    }
    return skip
        ? Optional.empty()
        : Optional.of(
            new HttpRoute.Filters(
                requestHeaders.followedBy(responseHeaders),
                redirect,
                rewrite,
                mirrors.build(),
                cors));
  }

  /** set overwrites, add appends, remove removes; header names are case-insensitive. */
  private static HeaderMutations headerModifier(Field modifier, boolean request) {
    if (!modifier.isObject()) {
      modifier.error("required for this filter type");
      return HeaderMutations.NONE;
    }
    modifier.allowOnly(ImmutableSet.of("set", "add", "remove"));
    ImmutableList.Builder<HeaderMutations.HeaderValue> toAdd = ImmutableList.builder();
    for (String list : ImmutableList.of("set", "add")) {
      for (Field h : modifier.get(list).items()) {
        h.allowOnly(ImmutableSet.of("name", "value"));
        String name = h.get("name").string("");
        if (!Checks.isHeaderName(name)) {
          h.get("name").error(name.isEmpty() ? "required" : "invalid header name " + name);
          continue;
        }
        toAdd.add(
            new HeaderMutations.HeaderValue(name, h.get("value").string(""), list.equals("add")));
      }
    }
    ImmutableList.Builder<String> toRemove = ImmutableList.builder();
    for (Field h : modifier.get("remove").items()) {
      h.string()
          .ifPresent(
              name -> {
                if (Checks.isHeaderName(name)) {
                  toRemove.add(name);
                } else {
                  h.error("invalid header name " + name);
                }
              });
    }
    return request
        ? new HeaderMutations(
            toAdd.build(), toRemove.build(), ImmutableList.of(), ImmutableList.of())
        : new HeaderMutations(
            ImmutableList.of(), ImmutableList.of(), toAdd.build(), toRemove.build());
  }

  private static HttpRoute.Redirect redirect(
      Field redirect, ImmutableList<HttpRoute.Match> matches) {
    if (redirect.isObject()) {
      redirect.allowOnly(ImmutableSet.of("scheme", "hostname", "path", "port", "statusCode"));
    } else {
      redirect.error("required for this filter type");
    }
    Optional<String> scheme = redirect.get("scheme").string();
    if (scheme.isPresent() && !scheme.get().equals("http") && !scheme.get().equals("https")) {
      redirect.get("scheme").error("must be http or https, got " + scheme.get());
    }
    Optional<String> hostname = hostname(redirect.get("hostname"));
    OptionalInt port = redirect.get("port").integer();
    Checks.outsidePortRange(redirect.get("port"), port);
    int code = redirect.get("statusCode").integer().orElse(302);
    if (!REDIRECT_CODES.contains(code)) {
      redirect.get("statusCode").error("must be one of " + REDIRECT_CODES + ", got " + code);
    }
    return new HttpRoute.Redirect(
        scheme, hostname, pathModifier(redirect.get("path"), matches), port, code);
  }

  private static HttpRoute.Rewrite rewrite(Field rewrite, ImmutableList<HttpRoute.Match> matches) {
    if (rewrite.isObject()) {
      rewrite.allowOnly(ImmutableSet.of("hostname", "path"));
    } else {
      rewrite.error("required for this filter type");
    }
    return new HttpRoute.Rewrite(
        hostname(rewrite.get("hostname")), pathModifier(rewrite.get("path"), matches));
  }

  private static Optional<String> hostname(Field field) {
    Optional<String> hostname = field.string();
    if (hostname.isPresent()) {
      Optional<String> invalid = io.edgegw.translator.istio.Hosts.invalidReason(hostname.get());
      if (invalid.isPresent() || hostname.get().contains(":") || hostname.get().contains("*")) {
        field.error(invalid.orElse("a hostname has no port, IP address or wildcard"));
        return Optional.empty();
      }
    }
    return hostname;
  }

  private static Optional<HttpRoute.PathModifier> pathModifier(
      Field path, ImmutableList<HttpRoute.Match> matches) {
    if (!path.isObject()) {
      return Optional.empty();
    }
    path.allowOnly(ImmutableSet.of("type", "replaceFullPath", "replacePrefixMatch"));
    String type = path.get("type").string("");
    switch (type) {
      case "ReplaceFullPath" -> {
        String value = path.get("replaceFullPath").string("");
        if (!value.startsWith("/")) {
          path.get("replaceFullPath").error("required, starting with /");
        }
        return Optional.of(new HttpRoute.PathModifier(true, value));
      }
      case "ReplacePrefixMatch" -> {
        String value = path.get("replacePrefixMatch").string("");
        if (!value.startsWith("/")) {
          path.get("replacePrefixMatch").error("required, starting with /");
        }
        if (matches.stream().anyMatch(m -> m.type() != HttpRoute.PathType.PREFIX)) {
          path.get("type").error("ReplacePrefixMatch needs every match of the rule to be a PathPrefix");
        }
        return Optional.of(new HttpRoute.PathModifier(false, value));
      }
      default -> {
        path.get("type").error("must be ReplaceFullPath or ReplacePrefixMatch, got " + type);
        return Optional.empty();
      }
    }
  }

  private static Optional<HttpRoute.Mirror> mirror(Field mirror, String namespace) {
    if (!mirror.isObject()) {
      mirror.error("required for this filter type");
      return Optional.empty();
    }
    mirror.allowOnly(ImmutableSet.of("backendRef", "percent", "fraction"));
    Field ref = mirror.get("backendRef");
    if (!ref.isObject()) {
      ref.error("required");
      return Optional.empty();
    }
    ref.allowOnly(ImmutableSet.of("group", "kind", "name", "namespace", "port"));
    String group = ref.get("group").string("");
    String kind = ref.get("kind").string("Service");
    String name = ref.get("name").string("");
    OptionalInt port = ref.get("port").integer();
    if (name.isEmpty()) {
      ref.get("name").error("required");
      return Optional.empty();
    }
    if (!group.isEmpty() || !kind.equals("Service")) {
      ref.warning(
          "mirror backend " + (group.isEmpty() ? "core" : group) + "/" + kind + " is " + NOT_YET
              + " (only Service); requests are not mirrored there (InvalidKind)");
      return Optional.empty();
    }
    if (port.isEmpty()) {
      ref.get("port").error("required for a Service backend");
      return Optional.empty();
    }
    double percent = 100;
    if (mirror.get("percent").present() && mirror.get("fraction").present()) {
      mirror.error("only one of percent and fraction may be given");
    } else if (mirror.get("percent").present()) {
      int value = mirror.get("percent").integer().orElse(100);
      if (value < 0 || value > 100) {
        mirror.get("percent").error("must be within 0..100, got " + value);
      }
      percent = value;
    } else if (mirror.get("fraction").isObject()) {
      Field fraction = mirror.get("fraction");
      fraction.allowOnly(ImmutableSet.of("numerator", "denominator"));
      int numerator = fraction.get("numerator").integer().orElse(0);
      int denominator = fraction.get("denominator").integer().orElse(100);
      if (denominator <= 0 || numerator < 0 || numerator > denominator) {
        fraction.error("needs 0 <= numerator <= denominator and denominator > 0");
      } else {
        percent = numerator * 100.0 / denominator;
      }
    }
    return Optional.of(
        new HttpRoute.Mirror(
            ref.path(), ref.get("namespace").string(namespace), name, port.getAsInt(),
            new Percentage(percent)));
  }

  private static CorsPolicy cors(Field cors) {
    if (!cors.isObject()) {
      cors.error("required for this filter type");
      return new CorsPolicy(
          ImmutableList.of(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of(),
          Optional.empty(), Optional.empty(), false);
    }
    cors.allowOnly(
        ImmutableSet.of(
            "allowOrigins", "allowCredentials", "allowMethods", "allowHeaders", "exposeHeaders",
            "maxAge"));
    ImmutableList.Builder<StringMatcher> origins = ImmutableList.builder();
    for (Field o : cors.get("allowOrigins").items()) {
      o.string().ifPresent(origin -> origins.add(origin(origin)));
    }
    ImmutableList<String> methods = cors.get("allowMethods").strings();
    for (String method : methods) {
      if (!method.equals("*") && !METHODS.contains(method)) {
        cors.get("allowMethods").error("must be HTTP methods or *, got " + method);
      }
    }
    int maxAge = cors.get("maxAge").integer().orElse(5);
    boolean credentials = cors.get("allowCredentials").bool(false);
    return new CorsPolicy(
        origins.build(),
        methods,
        cors.get("allowHeaders").strings(),
        cors.get("exposeHeaders").strings(),
        Optional.of((long) maxAge),
        credentials ? Optional.of(true) : Optional.empty(),
        false);
  }

  /**
   * An allowed origin: {@code *} any; a {@code *} in the host any labels there (the specification's
   * wildcard); else exactly.
   */
  private static StringMatcher origin(String origin) {
    if (origin.equals("*")) {
      return new StringMatcher(StringMatcher.Kind.REGEX, ".*");
    }
    if (!origin.contains("*")) {
      return new StringMatcher(StringMatcher.Kind.EXACT, origin);
    }
    StringBuilder regex = new StringBuilder();
    String[] parts = origin.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append("[^/]+");
      }
      regex.append(com.google.re2j.Pattern.quote(parts[i]));
    }
    return new StringMatcher(StringMatcher.Kind.REGEX, regex.toString());
  }

  private static HttpRoute.Timeouts timeouts(Field timeouts) {
    if (!timeouts.isObject()) {
      return HttpRoute.Timeouts.NONE;
    }
    timeouts.allowOnly(ImmutableSet.of("request", "backendRequest"));
    Optional<Duration> request = duration(timeouts.get("request"));
    Optional<Duration> backend = duration(timeouts.get("backendRequest"));
    if (request.isPresent() && backend.isPresent() && !request.get().isZero()
        && backend.get().compareTo(request.get()) > 0) {
      timeouts.get("backendRequest").error("must not be longer than request");
    }
    return new HttpRoute.Timeouts(request, backend);
  }

  private static Optional<HttpRoute.Retry> retry(Field retry) {
    if (!retry.isObject()) {
      return Optional.empty();
    }
    retry.allowOnly(ImmutableSet.of("codes", "attempts", "backoff"));
    ImmutableList.Builder<Integer> codes = ImmutableList.builder();
    for (Field code : retry.get("codes").items()) {
      OptionalInt value = code.integer();
      if (value.isPresent() && (value.getAsInt() < 400 || value.getAsInt() > 599)) {
        code.error("must be within 400..599, got " + value.getAsInt());
      } else {
        value.ifPresent(codes::add);
      }
    }
    int attempts = retry.get("attempts").integer().orElse(1);
    if (attempts < 0) {
      retry.get("attempts").error("must not be negative, got " + attempts);
    }
    return Optional.of(new HttpRoute.Retry(attempts, codes.build(), duration(retry.get("backoff"))));
  }

  private static Optional<Duration> duration(Field field) {
    Optional<String> text = field.string();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (!DURATION.matcher(text.get()).matches()) {
      field.error("invalid duration " + text.get() + ": use e.g. 500ms, 10s, 1m, 1h");
      return Optional.empty();
    }
    return GoDuration.parse(text.get());
  }

  private static void validRegex(Field field, String regex) {
    if (regex.length() > MAX_REGEX_LENGTH) {
      field.error("regex is longer than " + MAX_REGEX_LENGTH + " characters");
      return;
    }
    try {
      com.google.re2j.Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      field.error("invalid RE2 regex: " + e.getDescription());
    }
  }
}
