package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.kube.Backend;
import io.edgegw.translator.kube.EndpointLabels;
import io.edgegw.translator.kube.KubernetesServices;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.NodePolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Routable hosts by FQDN: Kubernetes Services first, then ServiceEntry hosts (oldest entry wins). */
public final class ServiceRegistry {
  private final ImmutableMap<String, Backend> byHost;
  private final String domainSuffix;

  /** Without a node policy (tests). */
  public ServiceRegistry(DecodedInputs inputs, String domainSuffix) {
    this(inputs, domainSuffix, NodePolicy.UNRESTRICTED, ImmutableList.builder());
  }

  /**
   * Endpoints the node policy refuses are left out, each with an ERROR on the resource that names it
   * (a deliberate difference from istiod, see {@link NodePolicy}).
   */
  public ServiceRegistry(
      DecodedInputs inputs,
      String domainSuffix,
      NodePolicy policy,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    this.domainSuffix = domainSuffix;
    UpstreamPolicy upstreams = new UpstreamPolicy(policy, diagnostics);
    Map<String, Backend> hosts = new LinkedHashMap<>(KubernetesServices.byFqdn(inputs.services(), inputs.endpoints(),
        inputs.endpointSlices(), inputs.pods(), domainSuffix, policy, diagnostics));
    for (ServiceEntry entry : inputs.serviceEntries()) {
      ImmutableList<ServiceEntry.WorkloadEndpoint> members = entry.workloadSelector()
          .map(selector -> selected(entry, selector, inputs))
          .orElse(entry.endpoints());
      members = upstreams.allowed(entry, members);
      for (String host : entry.hosts()) {
        if (!upstreams.allowedHost(entry, host)) {
          continue;
        }
        hosts.putIfAbsent(host, new ServiceEntryBackend(entry, host, members));
      }
    }
    this.byHost = ImmutableMap.copyOf(hosts);
  }

  /** istiod: a workloadSelector selects WorkloadEntries and Pods of the ServiceEntry's own namespace. */
  private static ImmutableList<ServiceEntry.WorkloadEndpoint> selected(
      ServiceEntry entry, Map<String, String> selector, DecodedInputs inputs) {
    String namespace = entry.key().namespace();
    ImmutableList.Builder<ServiceEntry.WorkloadEndpoint> out = ImmutableList.builder();
    inputs.workloadEntries().stream()
        .filter(w -> w.key().namespace().equals(namespace) && EndpointLabels.selects(selector, w.endpoint().labels()))
        .forEach(w -> out.add(w.endpoint()));
    inputs.pods().stream()
        .filter(
            p ->
                p.key().namespace().equals(namespace)
                    && !p.ips().isEmpty()
                    && EndpointLabels.selects(selector, p.labels()))
        .forEach(
            p ->
                out.add(
                    new ServiceEntry.WorkloadEndpoint(
                        p.ips().get(0), ImmutableMap.of(), p.labels())));
    return out.build();
  }

  public Optional<Backend> find(String fqdn) {
    return Optional.ofNullable(byHost.get(fqdn));
  }

  /**
   * The FQDN a destination or DestinationRule host names, seen from {@code namespace}, as istiod's
   * ResolveShortnameToFQDN: a name without a dot is a Service of that namespace; anything with a dot
   * (also {@code name.ns}) is taken as it is.
   */
  public String fqdn(String host, String namespace) {
    if (host.contains(":")) {
      return host; // an IPv6 address
    }
    return Hosts.resolveShortName(host, namespace, domainSuffix);
  }
}
