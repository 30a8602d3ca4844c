package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.kube.Endpoints;
import io.edgegw.translator.kube.Pod;
import io.edgegw.translator.kube.Secret;
import io.edgegw.translator.kube.Service;
import io.edgegw.translator.model.ResourceKey;

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
    // These are 10,000 items on every translation, which come in order already: then the list is kept.
    gateways = inConflictOrder(gateways);
    virtualServices = inConflictOrder(virtualServices);
    serviceEntries = inConflictOrder(serviceEntries);
    destinationRules = inConflictOrder(destinationRules);
  }

  private static <T extends ConfigOrder.Ordered> ImmutableList<T> inConflictOrder(ImmutableList<T> items) {
    for (int i = 1; i < items.size(); i++) {
      if (ConfigOrder.OLDEST_FIRST.compare(items.get(i - 1), items.get(i)) > 0) {
        return ImmutableList.sortedCopyOf(ConfigOrder.OLDEST_FIRST, items);
      }
    }
    return items;
  }
}
