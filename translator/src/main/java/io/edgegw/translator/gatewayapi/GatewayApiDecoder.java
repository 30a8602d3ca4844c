package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.istio.Hosts;
import io.edgegw.translator.kube.LabelSelector;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

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

  /** A ReferenceGrant; every {@code from} and {@code to} needs its kind (group {@code ""} is core). */
  public ReferenceGrant referenceGrant(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(ImmutableSet.of("from", "to"));
    ImmutableList.Builder<ReferenceGrant.From> from = ImmutableList.builder();
    for (Field f : spec.get("from").items()) {
      if (!f.isObject()) {
        f.error("required");
        continue;
      }
      f.allowOnly(ImmutableSet.of("group", "kind", "namespace"));
      String kind = required(f.get("kind"));
      String namespace = required(f.get("namespace"));
      from.add(new ReferenceGrant.From(f.get("group").string(""), kind, namespace));
    }
    ImmutableList.Builder<ReferenceGrant.To> to = ImmutableList.builder();
    for (Field t : spec.get("to").items()) {
      if (!t.isObject()) {
        t.error("required");
        continue;
      }
      t.allowOnly(ImmutableSet.of("group", "kind", "name"));
      String kind = required(t.get("kind"));
      to.add(
          new ReferenceGrant.To(
              t.get("group").string(""), kind, t.get("name").string().filter(n -> !n.isEmpty())));
    }
    if (spec.get("from").isEmptyList()) {
      spec.get("from").error("required: at least one entry");
    }
    if (spec.get("to").isEmptyList()) {
      spec.get("to").error("required: at least one entry");
    }
    return problems.hasErrors() ? null : new ReferenceGrant(resource.key(), from.build(), to.build());
  }

  private static String required(Field field) {
    String value = field.string("");
    if (value.isEmpty()) {
      field.error("required");
    }
    return value;
  }

  public ApiGateway gateway(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(GATEWAY_SPEC);
    if (spec.get("backendTLS").present()) {
      spec.get("backendTLS").warning(NOT_YET + "; ignored");
    }
    ApiGateway.Infrastructure infrastructure =
        new ApiGateway.Infrastructure(addresses(spec.get("addresses")), parametersRef(spec.get("infrastructure")));
    Optional<String> className = spec.get("gatewayClassName").string();
    if (className.isEmpty() || className.get().isEmpty()) {
      spec.get("gatewayClassName").error("required");
    }
    ApiGateway.AllowedListeners allowedListeners = allowedListeners(spec.get("allowedListeners"));
    ImmutableList<ApiGateway.Listener> listeners =
        listeners(spec.get("listeners"), resource.key().namespace(), "Gateway");
    ApiGateway.FrontendTls frontendTls = frontendTls(spec.get("tls"), resource.key().namespace());
    Optional<ApiGateway.CertificateRef> backendCertificate =
        backendTls(spec.get("tls").get("backend"), resource.key().namespace());
    return problems.hasErrors()
        ? null
        : new ApiGateway(resource.key(), created(resource), className.get(), listeners, allowedListeners,
            frontendTls, backendCertificate, infrastructure);
  }

  /** {@code spec.addresses}: whether the node can serve them is the front end's question. */
  private static ImmutableList<ApiGateway.Address> addresses(Field list) {
    ImmutableList.Builder<ApiGateway.Address> out = ImmutableList.builder();
    ImmutableList<Field> items = list.items();
    for (int i = 0; i < items.size(); i++) {
      Field address = items.get(i);
      if (!address.isObject()) {
        address.error("required: an object with type and value");
        continue;
      }
      address.allowOnly(ImmutableSet.of("type", "value"));
      String type = address.get("type").string(ApiGateway.Address.IP_ADDRESS);
      if (type.isEmpty()) {
        address.get("type").error("must not be empty (IPAddress when left out)");
      }
      out.add(new ApiGateway.Address(i, type, address.get("value").string().filter(v -> !v.isEmpty())));
    }
    return out.build();
  }

  /**
   * {@code spec.infrastructure}: {@code labels} and {@code annotations} (string maps, for the objects
   * an implementation generates; an edge node generates none) and {@code parametersRef}, returned as
   * {@code group/Kind name} when present.
   */
  private static Optional<String> parametersRef(Field infrastructure) {
    if (!infrastructure.isObject()) {
      return Optional.empty();
    }
    infrastructure.allowOnly(ImmutableSet.of("labels", "annotations", "parametersRef"));
    for (String map : ImmutableList.of("labels", "annotations")) {
      Field entries = infrastructure.get(map);
      if (entries.present() && !entries.isObject()) {
        entries.error("must be a map of strings");
      }
      entries.stringMap(); // every value a string
    }
    Field ref = infrastructure.get("parametersRef");
    if (!ref.present()) {
      return Optional.empty();
    }
    if (!ref.isObject()) {
      ref.error("required: an object with group, kind and name");
      return Optional.empty();
    }
    ref.allowOnly(ImmutableSet.of("group", "kind", "name"));
    return Optional.of(ref.get("group").string("") + "/" + required(ref.get("kind")) + " "
        + required(ref.get("name")));
  }

  /**
   * {@code spec.tls.backend}: its {@code clientCertificateRef} (kind defaulted to Secret, namespace to
   * the Gateway's); whether it can be used is the front end's business (status ResolvedRefs).
   */
  private static Optional<ApiGateway.CertificateRef> backendTls(Field backend, String namespace) {
    if (!backend.isObject()) {
      return Optional.empty();
    }
    backend.allowOnly(ImmutableSet.of("clientCertificateRef"));
    Field ref = backend.get("clientCertificateRef");
    if (!ref.isObject()) {
      return Optional.empty();
    }
    ref.allowOnly(ImmutableSet.of("group", "kind", "name", "namespace"));
    String name = required(ref.get("name"));
    return Optional.of(new ApiGateway.CertificateRef(0, ref.get("group").string(""), ref.get("kind").string("Secret"),
        ref.get("namespace").string(namespace), name));
  }

  /** {@code spec.tls.frontend} (client certificate validation); {@code backend} is read by {@link #backendTls}. */
  private static ApiGateway.FrontendTls frontendTls(Field tls, String namespace) {
    if (!tls.isObject()) {
      return ApiGateway.FrontendTls.NONE;
    }
    tls.allowOnly(ImmutableSet.of("frontend", "backend"));
    Field frontend = tls.get("frontend");
    if (!frontend.isObject()) {
      return ApiGateway.FrontendTls.NONE;
    }
    frontend.allowOnly(ImmutableSet.of("default", "perPort"));
    Optional<ApiGateway.ClientValidation> byDefault = validation(frontend.get("default"), namespace);
    ImmutableMap.Builder<Integer, ApiGateway.ClientValidation> perPort = ImmutableMap.builder();
    Set<Integer> seen = new HashSet<>();
    for (Field item : frontend.get("perPort").items()) {
      item.allowOnly(ImmutableSet.of("port", "tls"));
      OptionalInt port = item.get("port").integer();
      if (port.isEmpty() || port.getAsInt() < 1 || port.getAsInt() > 65535) {
        item.get("port").error("required: a port number 1-65535");
        continue;
      }
      if (!seen.add(port.getAsInt())) {
        item.get("port").error("port " + port.getAsInt() + " is configured twice");
        continue;
      }
      validation(item.get("tls"), namespace).ifPresent(v -> perPort.put(port.getAsInt(), v));
    }
    return new ApiGateway.FrontendTls(byDefault, perPort.buildOrThrow());
  }

  /** A TLSConfig's {@code validation}: its CA references and mode. */
  private static Optional<ApiGateway.ClientValidation> validation(Field config, String namespace) {
    if (!config.isObject()) {
      return Optional.empty();
    }
    config.allowOnly(ImmutableSet.of("validation"));
    Field validation = config.get("validation");
    if (!validation.isObject()) {
      return Optional.empty();
    }
    validation.allowOnly(ImmutableSet.of("caCertificateRefs", "mode"));
    String mode = validation.get("mode").string("AllowValidOnly");
    if (!mode.equals("AllowValidOnly") && !mode.equals("AllowInsecureFallback")) {
      validation.get("mode").error("must be AllowValidOnly or AllowInsecureFallback, got " + mode);
    }
    ImmutableList<ApiGateway.CertificateRef> refs = certificateRefs(validation.get("caCertificateRefs"),
        "ConfigMap", namespace, "required: at least one CA certificate reference");
    return Optional.of(new ApiGateway.ClientValidation(
        validation.path(), refs, mode.equals("AllowInsecureFallback")));
  }

  /**
   * A ListenerSet: its {@code parentRef} and its listeners, read as a Gateway's. Whether it attaches
   * is the front end's business ({@link ListenerSets}).
   */
  public ListenerSet listenerSet(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(ImmutableSet.of("parentRef", "listeners"));
    Field parent = spec.get("parentRef");
    if (!parent.isObject()) {
      parent.error("required");
      return null;
    }
    parent.allowOnly(ImmutableSet.of("group", "kind", "name", "namespace"));
    String parentName = required(parent.get("name"));
    ImmutableList<ApiGateway.Listener> listeners =
        listeners(spec.get("listeners"), resource.key().namespace(), "ListenerSet");
    return problems.hasErrors()
        ? null
        : new ListenerSet(
            resource.key(),
            created(resource),
            parent.get("group").string(Kind.GatewayApi.GROUP),
            parent.get("kind").string("Gateway"),
            parent.get("namespace").string(resource.key().namespace()),
            parentName,
            listeners);
  }

  /** {@code spec.allowedListeners}: None when absent, as the specification's default. */
  private static ApiGateway.AllowedListeners allowedListeners(Field allowed) {
    if (!allowed.present()) {
      return ApiGateway.AllowedListeners.NONE;
    }
    allowed.allowOnly(ImmutableSet.of("namespaces"));
    Field namespaces = allowed.get("namespaces");
    namespaces.allowOnly(ImmutableSet.of("from", "selector"));
    Field fromField = namespaces.get("from");
    String value = fromField.string("None");
    switch (value) {
      case "None" -> {
        return ApiGateway.AllowedListeners.NONE;
      }
      case "Same" -> {
        return new ApiGateway.AllowedListeners(ApiGateway.ListenersFrom.SAME, Optional.empty());
      }
      case "All" -> {
        return new ApiGateway.AllowedListeners(ApiGateway.ListenersFrom.ALL, Optional.empty());
      }
      case "Selector" -> {
        Field sel = namespaces.get("selector");
        if (!sel.isObject()) {
          sel.error("required when from is Selector");
          return ApiGateway.AllowedListeners.NONE;
        }
        return new ApiGateway.AllowedListeners(
            ApiGateway.ListenersFrom.SELECTOR, Optional.of(LabelSelector.decode(sel)));
      }
      default -> {
        fromField.error("must be None, Same, All or Selector, got " + value);
        return ApiGateway.AllowedListeners.NONE;
      }
    }
  }

  /**
   * The listeners of a Gateway or ListenerSet ({@code owner}, for messages); those of a protocol not
   * served are reported and left out.
   */
  private static ImmutableList<ApiGateway.Listener> listeners(
      Field listenersField, String namespace, String owner) {
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
                "listener name " + name + " is used twice; names must be unique within a " + owner);
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
      String protocolName = l.get("protocol").string("");
      if (protocolName.isEmpty()) {
        l.get("protocol").error("required");
        continue;
      }
      Optional<ApiGateway.Protocol> protocol =
          java.util.Arrays.stream(ApiGateway.Protocol.values())
              .filter(p -> p.name().equals(protocolName))
              .findFirst();
      if (protocol.isEmpty() || !protocol.get().served()) {
        l.get("protocol")
            .warning(
                "protocol "
                    + protocolName
                    + " is "
                    + NOT_YET
                    + " (only HTTP, HTTPS, TCP and TLS); listener "
                    + name
                    + " is not served (UnsupportedProtocol)");
        if (protocol.isEmpty()) {
          continue;
        }
      }
      if (protocol.get() == ApiGateway.Protocol.TLS && !tlsMode(l.get("tls"), name)) {
        continue;
      }
      if (protocol.get() == ApiGateway.Protocol.TCP && hostname.isPresent()) {
        l.get("hostname").warning("a TCP listener does not match hostnames; ignored");
        hostname = Optional.empty();
      }
      ImmutableList<ApiGateway.CertificateRef> certificates =
          tls(l.get("tls"), protocol.get(), namespace);
      ApiGateway.From from = ApiGateway.From.SAME;
      Optional<LabelSelector> selector = Optional.empty();
      ImmutableSet<String> supported = protocol.get().routeKinds();
      ImmutableSet<String> kinds = supported;
      Field allowed = l.get("allowedRoutes");
      if (allowed.isObject()) {
        allowed.allowOnly(ImmutableSet.of("namespaces", "kinds"));
        Field namespaces = allowed.get("namespaces");
        namespaces.allowOnly(ImmutableSet.of("from", "selector"));
        Field fromField = namespaces.get("from");
        String value = fromField.string("Same");
        switch (value) {
          case "All" -> from = ApiGateway.From.ALL;
          case "Same" -> {}
          case "Selector" -> {
            from = ApiGateway.From.SELECTOR;
            Field sel = namespaces.get("selector");
            if (sel.isObject()) {
              selector = Optional.of(LabelSelector.decode(sel));
            } else {
              sel.error("required when from is Selector");
            }
          }
          default -> fromField.error("must be All, Same or Selector, got " + value);
        }
        if (allowed.get("kinds").present()) {
          ImmutableSet.Builder<String> listed = ImmutableSet.builder();
          for (Field kind : allowed.get("kinds").items()) {
            kind.allowOnly(ImmutableSet.of("group", "kind"));
            String k = kind.get("group").string(Kind.GatewayApi.GROUP) + "/" + kind.get("kind").string("");
            if (supported.contains(k)) {
              listed.add(k);
            } else {
              kind.warning(
                  "route kind "
                      + k
                      + " is not a kind a listener of protocol "
                      + protocolName
                      + " takes ("
                      + String.join(", ", supported)
                      + "); it is ignored (InvalidRouteKinds)");
            }
          }
          kinds = listed.build();
        }
      }
      if (port.isPresent() && !name.isEmpty()) {
        listeners.add(
            new ApiGateway.Listener(
                i, name, port.getAsInt(), hostname, protocol.get(), from, selector, kinds, certificates));
      }
    }
    return listeners.build();
  }

  /**
   * Whether a TLS listener's mode is served: Passthrough, or Terminate (the default; its
   * certificateRefs are read by {@link #tls}); a WARNING otherwise.
   */
  private static boolean tlsMode(Field tls, String name) {
    String mode = tls.get("mode").string("Terminate");
    if (mode.equals("Terminate")) {
      return true;
    }
    if (!mode.equals("Passthrough")) {
      tls.get("mode")
          .warning("a TLS listener's mode is Terminate or Passthrough, got " + mode + "; listener " + name
              + " is not served (UnsupportedValue)");
      return false;
    }
    if (tls.get("certificateRefs").present() && !tls.get("certificateRefs").isEmptyList()) {
      tls.get("certificateRefs").warning("a Passthrough listener presents no certificate; ignored");
    }
    return true;
  }

  /**
   * The certificateRefs of an HTTPS listener or a TLS listener in mode Terminate (the default); a TLS
   * listener has them exactly when it terminates. Only {@code certificateRefs} is read; the rest of
   * {@code tls} is reported and ignored.
   */
  private static ImmutableList<ApiGateway.CertificateRef> tls(
      Field tls, ApiGateway.Protocol protocol, String namespace) {
    if (protocol == ApiGateway.Protocol.HTTP || protocol == ApiGateway.Protocol.TCP
        || protocol == ApiGateway.Protocol.UDP) {
      if (tls.present()) {
        tls.warning("tls on a " + protocol + " listener is ignored");
      }
      return ImmutableList.of();
    }
    if (protocol == ApiGateway.Protocol.TLS && tls.get("mode").string("Terminate").equals("Passthrough")) {
      return ImmutableList.of(); // checked by tlsMode()
    }
    if (!tls.isObject()) {
      tls.error("required for an " + protocol + " listener that terminates TLS (certificateRefs)");
      return ImmutableList.of();
    }
    tls.allowOnly(ImmutableSet.of("mode", "certificateRefs", "options", "frontendValidation"));
    String mode = tls.get("mode").string("Terminate");
    if (protocol == ApiGateway.Protocol.HTTPS && !mode.equals("Terminate")) {
      tls.get("mode").error("an HTTPS listener terminates TLS: mode must be Terminate, got " + mode);
    }
    for (String field : ImmutableList.of("options", "frontendValidation")) {
      if (tls.get(field).present()) {
        tls.get(field).warning(NOT_YET + "; ignored");
      }
    }
    return certificateRefs(tls.get("certificateRefs"), "Secret", namespace,
        "required: at least one for mode Terminate");
  }

  /** A list of object references (group, kind, namespace, name), at least one; kind defaults as given. */
  private static ImmutableList<ApiGateway.CertificateRef> certificateRefs(
      Field list, String defaultKind, String namespace, String whenEmpty) {
    ImmutableList.Builder<ApiGateway.CertificateRef> refs = ImmutableList.builder();
    ImmutableList<Field> items = list.items();
    if (items.isEmpty()) {
      list.error(whenEmpty);
    }
    for (int i = 0; i < items.size(); i++) {
      Field ref = items.get(i);
      if (!ref.isObject()) {
        ref.error("required");
        continue;
      }
      ref.allowOnly(ImmutableSet.of("group", "kind", "name", "namespace"));
      String name = required(ref.get("name"));
      refs.add(new ApiGateway.CertificateRef(i, ref.get("group").string(""), ref.get("kind").string(defaultKind),
          ref.get("namespace").string(namespace), name));
    }
    return refs.build();
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
    // parentRefs and hostnames are read as for every route kind.
    ImmutableList<HttpRoute.ParentRef> parents = RouteRefs.parents(spec, namespace);
    ImmutableList<String> hostnames = RouteRefs.hostnames(spec);
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
    HttpRuleDecoder.ruleNames(ruleItems);
    return problems.hasErrors()
        ? null
        : new HttpRoute(
            resource.key(), created(resource), parents, hostnames, rules.build());
  }

  /** Empty when the rule uses something not supported (a WARNING says which). */
  private static Optional<HttpRoute.Rule> rule(int index, Field rule, String namespace) {
    return HttpRuleDecoder.rule(index, rule, namespace);
  }

  static String created(Resource resource) {
    return resource.manifest().path("metadata").path("creationTimestamp").asText("");
  }
}
