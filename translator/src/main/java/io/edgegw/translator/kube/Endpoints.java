package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * Ready addresses and ports of a Service, from either a core {@code Endpoints} object or one
 * {@code EndpointSlice}; both reduce to the same shape. {@code serviceName} links it to its Service.
 */
public record Endpoints(ResourceKey key, String serviceName, ImmutableList<Subset> subsets) {

  /** Every address serves every port of its subset. */
  public record Subset(ImmutableList<Address> addresses, ImmutableList<EndpointPort> ports) {}

  /** A ready address and the Pod behind it ({@code targetRef} of kind Pod), whose labels subsets select on. */
  public record Address(String ip, Optional<ResourceKey> pod) {}

  /** {@code name} is empty for the single unnamed port of a Service. */
  public record EndpointPort(String name, int port) {}
}
