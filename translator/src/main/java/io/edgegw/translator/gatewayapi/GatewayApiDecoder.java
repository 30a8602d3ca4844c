package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.istio.Hosts;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decodes and validates GatewayClass, Gateway and HTTPRoute (HTTP core only, for now). Unknown
 * fields are ERRORs as in Istio specs; a field of the specification not supported yet is a WARNING
 * naming it and saying what happens instead (the listener, rule or reference is not served), never
 * silence.
 */
public final class GatewayApiDecoder {
  private static final String NOT_YET = "not supported yet (docs/gateway-api.md)";
  private static final ImmutableSet<String> CLASS_SPEC =
      ImmutableSet.of("controllerName", "parametersRef", "description");
  private static final ImmutableSet<String> GATEWAY_SPEC =
      ImmutableSet.of(
          "gatewayClassName",
          "listeners",
          "addresses",
          "infrastructure",
          "backendTLS",
          "allowedListeners",
          "tls");
  private static final ImmutableSet<String> LISTENER =
      ImmutableSet.of("name", "hostname", "port", "protocol", "tls", "allowedRoutes");
  private static final ImmutableSet<String> ROUTE_SPEC =
      ImmutableSet.of("parentRefs", "hostnames", "rules", "useDefaultGateways");
  private static final ImmutableSet<String> PARENT_REF =
      ImmutableSet.of("group", "kind", "namespace", "name", "sectionName", "port");
  private static final ImmutableSet<String> RULE =
      ImmutableSet.of(
          "name", "matches", "filters", "backendRefs", "timeouts", "retry", "sessionPersistence");
  private static final ImmutableSet<String> MATCH =
      ImmutableSet.of("path", "headers", "queryParams", "method");
  private static final ImmutableSet<String> BACKEND_REF =
      ImmutableSet.of("group", "kind", "name", "namespace", "port", "weight", "filters");

  public GatewayClass gatewayClass(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(CLASS_SPEC);
    if (spec.get("parametersRef").present()) {
      spec.get("parametersRef").warning(NOT_YET + "; ignored");
    }
    Optional<String> controller = spec.get("controllerName").string();
    if (controller.isEmpty() || controller.get().isEmpty()) {
      spec.get("controllerName").error("required");
    }
    return problems.hasErrors() ? null : new GatewayClass(resource.key(), controller.get());
  }

