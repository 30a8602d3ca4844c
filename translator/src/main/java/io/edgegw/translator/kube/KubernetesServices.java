package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.NodePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes Services with their ready endpoints (EndpointSlices preferred over Endpoints, Pod labels
 * for subsets, the node policy applied), by FQDN {@code <name>.<namespace>.svc.<domainSuffix>}: what
 * every front end routes to when a route names a Service.
 */
public final class KubernetesServices {
  private KubernetesServices() {}

  /**
   * In {@code services}' order. Endpoint addresses the node policy refuses are left out, each with an
   * ERROR on its Endpoints (slices first, then Endpoints).
   */
  public static ImmutableMap<String, Backend> byFqdn(List<Service> services, List<Endpoints> endpoints,
      List<Endpoints> endpointSlices, List<Pod> pods, String domainSuffix, NodePolicy policy,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    EndpointPolicy upstreams = new EndpointPolicy(policy, diagnostics);
    Map<String, List<Endpoints>> slices = group(upstreams.allowed(endpointSlices));
    Map<String, List<Endpoints>> plain = group(upstreams.allowed(endpoints));
    EndpointLabels labels = new EndpointLabels(pods);
    Map<String, Backend> hosts = new LinkedHashMap<>();
    for (Service service : services) {
      String id = service.key().namespace() + "/" + service.key().name();
      // A cluster mirrors Endpoints into EndpointSlices; prefer slices so nothing is counted twice.
      List<Endpoints> found = slices.containsKey(id) ? slices.get(id) : plain.getOrDefault(id, List.of());
      hosts.put(fqdn(service.key().name(), service.key().namespace(), domainSuffix),
          new KubernetesBackend(service, ImmutableList.copyOf(found), labels));
    }
    return ImmutableMap.copyOf(hosts);
  }

  /** The FQDN of Service {@code name} in {@code namespace}. */
  public static String fqdn(String name, String namespace, String domainSuffix) {
    return name + "." + namespace + ".svc." + domainSuffix;
  }

  private static Map<String, List<Endpoints>> group(List<Endpoints> all) {
    Map<String, List<Endpoints>> out = new HashMap<>();
    for (Endpoints e : all) {
      out.computeIfAbsent(e.key().namespace() + "/" + e.serviceName(), k -> new ArrayList<>()).add(e);
    }
    return out;
  }
}
