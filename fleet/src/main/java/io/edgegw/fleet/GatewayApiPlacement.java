package io.edgegw.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where Gateway API resources go (docs/fleet.md, "Gateway API placement"): a Gateway on the edge
 * gateways whose labels match the selector in its {@value #SELECTOR_ANNOTATION} annotation, or else in
 * its GatewayClass's; with it its GatewayClass, the routes whose {@code parentRefs} name it, what they
 * and it reference (Services by host, Secrets by {@code certificateRefs}), the ReferenceGrants that
 * allow the cross-namespace ones, the Namespaces they live in, and the BackendTLSPolicies of the
 * Services those routes send to with the ConfigMaps of their {@code caCertificateRefs}.
 *
 * <p>Reads the manifests by API group and kind name, not through the translator's typed decoders, so
 * a route, reference or Namespace kind the translator learns later ({@code GRPCRoute}, {@code
 * TLSRoute}, {@code TCPRoute}, {@code ReferenceGrant}, {@code Namespace}) is placed without a change
 * here. A cross-namespace reference no ReferenceGrant allows is not followed: the sidecar would refuse
 * it (RefNotPermitted), so its target (a Secret above all) has no business on the node. Immutable.
 */
final class GatewayApiPlacement {
  /** {@code role=shop,site=berlin}: all must match (as an Istio selector); an empty value selects every gateway. */
  static final String SELECTOR_ANNOTATION = "edgegw.io/gateway-selector";

  private static final String GROUP = Kind.GatewayApi.GROUP;
  private static final String ISTIO = "networking.istio.io";

  /** A typed reference as the Gateway API spells one; {@code name} empty in a ReferenceGrant's "any name". */
  private record Ref(String group, String kind, String namespace, String name) {}

  private record Gateway(ResourceKey key, String className, Optional<ImmutableMap<String, String>> selector,
      ImmutableList<Ref> references) {}

  private record Route(ResourceKey key, ImmutableList<Ref> parents, ImmutableList<Ref> backends) {}

  private record Grant(ResourceKey key, ImmutableList<Ref> from, ImmutableList<Ref> to) {}

  /** A policy attached by {@code targetRefs} (BackendTLSPolicy), with what it references itself. */
  private record Policy(ResourceKey key, ImmutableList<Ref> targets, ImmutableList<Ref> references) {}

  private final ImmutableList<Gateway> gateways;
  private final ImmutableMap<String, ResourceKey> classes;
  private final ImmutableMap<String, Optional<ImmutableMap<String, String>>> classSelectors;
  private final ImmutableList<Route> routes;
  private final ImmutableList<Grant> grants;
  private final ImmutableList<Policy> policies;
  private final ImmutableMap<String, ResourceKey> namespaces;
  private final String domainSuffix;

  private GatewayApiPlacement(List<Gateway> gateways, Map<String, ResourceKey> classes,
      Map<String, Optional<ImmutableMap<String, String>>> classSelectors, List<Route> routes, List<Grant> grants,
      List<Policy> policies, Map<String, ResourceKey> namespaces, String domainSuffix) {
    this.gateways = ImmutableList.copyOf(gateways);
    this.classes = ImmutableMap.copyOf(classes);
    this.classSelectors = ImmutableMap.copyOf(classSelectors);
    this.routes = ImmutableList.copyOf(routes);
    this.grants = ImmutableList.copyOf(grants);
    this.policies = ImmutableList.copyOf(policies);
    this.namespaces = ImmutableMap.copyOf(namespaces);
    this.domainSuffix = domainSuffix;
  }

  /** Reads every manifest once; a malformed selector annotation is an error in {@code errors}. */
  static GatewayApiPlacement of(Collection<Resource> resources, String domainSuffix, List<Diagnostic> errors) {
    List<Gateway> gateways = new ArrayList<>();
    Map<String, ResourceKey> classes = new HashMap<>();
    Map<String, Optional<ImmutableMap<String, String>>> classSelectors = new HashMap<>();
    List<Route> routes = new ArrayList<>();
    List<Grant> grants = new ArrayList<>();
    List<Policy> policies = new ArrayList<>();
    Map<String, ResourceKey> namespaces = new HashMap<>();
    for (Resource resource : resources) {
      ResourceKey key = resource.key();
      String group = key.kind().group();
      String kind = key.kind().kubernetesKind();
      if (group.isEmpty() && kind.equals("Namespace")) {
        namespaces.put(key.name(), key);
        continue;
      }
      if (!group.equals(GROUP)) {
        continue;
      }
      JsonNode manifest = resource.manifest();
      JsonNode spec = manifest.path("spec");
      String ns = key.namespace();
      if (kind.equals("GatewayClass")) {
        classes.put(key.name(), key);
        classSelectors.put(key.name(), selector(key, manifest, errors));
      } else if (kind.equals("Gateway")) {
        List<Ref> references = new ArrayList<>();
        for (JsonNode listener : spec.path("listeners")) {
          refs(listener.path("tls").path("certificateRefs"), "", "Secret", ns, references);
          refs(listener.path("tls").path("frontendValidation").path("caCertificateRefs"), "", "ConfigMap", ns,
              references);
        }
        ref(spec.path("tls").path("backend").path("clientCertificateRef"), "", "Secret", ns)
            .ifPresent(references::add);
        gateways.add(new Gateway(key, spec.path("gatewayClassName").asText(""), selector(key, manifest, errors),
            ImmutableList.copyOf(references)));
      } else if (kind.endsWith("Route")) {
        List<Ref> parents = new ArrayList<>();
        refs(spec.path("parentRefs"), GROUP, "Gateway", ns, parents);
        List<Ref> backends = new ArrayList<>();
        for (JsonNode rule : spec.path("rules")) {
          mirrors(rule.path("filters"), ns, backends);
          refs(rule.path("backendRefs"), "", "Service", ns, backends);
          rule.path("backendRefs").forEach(b -> mirrors(b.path("filters"), ns, backends));
        }
        routes.add(new Route(key, ImmutableList.copyOf(parents), ImmutableList.copyOf(backends)));
      } else if (kind.equals("ReferenceGrant")) {
        List<Ref> from = new ArrayList<>();
        spec.path("from").forEach(f -> from.add(new Ref(f.path("group").asText(""), f.path("kind").asText(""),
            f.path("namespace").asText(""), "")));
        List<Ref> to = new ArrayList<>();
        spec.path("to").forEach(t -> to.add(new Ref(t.path("group").asText(""), t.path("kind").asText(""), ns,
            t.path("name").asText(""))));
        grants.add(new Grant(key, ImmutableList.copyOf(from), ImmutableList.copyOf(to)));
      } else if (kind.equals("BackendTLSPolicy")) {
        List<Ref> targets = new ArrayList<>();
        // targetRefs are local: always the policy's namespace.
        spec.path("targetRefs").forEach(t -> ref(t, "", "Service", ns)
            .ifPresent(r -> targets.add(new Ref(r.group(), r.kind(), ns, r.name()))));
        List<Ref> references = new ArrayList<>();
        spec.path("validation").path("caCertificateRefs").forEach(c -> ref(c, "", "ConfigMap", ns)
            .ifPresent(r -> references.add(new Ref(r.group(), r.kind(), ns, r.name()))));
        policies.add(new Policy(key, ImmutableList.copyOf(targets), ImmutableList.copyOf(references)));
      }
    }
    return new GatewayApiPlacement(gateways, classes, classSelectors, routes, grants, policies, namespaces,
        domainSuffix);
  }

  /**
   * Adds what a gateway with {@code labels} gets to {@code keys}, and the FQDNs its routes send to to
   * {@code hosts} (resolved to Services, endpoints and DestinationRules by the shared host rules).
   */
  void place(Map<String, String> labels, Set<ResourceKey> keys, Set<String> hosts) {
    Set<Ref> placed = new HashSet<>();
    Set<String> usedNamespaces = new HashSet<>();
    for (Gateway gateway : gateways) {
      Optional<ImmutableMap<String, String>> selector =
          gateway.selector().or(() -> classSelectors.getOrDefault(gateway.className(), Optional.empty()));
      if (selector.isEmpty() || !selects(selector.get(), labels)) {
        continue;
      }
      ResourceKey key = gateway.key();
      keys.add(key);
      placed.add(new Ref(GROUP, "Gateway", key.namespace(), key.name()));
      usedNamespaces.add(key.namespace());
      Optional.ofNullable(classes.get(gateway.className())).ifPresent(keys::add);
      gateway.references().forEach(r -> follow(key, r, keys, hosts));
    }
    Set<String> routeHosts = new HashSet<>();
    for (Route route : routes) {
      if (route.parents().stream().anyMatch(placed::contains)) {
        keys.add(route.key());
        usedNamespaces.add(route.key().namespace());
        route.backends().forEach(b -> follow(route.key(), b, keys, routeHosts));
      }
    }
    hosts.addAll(routeHosts);
    for (Policy policy : policies) {
      if (policy.targets().stream().anyMatch(t -> routeHosts.contains(serviceHost(t)))) {
        keys.add(policy.key());
        policy.references().forEach(r -> follow(policy.key(), r, keys, hosts));
      }
    }
    usedNamespaces.stream().map(namespaces::get).filter(k -> k != null).forEach(keys::add);
  }

  /** Places what {@code from} references when the sidecar would follow the reference too. */
  private void follow(ResourceKey from, Ref to, Set<ResourceKey> keys, Set<String> hosts) {
    if (!to.namespace().equals(from.namespace())) {
      List<ResourceKey> allowing = grants.stream().filter(g -> allows(g, from, to)).map(Grant::key).toList();
      if (allowing.isEmpty()) {
        return;
      }
      keys.addAll(allowing);
    }
    if (to.group().isEmpty() && to.kind().equals("Service")) {
      hosts.add(serviceHost(to));
    } else if (to.group().equals(ISTIO) && to.kind().equals("Hostname")) {
      hosts.add(to.name());
    } else {
      Kind.fromManifest(to.group(), to.kind()).ifPresent(k -> keys.add(ResourceKey.of(k, to.namespace(), to.name())));
    }
  }

  private String serviceHost(Ref service) {
    return service.name() + "." + service.namespace() + ".svc." + domainSuffix;
  }

  private static boolean allows(Grant grant, ResourceKey from, Ref to) {
    return grant.key().namespace().equals(to.namespace())
        && grant.from().stream().anyMatch(f -> f.group().equals(from.kind().group())
            && f.kind().equals(from.kind().kubernetesKind()) && f.namespace().equals(from.namespace()))
        && grant.to().stream().anyMatch(t -> t.group().equals(to.group()) && t.kind().equals(to.kind())
            && (t.name().isEmpty() || t.name().equals(to.name())));
  }

  private static void mirrors(JsonNode filters, String namespace, List<Ref> into) {
    for (JsonNode filter : filters) {
      ref(filter.path("requestMirror").path("backendRef"), "", "Service", namespace).ifPresent(into::add);
    }
  }

  private static void refs(JsonNode list, String group, String kind, String namespace, List<Ref> into) {
    list.forEach(r -> ref(r, group, kind, namespace).ifPresent(into::add));
  }

  /** A reference with the specification's defaults: its group and kind as given, the referrer's namespace. */
  private static Optional<Ref> ref(JsonNode ref, String group, String kind, String namespace) {
    if (!ref.isObject() || ref.path("name").asText("").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Ref(ref.path("group").asText(group), ref.path("kind").asText(kind),
        ref.path("namespace").asText(namespace), ref.path("name").asText()));
  }

  /** The selector annotation; empty when absent, an error (and no selector) when malformed. */
  private static Optional<ImmutableMap<String, String>> selector(ResourceKey key, JsonNode manifest,
      List<Diagnostic> errors) {
    JsonNode value = manifest.path("metadata").path("annotations").path(SELECTOR_ANNOTATION);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    String field = "metadata.annotations[" + SELECTOR_ANNOTATION + "]";
    Map<String, String> selector = new HashMap<>();
    for (String term : Splitter.on(',').trimResults().omitEmptyStrings().split(value.asText())) {
      int eq = term.indexOf('=');
      if (eq <= 0) {
        errors.add(Diagnostic.error(key, field, "\"" + term
            + "\" is not label=value; expected e.g. role=shop,site=berlin (empty selects every edge gateway)"));
        return Optional.empty();
      }
      selector.put(term.substring(0, eq).trim(), term.substring(eq + 1).trim());
    }
    return Optional.of(ImmutableMap.copyOf(selector));
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