  public ApiGateway gateway(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(GATEWAY_SPEC);
    for (String field :
        ImmutableList.of("addresses", "infrastructure", "backendTLS", "allowedListeners", "tls")) {
      if (spec.get(field).present()) {
        spec.get(field).warning(NOT_YET + "; ignored");
      }
    }
    Optional<String> className = spec.get("gatewayClassName").string();
    if (className.isEmpty() || className.get().isEmpty()) {
      spec.get("gatewayClassName").error("required");
    }
    Field listenersField = spec.get("listeners");
    if (listenersField.isEmptyList()) {
      listenersField.error("required: at least one listener");
    }
    ImmutableList.Builder<ApiGateway.Listener> listeners = ImmutableList.builder();
    ImmutableList<Field> items = listenersField.items();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      Field l = items.get(i);
      if (!l.isObject()) {
        l.error("required");
        continue;
      }
      l.allowOnly(LISTENER);
      String name = l.get("name").string("");
      if (name.isEmpty()) {
        l.get("name").error("required");
      } else if (!names.add(name)) {
        l.get("name")
            .error(
                "listener name " + name + " is used twice; names must be unique within a Gateway");
      }
      OptionalInt port = l.get("port").integer();
      if (port.isEmpty()) {
        l.get("port").error("required");
      } else if (port.getAsInt() < 1 || port.getAsInt() > 65535) {
        l.get("port").error("port " + port.getAsInt() + " is outside 1..65535");
      }
      Optional<String> hostname = l.get("hostname").string();
      hostname
          .flatMap(h -> Hosts.invalidReason(h.startsWith("*.") ? h.substring(2) : h))
          .ifPresent(reason -> l.get("hostname").error(reason));
      if (hostname.isPresent() && hostname.get().contains(":")) {
        l.get("hostname").error("a hostname has no port or IP address");
      }
      String protocol = l.get("protocol").string("");
      if (protocol.isEmpty()) {
        l.get("protocol").error("required");
        continue;
      }
      if (!protocol.equals("HTTP")) {
        l.get("protocol")
            .warning(
                "protocol "
                    + protocol
                    + " is "
                    + NOT_YET
                    + " (only HTTP); listener "
                    + name
                    + " is not served");
        continue;
      }
      if (l.get("tls").present()) {
        l.get("tls").warning("tls on an HTTP listener is ignored");
      }
      boolean all = false;
      Field allowed = l.get("allowedRoutes");
      if (allowed.isObject()) {
        allowed.allowOnly(ImmutableSet.of("namespaces", "kinds"));
        Field from = allowed.get("namespaces").get("from");
        String value = from.string("Same");
        switch (value) {
          case "All" -> all = true;
          case "Same" -> {}
          case "Selector" ->
              from.warning(
                  "Selector is " + NOT_YET + "; only routes of the Gateway's namespace attach");
          default -> from.error("must be All, Same or Selector, got " + value);
        }
        for (Field kind : allowed.get("kinds").items()) {
          String group = kind.get("group").string(Kind.GatewayApi.GROUP);
          String k = kind.get("kind").string("");
          if (!group.equals(Kind.GatewayApi.GROUP) || !k.equals("HTTPRoute")) {
            kind.warning(
                "route kind " + group + "/" + k + " is " + NOT_YET + "; only HTTPRoute attaches");
          }
        }
      }
      if (port.isPresent() && !name.isEmpty()) {
        listeners.add(new ApiGateway.Listener(i, name, port.getAsInt(), hostname, all));
      }
    }
    return problems.hasErrors()
        ? null
        : new ApiGateway(resource.key(), created(resource), className.get(), listeners.build());
  }

  public HttpRoute httpRoute(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(ROUTE_SPEC);
    if (spec.get("useDefaultGateways").present()) {
      spec.get("useDefaultGateways").warning(NOT_YET + "; ignored");
    }
    String namespace = resource.key().namespace();
    ImmutableList.Builder<HttpRoute.ParentRef> parents = ImmutableList.builder();
    ImmutableList<Field> parentItems = spec.get("parentRefs").items();
    for (int i = 0; i < parentItems.size(); i++) {
      Field p = parentItems.get(i);
      if (!p.isObject()) {
        p.error("required");
        continue;
      }
      p.allowOnly(PARENT_REF);
      String group = p.get("group").string(Kind.GatewayApi.GROUP);
      String kind = p.get("kind").string("Gateway");
      String name = p.get("name").string("");
      if (name.isEmpty()) {
        p.get("name").error("required");
        continue;
      }
      if (!group.equals(Kind.GatewayApi.GROUP) || !kind.equals("Gateway")) {
        p.warning(
            "parent "
                + group
                + "/"
                + kind
                + " is "
                + NOT_YET
                + " (only Gateway); this parent is not served");
        continue;
      }
      OptionalInt port = p.get("port").integer();
      parents.add(
          new HttpRoute.ParentRef(
              i, p.get("namespace").string(namespace), name, p.get("sectionName").string(), port));
    }
    ImmutableList.Builder<String> hostnames = ImmutableList.builder();
    for (Field h : spec.get("hostnames").items()) {
      h.string()
          .ifPresent(
              host -> {
                Optional<String> invalid =
                    Hosts.invalidReason(host.startsWith("*.") ? host.substring(2) : host);
                if (invalid.isPresent() || host.contains(":")) {
                  h.error(invalid.orElse("a hostname has no port or IP address"));
                } else {
                  hostnames.add(host);
                }
              });
    }
    ImmutableList.Builder<HttpRoute.Rule> rules = ImmutableList.builder();
    ImmutableList<Field> ruleItems = spec.get("rules").items();
    if (ruleItems.isEmpty() && !spec.get("rules").present()) {
      // The specification's default: one rule matching prefix / with no backends (answered with
      // 500... by
      // having no backend: see the front end).
      rules.add(
          new HttpRoute.Rule(
              0,
              ImmutableList.of(new HttpRoute.Match(false, "/", ImmutableList.of())),
              ImmutableList.of()));
    }
    for (int r = 0; r < ruleItems.size(); r++) {
      rule(r, ruleItems.get(r), namespace).ifPresent(rules::add);
    }
    return problems.hasErrors()
        ? null
        : new HttpRoute(
            resource.key(), created(resource), parents.build(), hostnames.build(), rules.build());
  }

  /**
   * Empty when the rule uses something not supported yet (a WARNING says which): a rule is served
   * whole or not at all.
   */
  private static Optional<HttpRoute.Rule> rule(int index, Field rule, String namespace) {
    if (!rule.isObject()) {
      rule.error("required");
      return Optional.empty();
    }
    rule.allowOnly(RULE);
    boolean skip = false;
    for (String field : ImmutableList.of("filters", "timeouts", "retry", "sessionPersistence")) {
      if (rule.get(field).present() && !rule.get(field).isEmptyList()) {
        rule.get(field).warning(NOT_YET + "; this rule is not served");
        skip = true;
      }
    }
    ImmutableList.Builder<HttpRoute.Match> matches = ImmutableList.builder();
    ImmutableList<Field> matchItems = rule.get("matches").items();
    if (matchItems.isEmpty()) {
      matches.add(new HttpRoute.Match(false, "/", ImmutableList.of()));
    }
    for (Field m : matchItems) {
      if (!m.isObject()) {
        m.error("required");
        continue;
      }
      m.allowOnly(MATCH);
      for (String field : ImmutableList.of("queryParams", "method")) {
        if (m.get(field).present() && !m.get(field).isEmptyList()) {
          m.get(field).warning(NOT_YET + "; this rule is not served");
          skip = true;
        }
      }
      Field path = m.get("path");
      String type = path.get("type").string("PathPrefix");
      String value = path.get("value").string("/");
      if (path.present()) {
        path.allowOnly(ImmutableSet.of("type", "value"));
      }
      if (!value.startsWith("/")) {
        path.get("value").error("must start with /");
      }
      boolean exact;
      switch (type) {
        case "Exact" -> exact = true;
        case "PathPrefix" -> exact = false;
        case "RegularExpression" -> {
          path.get("type").warning("RegularExpression is " + NOT_YET + "; this rule is not served");
          skip = true;
          exact = false;
        }
        default -> {
          path.get("type").error("must be Exact, PathPrefix or RegularExpression, got " + type);
          exact = false;
        }
      }
      // A prefix matches whole segments, and its trailing slash is ignored ("/foo/" matches
      // "/foo").
      String normalized =
          !exact && value.length() > 1 && value.endsWith("/")
              ? value.substring(0, value.length() - 1)
              : value;
      ImmutableList.Builder<HttpRoute.HeaderMatch> headers = ImmutableList.builder();
      for (Field h : m.get("headers").items()) {
        h.allowOnly(ImmutableSet.of("type", "name", "value"));
        String headerType = h.get("type").string("Exact");
        String name = h.get("name").string("");
        if (name.isEmpty()) {
          h.get("name").error("required");
        }
        if (headerType.equals("RegularExpression")) {
          h.get("type").warning("RegularExpression is " + NOT_YET + "; this rule is not served");
          skip = true;
        } else if (!headerType.equals("Exact")) {
          h.get("type").error("must be Exact or RegularExpression, got " + headerType);
        }
        headers.add(new HttpRoute.HeaderMatch(name, h.get("value").string("")));
      }
      matches.add(new HttpRoute.Match(exact, normalized, headers.build()));
    }
    ImmutableList.Builder<HttpRoute.BackendRef> backends = ImmutableList.builder();
    ImmutableList<Field> backendItems = rule.get("backendRefs").items();
    for (int b = 0; b < backendItems.size(); b++) {
      Field ref = backendItems.get(b);
      if (!ref.isObject()) {
        ref.error("required");
        continue;
      }
      ref.allowOnly(BACKEND_REF);
      if (ref.get("filters").present() && !ref.get("filters").isEmptyList()) {
        ref.get("filters").warning(NOT_YET + "; this rule is not served");
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
                + " (only Service) (InvalidKind); this backend is left out"
                + " (a rule with no backend left answers 500)");
        continue;
      }
      if (port.isEmpty()) {
        ref.get("port").error("required for a Service backend");
        continue;
      }
      backends.add(
          new HttpRoute.BackendRef(
              b, ref.get("namespace").string(namespace), name, port.getAsInt(), weight));
    }
    return skip
        ? Optional.empty()
        : Optional.of(new HttpRoute.Rule(index, matches.build(), backends.build()));
  }

  private static String created(Resource resource) {
    return resource.manifest().path("metadata").path("creationTimestamp").asText("");
  }
}
