package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;
import java.util.OptionalInt;

/** A Kubernetes Service: the ports the gateway routes to; endpoints come from Endpoints or EndpointSlices. */
public record Service(ResourceKey key, ImmutableList<ServicePort> ports) {

  /**
   * One {@code spec.ports[]} entry. {@code targetPort} is Kubernetes int-or-string: a number, or
   * the name of a container port (resolved through the endpoints' port names). {@code appProtocol}
   * is the port's application protocol, e.g. {@code kubernetes.io/h2c}.
   */
  public record ServicePort(
      String name,
      int port,
      OptionalInt targetPortNumber,
      Optional<String> targetPortName,
      Optional<String> appProtocol) {}
}
