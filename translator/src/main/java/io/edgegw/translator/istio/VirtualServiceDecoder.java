package io.edgegw.translator.istio;

import static io.edgegw.translator.decode.Checks.duration;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.ByteString;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Maps;
import com.google.re2j.PatternSyntaxException;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.istio.VirtualService.Destination;
import io.edgegw.translator.istio.VirtualService.HttpDirectResponse;
import io.edgegw.translator.istio.VirtualService.HttpMatchRequest;
import io.edgegw.translator.istio.VirtualService.HttpMirror;
import io.edgegw.translator.istio.VirtualService.HttpRedirect;
import io.edgegw.translator.istio.VirtualService.HttpRetry;
import io.edgegw.translator.istio.VirtualService.HttpRewrite;
import io.edgegw.translator.istio.VirtualService.HttpRoute;
import io.edgegw.translator.istio.VirtualService.HttpRouteDestination;
import io.edgegw.translator.istio.VirtualService.StringMatch;
import io.edgegw.translator.model.Resource;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** Decodes and validates a VirtualService spec (docs/istio-semantics.md section 7). */
public final class VirtualServiceDecoder {
  private static final ImmutableSet<String> SPEC =
      ImmutableSet.of("hosts", "gateways", "http", "tls", "tcp", "exportTo");
  private static final ImmutableSet<String> HTTP = ImmutableSet.of(
      "name", "match", "route", "redirect", "directResponse", "delegate", "rewrite", "timeout", "retries",
      "fault", "mirror", "mirrors", "mirrorPercentage", "mirrorPercent", "mirror_percent", "corsPolicy", "headers");
  private static final ImmutableSet<String> MATCH = ImmutableSet.of(
      "name", "uri", "scheme", "method", "authority", "headers", "port", "sourceLabels", "gateways",
      "queryParams", "ignoreUriCase", "withoutHeaders", "sourceNamespace", "statPrefix");
  private static final ImmutableSet<String> STRING_MATCH = ImmutableSet.of("exact", "prefix", "regex");
  private static final ImmutableSet<String> ROUTE = ImmutableSet.of("destination", "weight", "headers");
  private static final ImmutableSet<String> L4_RULE = ImmutableSet.of("match", "route");
  private static final ImmutableSet<String> L4_ROUTE = ImmutableSet.of("destination", "weight");
  private static final ImmutableSet<String> TCP_MATCH = ImmutableSet.of(
      "destinationSubnets", "port", "sourceLabels", "gateways", "sourceNamespace", "sourceSubnet");
  private static final ImmutableSet<String> TLS_MATCH = ImmutableSet.of(
      "sniHosts", "destinationSubnets", "port", "sourceLabels", "gateways", "sourceNamespace");
  private static final ImmutableSet<String> DESTINATION = ImmutableSet.of("host", "subset", "port");
  private static final ImmutableSet<String> PORT_SELECTOR = ImmutableSet.of("number");
  private static final ImmutableSet<String> REDIRECT =
      ImmutableSet.of("uri", "authority", "port", "derivePort", "scheme", "redirectCode");
  private static final ImmutableSet<String> DIRECT_RESPONSE = ImmutableSet.of("status", "body");
  private static final ImmutableSet<String> BODY = ImmutableSet.of("string", "bytes");
  private static final ImmutableSet<String> REWRITE = ImmutableSet.of("uri", "authority", "uriRegexRewrite");
  private static final ImmutableSet<String> RETRIES = ImmutableSet.of(
      "attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities", "retryIgnorePreviousHosts", "backoff");
  private static final ImmutableSet<String> DELEGATE = ImmutableSet.of("name", "namespace");
  private static final ImmutableSet<String> MIRROR = ImmutableSet.of("destination", "percentage");
  private static final ImmutableSet<String> REGEX_REWRITE = ImmutableSet.of("match", "rewrite");
  private static final ImmutableSet<String> DERIVE_PORT = ImmutableSet.of("FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT");
  /** Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on conditions; anything else Envoy rejects. */
  private static final ImmutableSet<String> RETRY_ON = ImmutableSet.of(
      "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx",
      "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure",
      "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");
  private static final ImmutableSet<Integer> REDIRECT_CODES = ImmutableSet.of(301, 302, 303, 307, 308);

