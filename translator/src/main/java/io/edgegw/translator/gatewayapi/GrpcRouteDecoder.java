package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.re2j.PatternSyntaxException;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.model.Resource;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decodes GRPCRoute ({@code v1}). Unknown fields are ERRORs; a field of the specification not
 * supported yet makes its rule not served, with a WARNING naming it.
 */
public final class GrpcRouteDecoder {
  private static final ImmutableSet<String> SPEC =
      ImmutableSet.of("parentRefs", "hostnames", "rules", "useDefaultGateways");
  private static final ImmutableSet<String> RULE =
      ImmutableSet.of("name", "matches", "filters", "backendRefs", "sessionPersistence");
  private static final ImmutableSet<String> FILTER =
      ImmutableSet.of(
          "type", "requestHeaderModifier", "responseHeaderModifier", "requestMirror", "extensionRef");
  private static final ImmutableSet<String> MODIFIER = ImmutableSet.of("set", "add", "remove");
  // As HTTPRoute's: the reason lets the route's status say Accepted False (UnsupportedValue).
  private static final String NOT_SERVED = "; this rule is not served (UnsupportedValue)";
  // The specification's validation of service and method names.
  private static final Pattern SERVICE = Pattern.compile("^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$");
  private static final int MAX_REGEX_LENGTH = 1024;
  private static final Pattern METHOD = Pattern.compile("^[A-Za-z_][A-Za-z_0-9]*$");

  public GrpcRoute grpcRoute(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(SPEC);
    if (spec.get("useDefaultGateways").present()) {
      spec.get("useDefaultGateways").warning(RouteRefs.NOT_YET + "; ignored");
    }
    String namespace = resource.key().namespace();
    ImmutableList.Builder<GrpcRoute.Rule> rules = ImmutableList.builder();
    ImmutableList<Field> items = spec.get("rules").items();
    for (int r = 0; r < items.size(); r++) {
      rule(r, items.get(r), namespace).ifPresent(rules::add);
    }
    return problems.hasErrors()
        ? null
        : new GrpcRoute(
            resource.key(),
            GatewayApiDecoder.created(resource),
            RouteRefs.parents(spec, namespace),
            RouteRefs.hostnames(spec),
            rules.build());
  }

