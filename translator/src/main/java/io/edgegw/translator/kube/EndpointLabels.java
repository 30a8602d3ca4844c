package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.ResourceKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels of Kubernetes endpoint addresses, from their Pods: by {@code targetRef} when the
 * address names its Pod, else by Pod IP (as istiod finds the Pod of an endpoint).
 */
public final class EndpointLabels {
  private final ImmutableMap<ResourceKey, Pod> byKey;
  private final ImmutableMap<String, Pod> byIp;

  public EndpointLabels(List<Pod> pods) {
    Map<ResourceKey, Pod> keys = new HashMap<>();
    Map<String, Pod> ips = new HashMap<>();
    for (Pod pod : pods) {
      keys.put(pod.key(), pod);
      // Pods come in key order; on an IP clash (a stale Pod) the first keeps it, deterministically.
      pod.ips().forEach(ip -> ips.putIfAbsent(ip, pod));
    }
    this.byKey = ImmutableMap.copyOf(keys);
    this.byIp = ImmutableMap.copyOf(ips);
  }

  public ImmutableSortedMap<String, String> of(Endpoints.Address address) {
    Pod pod = address.pod().map(byKey::get).orElseGet(() -> byIp.get(address.ip()));
    return pod == null ? ImmutableSortedMap.of() : pod.labels();
  }

  /** Whether {@code labels} include every label of {@code selector} (an empty selector selects all). */
  public static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
