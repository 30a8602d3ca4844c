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
    gateways = ImmutableList.sortedCopyOf(ConfigOrder.oldestFirst(Gateway::creationTimestamp, Gateway::key), gateways);
    virtualServices = ImmutableList.sortedCopyOf(
        ConfigOrder.oldestFirst(VirtualService::creationTimestamp, VirtualService::key), virtualServices);
    serviceEntries = ImmutableList.sortedCopyOf(
        ConfigOrder.oldestFirst(ServiceEntry::creationTimestamp, ServiceEntry::key), serviceEntries);
    destinationRules = ImmutableList.sortedCopyOf(
        ConfigOrder.oldestFirst(DestinationRule::creationTimestamp, DestinationRule::key), destinationRules);
  }
}
