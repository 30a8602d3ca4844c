package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;
import java.util.OptionalInt;

/** An Istio ServiceEntry: hosts outside Kubernetes Services, with their ports and endpoints. */
public record ServiceEntry(
    ResourceKey key,
    String creationTimestamp,
    ImmutableList<String> hosts,
    ImmutableList<Port> ports,
    Resolution resolution,
    ImmutableList<WorkloadEndpoint> endpoints,
    Optional<ImmutableSortedMap<String, String>> workloadSelector,
    ExportTo exportTo) implements ConfigOrder.Ordered {

  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN
  }

  public record Port(int number, String name, OptionalInt targetPort) {}

  /**
   * An endpoint of {@code endpoints}, or a selected WorkloadEntry or Pod. {@code ports} maps a
   * ServiceEntry port name to the port this endpoint listens on; {@code labels} are what subsets select.
   */
  public record WorkloadEndpoint(
      String address,
      ImmutableMap<String, Integer> ports,
      ImmutableSortedMap<String, String> labels) {}
}
