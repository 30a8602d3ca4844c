package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/** An Istio DestinationRule: how traffic to one host (and its subsets) is balanced, limited and secured. */
public record DestinationRule(
    ResourceKey key,
    String creationTimestamp,
    String host,
    Optional<TrafficPolicy> trafficPolicy,
    ImmutableList<Subset> subsets,
    ExportTo exportTo) implements ConfigOrder.Ordered {

  /** A named group of endpoints: those whose labels include {@code labels}. */
  public record Subset(String name, ImmutableSortedMap<String, String> labels, Optional<TrafficPolicy> trafficPolicy) {}
}