  /** RFC 7230 token characters: what a header name may contain. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** Envoy's default {@code max_program_size} rejects long patterns; istiod caps the length. */
  private static final int MAX_REGEX_LENGTH = 1024;
  /**
   * The bootstrap sets Envoy's {@code re2.max_program_size.error_level} to 32768 as istiod's does; a
   * regex whose estimated program (an upper bound, {@link Re2ProgramSize}) is over half of that is
   * refused here rather than NACKed there.
   */
  static final int MAX_REGEX_PROGRAM_SIZE = 16384;
  /** What the back end sets as the route configuration's max_direct_response_body_size_bytes (istiod's 1 MiB). */
  static final int MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

  private final HeadersDecoder headers = new HeadersDecoder();
  private final FaultDecoder faults = new FaultDecoder();
  private final CorsPolicyDecoder corsPolicies = new CorsPolicyDecoder();

  public VirtualService decode(Resource resource, Problems problems) {
    return decode(resource, problems, HttpRuleMemo.none());
  }

  /** As {@link #decode(Resource, Problems)}; a big VirtualService's unchanged rules come from {@code memo}. */
  public VirtualService decode(Resource resource, Problems problems, HttpRuleMemo memo) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return new VirtualService(
          resource.key(),
          resource.creationTimestamp(),
          ImmutableList.of(),
          ImmutableList.of(),
          ImmutableList.of(),
          ImmutableList.of(),
          ImmutableList.of(),
          ExportTo.EVERYWHERE);
    }
    spec.allowOnly(SPEC);
    ExportTo exportTo = ExportTo.decode(spec.get("exportTo"));
    ImmutableList<String> hosts = hosts(spec.get("hosts"), spec.get("gateways").present());
    ImmutableList<String> gateways = gatewayNames(spec.get("gateways"));
    boolean delegate = spec.get("hosts").isEmptyList() && !spec.get("gateways").present();
    ImmutableList.Builder<HttpRoute> http = ImmutableList.builder();
    ImmutableList<Field> rules = spec.get("http").items();
    if (memo.applies(rules.size())) {
      Map<HttpRuleMemo.Key, HttpRuleMemo.Rule> previous = memo.previous(resource.key());
      Map<HttpRuleMemo.Key, HttpRuleMemo.Rule> now = Maps.newHashMapWithExpectedSize(rules.size());
      for (int i = 0; i < rules.size(); i++) {
        Field field = rules.get(i);
        HttpRuleMemo.Key key = new HttpRuleMemo.Key(i, delegate, field.json());
        HttpRuleMemo.Rule rule = previous.get(key);
        if (rule == null) {
          Problems own = new Problems(resource.key());
          rule = new HttpRuleMemo.Rule(httpRoute(i, field.reportingTo(own), delegate), own.all());
        }
        problems.addAll(rule.diagnostics());
        rule.rule().ifPresent(http::add);
        now.put(key, rule);
      }
      memo.remember(resource.key(), now);
    } else {
      memo.forget(resource.key());
      for (int i = 0; i < rules.size(); i++) {
        httpRoute(i, rules.get(i), delegate).ifPresent(http::add);
      }
    }
    return new VirtualService(resource.key(), resource.creationTimestamp(), hosts, gateways, http.build(),
        l4Routes(spec.get("tls"), true, hosts), l4Routes(spec.get("tcp"), false, hosts), exportTo);
  }

  private ImmutableList<VirtualService.L4Route> l4Routes(Field field, boolean tls, ImmutableList<String> vsHosts) {
    ImmutableList.Builder<VirtualService.L4Route> out = ImmutableList.builder();
    for (Field rule : field.items()) {
      if (!rule.isObject()) {
        continue;
      }
      rule.allowOnly(L4_RULE);
      ImmutableList<Field> matchFields = rule.get("match").items();
      if (tls && matchFields.isEmpty()) {
        rule.get("match").error("a tls rule needs at least one match with sniHosts");
      }
      ImmutableList.Builder<VirtualService.L4Match> matches = ImmutableList.builder();
      for (int j = 0; j < matchFields.size(); j++) {
        l4Match(j, matchFields.get(j), tls, vsHosts).ifPresent(matches::add);
      }
      if (!rule.get("route").present()) {
        rule.get("route").error("required");
      }
      out.add(new VirtualService.L4Route(rule.path(), matches.build(), destinations(rule.get("route"), L4_ROUTE)));
    }
    return out.build();
  }

  private Optional<VirtualService.L4Match> l4Match(int index, Field match, boolean tls, ImmutableList<String> vsHosts) {
    if (!match.isObject()) {
      return Optional.empty();
    }
    match.allowOnly(tls ? TLS_MATCH : TCP_MATCH);
    boolean supported = true;
    for (String name : new String[] {"destinationSubnets", "sourceLabels", "sourceNamespace", "sourceSubnet"}) {
      if (match.get(name).present()) {
        match.get(name).warning("not supported yet; this match never matches, rather than match more than asked");
        supported = false;
      }
    }
    ImmutableList.Builder<String> sniHosts = ImmutableList.builder();
    if (tls) {
      Field sni = match.get("sniHosts");
      if (sni.isEmptyList()) {
        sni.error("a tls match needs at least one SNI host");
      }
      for (Field item : sni.items()) {
        item.string().ifPresent(host -> {
          Optional<String> invalid = Hosts.invalidReason(host);
          if (invalid.isPresent()) {
            item.error(invalid.get());
          } else if (vsHosts.stream().noneMatch(h -> Hosts.subsetOf(host, h))) {
            item.error("sniHost " + host + " is not within the VirtualService hosts " + vsHosts);
          } else {
            sniHosts.add(host);
          }
        });
      }
    }
    return Optional.of(new VirtualService.L4Match(index, sniHosts.build(), port(match.get("port")),
        gatewayNames(match.get("gateways")), supported));
  }

  /** No hosts and no gateways: a delegate VirtualService, valid only as another's {@code http[].delegate}. */
  private ImmutableList<String> hosts(Field field, boolean hasGateways) {
    ImmutableList<Field> items = field.items();
    if (field.isEmptyList() && hasGateways) {
      field.error(
          "a VirtualService needs at least one host (a delegate VirtualService has neither hosts nor gateways)");
    }
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (Field item : items) {
      item.string().ifPresent(host -> {
        Optional<String> invalid = Hosts.invalidReason(host);
        if (invalid.isPresent()) {
          item.error(invalid.get());
        } else {
          out.add(host);
        }
      });
    }
    return out.build();
  }

  private ImmutableList<String> gatewayNames(Field field) {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (Field item : field.items()) {
      item.string().ifPresent(name -> {
        if (validGatewayName(name)) {
          out.add(name);
        } else {
          item.error("invalid gateway name " + name + ": use name, namespace/name, ./name or mesh");
        }
      });
    }
    return out.build();
  }

  private static boolean validGatewayName(String name) {
    if (name.equals("mesh")) {
      return true;
    }
    int slash = name.indexOf('/');
    if (slash < 0) {
      return DNS_SUBDOMAIN.matcher(name).matches();
    }
    String ns = name.substring(0, slash);
    return (ns.equals(".") || Checks.isDnsLabel(ns)) && DNS_SUBDOMAIN.matcher(name.substring(slash + 1)).matches();
  }

  private Optional<HttpRoute> httpRoute(int index, Field rule, boolean inDelegate) {
    if (!rule.isObject()) {
      return Optional.empty();
    }
    rule.allowOnly(HTTP);
    String name = rule.get("name").string("");
    ImmutableList.Builder<HttpMatchRequest> matches = ImmutableList.builder();
    ImmutableList<Field> matchFields = rule.get("match").items();
    for (int j = 0; j < matchFields.size(); j++) {
      match(j, matchFields.get(j)).ifPresent(matches::add);
    }
    ImmutableList<HttpRouteDestination> route = destinations(rule.get("route"), ROUTE);
    Optional<HttpRedirect> redirect = redirect(rule.get("redirect"));
    Optional<HttpDirectResponse> directResponse = directResponse(rule.get("directResponse"));
    Optional<VirtualService.Delegate> delegate = delegate(rule.get("delegate"), inDelegate);
    boolean delegated = rule.get("delegate").present();
    int actions = (rule.get("route").present() ? 1 : 0) + (rule.get("redirect").present() ? 1 : 0)
        + (rule.get("directResponse").present() ? 1 : 0) + (delegated ? 1 : 0);
    if (actions == 0) {
      rule.error("an http rule needs one of route, redirect, directResponse or delegate");
    } else if (actions > 1) {
      rule.error("an http rule may have only one of route, redirect, directResponse, delegate");
    }
    if (rule.get("redirect").present() && rule.get("rewrite").present()) {
      rule.get("rewrite").error("rewrite cannot be used with redirect");
    }
    if (rule.get("redirect").present() && rule.get("fault").present()) {
      rule.get("fault").error("fault cannot be used with redirect");
    }
    Optional<HttpRewrite> rewrite = rewrite(rule.get("rewrite"));
    Optional<Duration> timeout = duration(rule.get("timeout"));
    Optional<HttpRetry> retries = retries(rule.get("retries"));
    ImmutableList<HttpMirror> mirrors = mirrors(rule);
    if (!mirrors.isEmpty() && (redirect.isPresent() || directResponse.isPresent())) {
      rule.get(rule.get("mirror").present() ? "mirror" : "mirrors")
          .warning("ignored: only a rule with route forwards, and so mirrors, requests");
    }
    return Optional.of(
        new HttpRoute(
            index,
            name,
            matches.build(),
            route,
            redirect,
            directResponse,
            rewrite,
            timeout,
            retries,
            delegate,
            headers.headers(rule.get("headers")),
            faults.fault(rule.get("fault")),
            mirrors,
            corsPolicies.corsPolicy(rule.get("corsPolicy"))));
  }

  private Optional<HttpMatchRequest> match(int index, Field match) {
    if (!match.isObject()) {
      return Optional.empty();
    }
    match.allowOnly(MATCH);
    match.notSupported("statPrefix");
    Optional<String> sourceNamespace = match.get("sourceNamespace").string().filter(s -> !s.isEmpty());
    if (sourceNamespace.isPresent()) {
      // istiod compares it with the proxy's namespace; this gateway has none of its own, so fail closed.
      match.get("sourceNamespace").warning("the gateway has no namespace here, so this match never matches");
    }
    Optional<StringMatch> uri = stringMatch(match.get("uri"));
    Optional<StringMatch> scheme = stringMatch(match.get("scheme"));
    Optional<StringMatch> method = stringMatch(match.get("method"));
    Optional<StringMatch> authority = stringMatch(match.get("authority"));
    var headers = namedMatches(match.get("headers"), true);
    var withoutHeaders = namedMatches(match.get("withoutHeaders"), true);
    var queryParams = namedMatches(match.get("queryParams"), false);
    OptionalInt port = port(match.get("port"));
    return Optional.of(new HttpMatchRequest(index, match.get("name").string(""), uri, scheme, method, authority,
        headers, withoutHeaders, queryParams, port, gatewayNames(match.get("gateways")),
        match.get("ignoreUriCase").bool(false), match.get("sourceLabels").stringMap(), sourceNamespace));
  }

  /** Headers or query parameters: name -> match, where an empty match object means "present". */
  private ImmutableSortedMap<String, Optional<StringMatch>> namedMatches(Field field, boolean headerNames) {
    ImmutableSortedMap.Builder<String, Optional<StringMatch>> out = ImmutableSortedMap.naturalOrder();
    field.entries().forEach((name, value) -> {
      if (headerNames && !Checks.isHeaderName(name)) {
        value.error("invalid header name " + name);
        return;
      }
      if (name.length() > HeadersDecoder.MAX_HEADER_BYTES) {
        value.error("name is " + name.length() + " bytes, over Envoy's limit of " + HeadersDecoder.MAX_HEADER_BYTES);
        return;
      }
      if (value.isObject()) {
        out.put(name, stringMatch(value));
      } else if (!value.present()) {
        out.put(name, Optional.empty());
      }
    });
    return out.build();
  }

  static Optional<StringMatch> stringMatch(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(STRING_MATCH);
    Optional<StringMatch> found = Optional.empty();
    int set = 0;
    for (StringMatch.Type type : StringMatch.Type.values()) {
      Field value = field.get(type.name().toLowerCase(java.util.Locale.ROOT));
      if (value.present()) {
        set++;
        Optional<String> text = value.string();
        if (text.isPresent() && (type != StringMatch.Type.REGEX || validRegex(value, text.get()))) {
          found = Optional.of(new StringMatch(type, text.get()));
        }
      }
    }
    if (set > 1) {
      field.error("only one of exact, prefix, regex may be set");
      return Optional.empty();
    }
    return found;
  }

  private static boolean validRegex(Field field, String regex) {
    if (regex.length() > MAX_REGEX_LENGTH) {
      field.error("regex is longer than " + MAX_REGEX_LENGTH + " characters");
      return false;
    }
    try {
      com.google.re2j.Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      field.error("invalid RE2 regex: " + e.getDescription());
      return false;
    }
    java.util.OptionalInt size = Re2ProgramSize.estimate(regex);
    if (size.isPresent() && size.getAsInt() > MAX_REGEX_PROGRAM_SIZE) {
      field.error("regex is too complex for Envoy: its RE2 program size is estimated at " + size.getAsInt()
          + ", over the limit of " + MAX_REGEX_PROGRAM_SIZE + " (large repetition counts such as {1000} multiply it)");
      return false;
    }
    return true;
  }

  private ImmutableList<HttpRouteDestination> destinations(Field field, ImmutableSet<String> allowed) {
    ImmutableList.Builder<HttpRouteDestination> out = ImmutableList.builder();
    ImmutableList<Field> items = field.items();
    if (field.present() && items.isEmpty()) {
      field.error("route needs at least one destination");
    }
    int total = 0;
    for (int j = 0; j < items.size(); j++) {
      Field item = items.get(j);
      if (!item.isObject()) {
        continue;
      }
      item.allowOnly(allowed);
      Field weightField = item.get("weight");
      int weight = weightField.integer().orElse(0);
      if (weight < 0) {
        weightField.error("weight must not be negative, got " + weight);
      }
      total += Math.max(weight, 0);
      int position = j;
      Optional<VirtualService.Headers> destinationHeaders = headers.headers(item.get("headers"));
      destination(item.get("destination"))
          .ifPresent(
              d -> out.add(new HttpRouteDestination(position, d, weight, destinationHeaders)));
    }
    if (items.size() > 1 && total == 0) {
      field.error("total destination weight is 0: give at least one destination a positive weight");
    }
    return out.build();
  }

  private Optional<Destination> destination(Field field) {
    if (!field.isObject()) {
      field.error("required");
      return Optional.empty();
    }
    field.allowOnly(DESTINATION);
    Field hostField = field.get("host");
    Optional<String> host = hostField.string();
    if (!hostField.present()) {
      hostField.error("required");
    } else if (host.isPresent() && host.get().equals("*")) {
      hostField.error("destination host cannot be '*'");
      host = Optional.empty();
    } else if (host.isPresent() && Hosts.invalidReason(host.get()).isPresent()) {
      hostField.error(Hosts.invalidReason(host.get()).get());
      host = Optional.empty();
    }
    String subset = field.get("subset").string("");
    if (!subset.isEmpty() && !Checks.isDnsLabel(subset)) {
      field.get("subset").error("invalid subset name " + subset + ": must be a DNS label");
    }
    Field portField = field.get("port");
    OptionalInt port = OptionalInt.empty();
    if (portField.isObject()) {
      portField.allowOnly(PORT_SELECTOR);
      port = port(portField.get("number"));
    }
    OptionalInt selected = port;
    return host.map(h -> new Destination(h, subset, selected));
  }

  private static OptionalInt port(Field field) {
    OptionalInt port = field.integer();
    if (Checks.outsidePortRange(field, port)) {
      return OptionalInt.empty();
    }
    return port;
  }

  private Optional<HttpRedirect> redirect(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(REDIRECT);
    Optional<String> derivePort = field.get("derivePort").string();
    if (derivePort.isPresent() && !DERIVE_PORT.contains(derivePort.get())) {
      field
          .get("derivePort")
          .error(
              "invalid derivePort "
                  + derivePort.get()
                  + ": use FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT");
    }
    if (derivePort.isPresent() && field.get("port").present()) {
      field.get("derivePort").error("only one of port and derivePort may be set");
    }
    int code = field.get("redirectCode").integer().orElse(301);
    if (!REDIRECT_CODES.contains(code)) {
      field.get("redirectCode").error("redirect code must be one of 301, 302, 303, 307, 308, got " + code);
    }
    return Optional.of(
        new HttpRedirect(
            field.get("uri").string(),
            field.get("authority").string(),
            port(field.get("port")),
            derivePort.filter("FROM_REQUEST_PORT"::equals).isPresent(),
            field.get("scheme").string(),
            code));
  }

  private Optional<HttpDirectResponse> directResponse(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(DIRECT_RESPONSE);
    Field statusField = field.get("status");
    int status = statusField.integer().orElse(0);
    if (!statusField.present()) {
      statusField.error("required");
    } else if (status < 200 || status > 599) {
      statusField.error("HTTP status must be in 200..599, got " + status);
    }
    Optional<String> body = Optional.empty();
    Optional<ByteString> bytes = Optional.empty();
    Field bodyField = field.get("body");
    if (bodyField.isObject()) {
      bodyField.allowOnly(BODY);
      body = bodyField.get("string").string();
      if (body.isPresent()
          && body.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              > MAX_DIRECT_RESPONSE_BODY_BYTES) {
        bodyField
            .get("string")
            .error(
                "body is "
                    + body.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + " bytes, over Envoy's limit of "
                    + MAX_DIRECT_RESPONSE_BODY_BYTES
                    + " (the route configuration's max_direct_response_body_size_bytes)");
        body = Optional.empty();
      }
      bytes = base64(bodyField.get("bytes"));
      if (bytes.isPresent() && bytes.get().size() > MAX_DIRECT_RESPONSE_BODY_BYTES) {
        bodyField.get("bytes").error("body is " + bytes.get().size() + " bytes, over Envoy's limit of "
            + MAX_DIRECT_RESPONSE_BODY_BYTES + " (the route configuration's max_direct_response_body_size_bytes)");
        bytes = Optional.empty();
      }
      if (bodyField.get("string").present() && bodyField.get("bytes").present()) {
        bodyField.error("only one of string and bytes may be set");
      }
    }
    return Optional.of(new HttpDirectResponse(status, body, bytes));
  }

  /** A proto {@code bytes} field in JSON/YAML: base64, standard or URL-safe, as protobuf's JSON reader takes it. */
  private static Optional<ByteString> base64(Field field) {
    Optional<String> text = field.string();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String value = text.get().replace('-', '+').replace('_', '/');
    try {
      return Optional.of(ByteString.copyFrom(Base64.getDecoder().decode(value)));
    } catch (IllegalArgumentException e) {
      field.error("not base64: " + e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<HttpRewrite> rewrite(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(REWRITE);
    Field regexField = field.get("uriRegexRewrite");
    Optional<VirtualService.RegexRewrite> regex = Optional.empty();
    if (regexField.isObject()) {
      regexField.allowOnly(REGEX_REWRITE);
      if (field.get("uri").present()) {
        regexField.error("only one of uri and uriRegexRewrite may be set");
      }
      Field match = regexField.get("match");
      Field substitution = regexField.get("rewrite");
      Optional<String> pattern = match.string().filter(m -> validRegex(match, m));
      for (Field part : List.of(match, substitution)) {
        if (part.string("").isEmpty()) {
          part.error("required: uriRegexRewrite needs both match and rewrite");
        }
      }
      Optional<String> rewriteText = substitution.string();
      regex = pattern.filter(p -> !p.isEmpty()).flatMap(p -> rewriteText.filter(r -> !r.isEmpty())
          .map(r -> new VirtualService.RegexRewrite(p, r)));
    }
    return Optional.of(new HttpRewrite(field.get("uri").string(), field.get("authority").string(), regex));
  }

  private Optional<HttpRetry> retries(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(RETRIES);
    if (field.get("retryRemoteLocalities").present()) {
      // Locality-aware retries need locality load balancing, which an edge gateway does not do.
      field.get("retryRemoteLocalities").warning("ignored: an edge gateway does not balance by locality");
    }
    int attempts = field.get("attempts").integer().orElse(0);
    if (attempts < 0) {
      field.get("attempts").error("attempts must not be negative, got " + attempts);
    }
    Optional<String> retryOn = field.get("retryOn").string();
    retryOn.ifPresent(
        conditions -> {
          for (String part : conditions.split(",")) {
            String condition = part.trim();
            Integer code = com.google.common.primitives.Ints.tryParse(condition);
            boolean valid =
                code != null ? code >= 100 && code <= 599 : RETRY_ON.contains(condition);
            if (!valid) {
              field
                  .get("retryOn")
                  .error(
                      "invalid retry condition '"
                          + condition
                          + "': use HTTP status codes or "
                          + String.join(", ", RETRY_ON));
            }
          }
        });
    Field ignorePreviousHosts = field.get("retryIgnorePreviousHosts");
    return Optional.of(new HttpRetry(attempts, duration(field.get("perTryTimeout")), retryOn,
        ignorePreviousHosts.present() ? Optional.of(ignorePreviousHosts.bool(true)) : Optional.empty(),
        duration(field.get("backoff"))));
  }

  private Optional<VirtualService.Delegate> delegate(Field field, boolean inDelegate) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(DELEGATE);
    if (inDelegate) {
      field.error("a delegate VirtualService cannot delegate again: delegate only from a VirtualService with hosts");
    }
    Optional<String> name = field.get("name").string();
    if (name.isEmpty()) {
      field.get("name").error("required");
    } else if (!DNS_SUBDOMAIN.matcher(name.get()).matches()) {
      field.get("name").error("invalid VirtualService name " + name.get());
      name = Optional.empty();
    }
    String namespace = field.get("namespace").string(field.problems().resource().namespace());
    if (!Checks.isDnsLabel(namespace)) {
      field.get("namespace").error("invalid namespace " + namespace);
    }
    return inDelegate ? Optional.empty() : name.map(n -> new VirtualService.Delegate(n, namespace));
  }

  /** {@code mirror} (with mirrorPercentage or the deprecated mirrorPercent) or {@code mirrors}; 100% when unset. */
  private ImmutableList<HttpMirror> mirrors(Field rule) {
    Field mirror = rule.get("mirror");
    Field mirrors = rule.get("mirrors");
    if (rule.get("mirror_percent").present() && rule.get("mirrorPercent").present()) {
      rule.get("mirror_percent").error("only one of mirrorPercent and mirror_percent may be set");
    }
    Field legacyField = rule.get("mirrorPercent").present() ? rule.get("mirrorPercent") : rule.get("mirror_percent");
    Optional<VirtualService.Percent> percent = FaultDecoder.percentage(rule.get("mirrorPercentage"));
    if (percent.isEmpty() && legacyField.present()) {
      OptionalInt legacy = legacyField.integer();
      if (legacy.isPresent() && FaultDecoder.inRange(legacyField, legacy.getAsInt())) {
        percent = Optional.of(new VirtualService.Percent(legacy.getAsInt()));
      }
    }
    if (mirror.present() && mirrors.present()) {
      mirrors.error("only one of mirror and mirrors may be set");
    }
    ImmutableList.Builder<HttpMirror> out = ImmutableList.builder();
    if (mirror.present()) {
      VirtualService.Percent share = percent.orElse(new VirtualService.Percent(100));
      destination(mirror).ifPresent(d -> out.add(new HttpMirror(mirror.path(), d, share)));
      return out.build();
    }
    if (mirrors.present() && (rule.get("mirrorPercentage").present() || legacyField.present())) {
      (rule.get("mirrorPercentage").present() ? rule.get("mirrorPercentage") : legacyField)
          .error(
              "mirrorPercentage applies to mirror only: give each of mirrors its own percentage");
    }
    for (Field item : mirrors.items()) {
      if (!item.isObject()) {
        continue;
      }
      item.allowOnly(MIRROR);
      VirtualService.Percent share =
          FaultDecoder.percentage(item.get("percentage")).orElse(new VirtualService.Percent(100));
      destination(item.get("destination"))
          .ifPresent(d -> out.add(new HttpMirror(item.get("destination").path(), d, share)));
    }
    return out.build();
  }

}
