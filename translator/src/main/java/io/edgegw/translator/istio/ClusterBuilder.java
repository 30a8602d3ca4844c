package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.ir.Cluster;
import java.util.Optional;

/** The cluster a route references: the service's endpoints (a subset's only), under the DestinationRule policy. */
final class ClusterBuilder {
  private final ServiceRegistry registry;
  private final DestinationPolicies policies;

  ClusterBuilder(ServiceRegistry registry, DestinationPolicies policies) {
    this.registry = registry;
    this.policies = policies;
  }

  /**
   * Unknown services and subsets get an empty EDS cluster: Envoy answers 503 (istiod sends no
   * cluster at all, which also gives 503).
   */
  Cluster cluster(ClusterRef ref) {
    ImmutableMap<String, String> labels = ImmutableMap.of();
    if (!ref.subset().isEmpty()) {
      Optional<DestinationRule.Subset> subset = policies.subset(ref.host(), ref.subset());
      if (subset.isEmpty()) {
        return new Cluster(ref.name(), Cluster.Discovery.EDS, ImmutableList.of());
      }
      labels = subset.get().labels();
    }
    ImmutableMap<String, String> selector = labels;
    Cluster cluster = registry.find(ref.host())
        .map(backend -> backend.cluster(ref.name(), ref.port(), selector))
        .orElseGet(() -> new Cluster(ref.name(), Cluster.Discovery.EDS, ImmutableList.of()));
    return cluster.withPolicy(ClusterPolicies.of(policies.policy(ref.host(), ref.port(), ref.subset())));
  }
}
