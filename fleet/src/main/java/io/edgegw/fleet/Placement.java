package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.istio.DecodedInputs;
import io.edgegw.translator.istio.DestinationRule;
import io.edgegw.translator.istio.DestinationRuleDecoder;
import io.edgegw.translator.istio.Gateway;
import io.edgegw.translator.istio.GatewayDecoder;
import io.edgegw.translator.istio.Hosts;
import io.edgegw.translator.istio.InputDecoder;
import io.edgegw.translator.istio.ServiceEntry;
import io.edgegw.translator.istio.ServiceEntryDecoder;
import io.edgegw.translator.istio.ServiceRegistry;
import io.edgegw.translator.istio.TrafficPolicy;
import io.edgegw.translator.istio.VirtualService;
import io.edgegw.translator.istio.VirtualServiceDecoder;
import io.edgegw.translator.istio.WorkloadEntry;
import io.edgegw.translator.istio.WorkloadEntryDecoder;
import io.edgegw.translator.kube.Endpoints;
import io.edgegw.translator.kube.KubernetesDecoder;
import io.edgegw.translator.kube.Pod;
import io.edgegw.translator.kube.Secret;
import io.edgegw.translator.kube.SecretDecoder;
import io.edgegw.translator.kube.Service;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which source resources each edge gateway needs, decided from the gateway's labels alone. Pure: the
 * same sources and labels always give the same placement.
 *
 * <p>Rules (docs/fleet.md): an Istio Gateway goes where its selector matches the gateway's labels;
 * a VirtualService where one of its {@code gateways} (istiod's {@code name}, {@code ./name},
 * {@code ns/name}) is placed, mesh-only ones nowhere, delegates with their root; then what the
 * routes' destinations resolve to through the translator's own {@link ServiceRegistry} (Service
 * with its Endpoints, EndpointSlices and the Pods they name; ServiceEntries with the WorkloadEntries
 * and Pods they select; DestinationRules for the host); Secrets only when a placed Gateway server or
 * DestinationRule names them by {@code credentialName} (with its {@code -cacert} companion).
 * Gateway API kinds follow {@link GatewayApiPlacement}'s rule and share the host rules.
 */
public final class Placement {
  private static final String CA_SUFFIX = "-cacert";

  private final InputDecoder decoder = new InputDecoder(
      new GatewayDecoder(), new VirtualServiceDecoder(), new ServiceEntryDecoder(), new DestinationRuleDecoder(),
      new WorkloadEntryDecoder(), new KubernetesDecoder(), new SecretDecoder(),
      new io.edgegw.translator.gatewayapi.GatewayApiDecoder());
  private final String domainSuffix;

  public Placement(String domainSuffix) {
    this.domainSuffix = domainSuffix;
  }

  /** The sources, decoded once, ready to be placed on any number of gateways. */
  public Sources decode(Collection<Resource> resources) {
    ImmutableList.Builder<Diagnostic> errors = ImmutableList.builder();
    Map<ResourceKey, Object> decoded = new HashMap<>();
    for (Resource resource : resources) {
      InputDecoder.Decoded result = decoder.decode(resource);
      if (result.rejected()) {
        result.diagnostics().stream().filter(Diagnostic::isError).forEach(errors::add);
      } else {
        result.value().ifPresent(v -> decoded.put(resource.key(), v));
      }
    }
    ImmutableSortedMap<ResourceKey, Resource> byKey = resources.stream()
        .collect(ImmutableSortedMap.toImmutableSortedMap(Comparable::compareTo, Resource::key, r -> r, (a, b) -> b));
    List<Diagnostic> placementErrors = new ArrayList<>();
    GatewayApiPlacement gatewayApi = GatewayApiPlacement.of(byKey.values(), domainSuffix, placementErrors);
    errors.addAll(placementErrors);
    return new Sources(byKey, inputs(decoded), gatewayApi, errors.build(), domainSuffix);
  }

