package io.edgegw.translator.istio;

import io.edgegw.translator.model.ResourceKey;

/** An Istio WorkloadEntry: one non-Kubernetes workload that ServiceEntries select by its labels. */
public record WorkloadEntry(ResourceKey key, ServiceEntry.WorkloadEndpoint endpoint) {}
