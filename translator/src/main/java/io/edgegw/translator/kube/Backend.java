package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.ir.Cluster;
import java.util.Optional;

/** A routable service known to the gateway: a Kubernetes Service or a ServiceEntry host. */
public interface Backend {
  /** The service ports, in declaration order. */
  ImmutableList<Integer> ports();

  /** Why a route to {@code port} cannot get endpoints, or empty when it can. */
  Optional<String> problem(int port);

  /**
   * The cluster for {@code port}, named {@code clusterName}, with the endpoints whose labels include
   * {@code subsetLabels} (all endpoints when empty).
   */
  Cluster cluster(String clusterName, int port, ImmutableMap<String, String> subsetLabels);

  /** The {@code appProtocol} of {@code port}, e.g. {@code kubernetes.io/h2c}; empty when not given. */
  default Optional<String> appProtocol(int port) {
    return Optional.empty();
  }
}
