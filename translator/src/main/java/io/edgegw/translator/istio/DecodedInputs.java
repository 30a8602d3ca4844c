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
    gateways = ImmutableList.sortedCopyOf(Comparator.comparing(Gateway::order, ConfigOrder.OLDEST_FIRST), gateways);
    virtualServices =
        ImmutableList.sortedCopyOf(
            Comparator.comparing(VirtualService::order, ConfigOrder.OLDEST_FIRST), virtualServices);
    serviceEntries =
        ImmutableList.sortedCopyOf(
            Comparator.comparing(ServiceEntry::order, ConfigOrder.OLDEST_FIRST), serviceEntries);
    destinationRules =
        ImmutableList.sortedCopyOf(
            Comparator.comparing(DestinationRule::order, ConfigOrder.OLDEST_FIRST),
            destinationRules);
  }
}