  /** Empty when the rule uses something not supported yet: a rule is served whole or not at all. */
  private static Optional<GrpcRoute.Rule> rule(int index, Field rule, String namespace) {
    if (!rule.isObject()) {
      rule.error("required");
      return Optional.empty();
    }
    rule.allowOnly(RULE);
    boolean skip = false;
    if (rule.get("sessionPersistence").present()) {
      rule.get("sessionPersistence").warning(RouteRefs.NOT_YET + NOT_SERVED);
      skip = true;
    }
    ImmutableList.Builder<GrpcRoute.Match> matches = ImmutableList.builder();
    ImmutableList<Field> matchItems = rule.get("matches").items();
    if (matchItems.isEmpty()) {
      matches.add(new GrpcRoute.Match(false, Optional.empty(), Optional.empty(), ImmutableList.of()));
    }
    for (Field m : matchItems) {
      if (!m.isObject()) {
        m.error("required");
        continue;
      }
      m.allowOnly(ImmutableSet.of("method", "headers"));
      Field method = m.get("method");
      boolean regex = false;
      Optional<String> service = Optional.empty();
      Optional<String> name = Optional.empty();
      if (method.present()) {
        method.allowOnly(ImmutableSet.of("type", "service", "method"));
        String type = method.get("type").string("Exact");
        service = method.get("service").string().filter(s -> !s.isEmpty());
        name = method.get("method").string().filter(s -> !s.isEmpty());
        switch (type) {
          case "Exact" -> {
            service
                .filter(s -> !SERVICE.matcher(s).matches())
                .ifPresent(s -> method.get("service").error("not a gRPC service name: " + s));
            name.filter(s -> !METHOD.matcher(s).matches())
                .ifPresent(s -> method.get("method").error("not a gRPC method name: " + s));
          }
          case "RegularExpression" -> {
            regex = true;
            service.ifPresent(s -> validRegex(method.get("service"), s));
            name.ifPresent(s -> validRegex(method.get("method"), s));
          }
          default -> method.get("type").error("must be Exact or RegularExpression, got " + type);
        }
        if (service.isEmpty() && name.isEmpty()) {
          method.error("one of service and method is required");
        }
      }
      ImmutableList.Builder<GrpcRoute.HeaderMatch> headers = ImmutableList.builder();
      for (Field h : m.get("headers").items()) {
        h.allowOnly(ImmutableSet.of("type", "name", "value"));
        String type = h.get("type").string("Exact");
        String headerName = h.get("name").string("");
        if (headerName.isEmpty()) {
          h.get("name").error("required");
        }
        if (type.equals("RegularExpression")) {
          validRegex(h.get("value"), h.get("value").string(""));
        } else if (!type.equals("Exact")) {
          h.get("type").error("must be Exact or RegularExpression, got " + type);
        }
        headers.add(
            new GrpcRoute.HeaderMatch(
                headerName.toLowerCase(Locale.ROOT),
                type.equals("RegularExpression"),
                h.get("value").string("")));
      }
      matches.add(new GrpcRoute.Match(regex, service, name, headers.build()));
    }
    HeaderMutations mutations = HeaderMutations.NONE;
    for (Field f : rule.get("filters").items()) {
      f.allowOnly(FILTER);
      String type = f.get("type").string("");
      switch (type) {
        case "RequestHeaderModifier" ->
            mutations = mutations.followedBy(modifier(f.get("requestHeaderModifier"), true));
        case "ResponseHeaderModifier" ->
            mutations = mutations.followedBy(modifier(f.get("responseHeaderModifier"), false));
        case "RequestMirror", "ExtensionRef" -> {
          f.get("type").warning(type + " is " + RouteRefs.NOT_YET + NOT_SERVED);
          skip = true;
        }
        default ->
            f.get("type")
                .error(
                    "must be RequestHeaderModifier, ResponseHeaderModifier, RequestMirror or"
                        + " ExtensionRef, got "
                        + type);
      }
    }
    ImmutableList.Builder<HttpRoute.BackendRef> backends = ImmutableList.builder();
    ImmutableList<Field> refs = rule.get("backendRefs").items();
    for (int b = 0; b < refs.size(); b++) {
      Field ref = refs.get(b);
      if (ref.get("filters").present() && !ref.get("filters").isEmptyList()) {
        ref.get("filters").warning(RouteRefs.NOT_YET + NOT_SERVED);
        skip = true;
      }
      RouteRefs.backend(ref, b, namespace).ifPresent(backends::add);
    }
    return skip
        ? Optional.empty()
        : Optional.of(new GrpcRoute.Rule(index, matches.build(), mutations, backends.build()));
  }

  /** Envoy refuses (NACKs) a whole update for one bad RE2 regex: caught here, on its field. */
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

  /** A RequestHeaderModifier or ResponseHeaderModifier: set overwrites, add appends, remove. */
  private static HeaderMutations modifier(Field modifier, boolean request) {
    if (!modifier.isObject()) {
      modifier.error("required by the filter type");
      return HeaderMutations.NONE;
    }
    modifier.allowOnly(MODIFIER);
    ImmutableList.Builder<HeaderMutations.HeaderValue> add = ImmutableList.builder();
    for (String op : ImmutableList.of("set", "add")) {
      for (Field h : modifier.get(op).items()) {
        h.allowOnly(ImmutableSet.of("name", "value"));
        String name = h.get("name").string("");
        if (name.isEmpty()) {
          h.get("name").error("required");
          continue;
        }
        add.add(new HeaderMutations.HeaderValue(name, h.get("value").string(""), op.equals("add")));
      }
    }
    ImmutableList<String> remove = modifier.get("remove").strings();
    return request
        ? new HeaderMutations(add.build(), remove, ImmutableList.of(), ImmutableList.of())
        : new HeaderMutations(ImmutableList.of(), ImmutableList.of(), add.build(), remove);
  }
}
