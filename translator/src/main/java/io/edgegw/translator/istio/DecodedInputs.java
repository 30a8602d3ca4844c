package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.kube.Endpoints;
import io.edgegw.translator.kube.Pod;
import io.edgegw.translator.kube.Secret;
import io.edgegw.translator.kube.Service;
import io.edgegw.translator.model.ResourceKey;
import java.util.Comparator;

/**
 * The inputs that passed validation, decoded; Istio objects in istiod's conflict order (oldest
 * first), Kubernetes objects in key order. {@code rejected} names the inputs left out.
 */
public record DecodedInputs(
    ImmutableList<Gateway> gateways,
    ImmutableList<VirtualService> virtualServices,
    ImmutableList<ServiceEntry> serviceEntries,
    ImmutableList<DestinationRule> destinationRules,
    ImmutableList<WorkloadEntry> workloadEntries,
    ImmutableList<Service> services,
    ImmutableList<Endpoints> endpoints,
    ImmutableList<Endpoints> endpointSlices,
    ImmutableList<Pod> pods,
    ImmutableList<Secret> secrets,
    ImmutableSet<ResourceKey> rejected) {

  public DecodedInputs {
    // A comparator per type, each calling the accessors directly: these compare 10,000 items on every
    // translation, which come in order already (then the list itself is kept, not copied).
    gateways = inConflictOrder(gateways,
        (a, b) -> ConfigOrder.compare(a.creationTimestamp(), a.key(), b.creationTimestamp(), b.key()));
    virtualServices = inConflictOrder(virtualServices,
        (a, b) -> ConfigOrder.compare(a.creationTimestamp(), a.key(), b.creationTimestamp(), b.key()));
    serviceEntries = inConflictOrder(serviceEntries,
        (a, b) -> ConfigOrder.compare(a.creationTimestamp(), a.key(), b.creationTimestamp(), b.key()));
    destinationRules = inConflictOrder(destinationRules,
        (a, b) -> ConfigOrder.compare(a.creationTimestamp(), a.key(), b.creationTimestamp(), b.key()));
  }

  private static <T> ImmutableList<T> inConflictOrder(ImmutableList<T> items, Comparator<T> order) {
    for (int i = 1; i < items.size(); i++) {
      if (order.compare(items.get(i - 1), items.get(i)) > 0) {
        return ImmutableList.sortedCopyOf(order, items);
      }
    }
    return items;
  }
}