  private static DecodedInputs inputs(Map<ResourceKey, Object> decoded) {
    return new DecodedInputs(
        values(decoded, Gateway.class),
        values(decoded, VirtualService.class),
        values(decoded, ServiceEntry.class),
        values(decoded, DestinationRule.class),
        values(decoded, WorkloadEntry.class),
        values(decoded, Service.class),
        decoded.entrySet().stream()
            .filter(e -> e.getKey().kind() == Kind.ENDPOINTS)
            .map(e -> (Endpoints) e.getValue())
            .collect(ImmutableList.toImmutableList()),
        decoded.entrySet().stream()
            .filter(e -> e.getKey().kind() == Kind.ENDPOINT_SLICE)
            .map(e -> (Endpoints) e.getValue())
            .collect(ImmutableList.toImmutableList()),
        values(decoded, Pod.class),
        values(decoded, Secret.class),
        ImmutableSet.of());
  }

  private static <T> ImmutableList<T> values(Map<ResourceKey, Object> decoded, Class<T> type) {
    return decoded.values().stream().filter(type::isInstance).map(type::cast).collect(ImmutableList.toImmutableList());
  }

  /**
   * Decoded sources. {@code errors} are the validation errors of resources the sidecar would reject;
   * the sync publishes nothing while there are any (a broken source must not take routes away).
   */
  public static final class Sources {
    private final ImmutableSortedMap<ResourceKey, Resource> resources;
    private final DecodedInputs inputs;
    private final GatewayApiPlacement gatewayApi;
    private final ImmutableList<Diagnostic> errors;
    private final ServiceRegistry registry;
    private final String domainSuffix;

    Sources(ImmutableSortedMap<ResourceKey, Resource> resources, DecodedInputs inputs, GatewayApiPlacement gatewayApi,
        ImmutableList<Diagnostic> errors, String domainSuffix) {
      this.resources = resources;
      this.inputs = inputs;
      this.gatewayApi = gatewayApi;
      this.errors = errors;
      this.domainSuffix = domainSuffix;
      this.registry = new ServiceRegistry(inputs, domainSuffix);
    }

    public ImmutableList<Diagnostic> errors() {
      return errors;
    }

    public ImmutableSortedMap<ResourceKey, Resource> resources() {
      return resources;
    }

    /** Exactly the resources a gateway with {@code labels} needs, by key. */
    public ImmutableSortedMap<ResourceKey, Resource> placeOn(Map<String, String> labels) {
      Set<ResourceKey> keys = new TreeSet<>();
      Set<String> placedGateways = new HashSet<>();
      for (Gateway gateway : inputs.gateways()) {
        if (gateway.selects(labels)) {
          keys.add(gateway.key());
          placedGateways.add(gateway.qualifiedName());
          for (Gateway.Server server : gateway.servers()) {
            server.tls().map(Gateway.ServerTls::credentialName).filter(n -> !n.isEmpty())
                .ifPresent(name -> addSecret(keys, gateway.key().namespace(), name));
          }
        }
      }
      Map<ResourceKey, VirtualService> virtualServices = new HashMap<>();
      inputs.virtualServices().forEach(vs -> virtualServices.put(vs.key(), vs));
      Deque<VirtualService> bound = new ArrayDeque<>();
      for (VirtualService vs : inputs.virtualServices()) {
        if (!vs.isDelegate() && vs.gateways().stream().map(vs::qualify).anyMatch(placedGateways::contains)) {
          bound.add(vs);
        }
      }
      Set<String> hosts = new HashSet<>();
      while (!bound.isEmpty()) {
        VirtualService vs = bound.poll();
        if (!keys.add(vs.key())) {
          continue;
        }
        for (VirtualService.HttpRoute rule : vs.http()) {
          rule.route().forEach(d -> hosts.add(registry.fqdn(d.destination().host(), vs.key().namespace())));
          rule.mirrors().forEach(m -> hosts.add(registry.fqdn(m.destination().host(), vs.key().namespace())));
          rule.delegate().ifPresent(d -> {
            String namespace = d.namespace().isEmpty() ? vs.key().namespace() : d.namespace();
            Optional.ofNullable(virtualServices.get(ResourceKey.of(Kind.VIRTUAL_SERVICE, namespace, d.name())))
                .ifPresent(bound::add);
          });
        }
        for (List<VirtualService.L4Route> rules : List.of(vs.tls(), vs.tcp())) {
          rules.forEach(
              rule ->
                  rule.route()
                      .forEach(
                          d ->
                              hosts.add(
                                  registry.fqdn(d.destination().host(), vs.key().namespace()))));
        }
      }
      gatewayApi.place(labels, keys, hosts);
      hosts.forEach(host -> addHost(keys, host));
      ImmutableSortedMap.Builder<ResourceKey, Resource> out = ImmutableSortedMap.naturalOrder();
      keys.stream().filter(resources::containsKey).forEach(k -> out.put(k, resources.get(k)));
      return out.build();
    }

    /** What serves {@code fqdn}: a Service and its endpoints, ServiceEntries and their workloads, DestinationRules. */
    private void addHost(Set<ResourceKey> keys, String fqdn) {
      for (Service service : inputs.services()) {
        if (fqdn.equals(service.key().name() + "." + service.key().namespace() + ".svc." + domainSuffix)) {
          keys.add(service.key());
          for (List<Endpoints> all : List.of(inputs.endpoints(), inputs.endpointSlices())) {
            for (Endpoints endpoints : all) {
              if (endpoints.key().namespace().equals(service.key().namespace())
                  && endpoints.serviceName().equals(service.key().name())) {
                keys.add(endpoints.key());
                endpoints.subsets().forEach(s -> s.addresses().forEach(a -> a.pod().ifPresent(keys::add)));
              }
            }
          }
        }
      }
      for (ServiceEntry entry : inputs.serviceEntries()) {
        if (entry.hosts().contains(fqdn)) {
          keys.add(entry.key());
          entry.workloadSelector().ifPresent(selector -> {
            String namespace = entry.key().namespace();
            inputs.workloadEntries().stream()
                .filter(w -> w.key().namespace().equals(namespace) && selects(selector, w.endpoint().labels()))
                .forEach(w -> keys.add(w.key()));
            inputs.pods().stream()
                .filter(p -> p.key().namespace().equals(namespace) && selects(selector, p.labels()))
                .forEach(p -> keys.add(p.key()));
          });
        }
      }
      for (DestinationRule rule : inputs.destinationRules()) {
        String host = registry.fqdn(rule.host(), rule.key().namespace());
        if (host.equals(fqdn) || (Hosts.isWildcard(host) && Hosts.subsetOf(fqdn, host))) {
          keys.add(rule.key());
          rule.trafficPolicy().ifPresent(p -> addClientSecrets(keys, rule.key().namespace(), p));
          rule.subsets()
              .forEach(
                  s ->
                      s.trafficPolicy()
                          .ifPresent(p -> addClientSecrets(keys, rule.key().namespace(), p)));
        }
      }
    }

    private void addClientSecrets(Set<ResourceKey> keys, String namespace, TrafficPolicy policy) {
      policy.tls().flatMap(TrafficPolicy.ClientTls::credentialName).ifPresent(name -> addSecret(keys, namespace, name));
      policy.portLevelSettings().values().forEach(p -> addClientSecrets(keys, namespace, p));
    }

    /** The Secret and its CA companion; the sidecar looks both up in the referring resource's namespace. */
    private static void addSecret(Set<ResourceKey> keys, String namespace, String name) {
      keys.add(ResourceKey.of(Kind.SECRET, namespace, name));
      keys.add(ResourceKey.of(Kind.SECRET, namespace, name + CA_SUFFIX));
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
      return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
  }

  /** Convenience for tests and one-off use: every gateway's resources, by gateway id. */
  public ImmutableMap<String, ImmutableSortedMap<ResourceKey, Resource>> place(
      Collection<Resource> resources, Map<String, ? extends Map<String, String>> gateways) {
    Sources sources = decode(resources);
    ImmutableMap.Builder<String, ImmutableSortedMap<ResourceKey, Resource>> out = ImmutableMap.builder();
    gateways.forEach((id, labels) -> out.put(id, sources.placeOn(labels)));
    return out.buildOrThrow();
  }
}
