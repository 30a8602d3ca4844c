package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.kube.Backend;
import io.edgegw.translator.kube.EndpointLabels;
import java.util.Comparator;
import java.util.Optional;

/**
 * One host of a ServiceEntry; its resolution decides between EDS and DNS clusters. {@code endpoints}
 * are the entry's own, or the WorkloadEntries and Pods its workloadSelector selects.
 */
record ServiceEntryBackend(
    ServiceEntry entry, String host, ImmutableList<ServiceEntry.WorkloadEndpoint> endpoints)
    implements Backend {
  private static final Comparator<Cluster.Endpoint> ENDPOINT_ORDER =
      Comparator.comparing(Cluster.Endpoint::address).thenComparingInt(Cluster.Endpoint::port);

  @Override
  public ImmutableList<Integer> ports() {
    return entry.ports().stream().map(ServiceEntry.Port::number).collect(ImmutableList.toImmutableList());
  }

  @Override
  public Optional<String> problem(int port) {
    if (port(port).isEmpty()) {
      return Optional.of("ServiceEntry " + entry.key().namespace() + "/" + entry.key().name() + " has no port " + port
          + " (ports: " + ports() + "); requests get 503");
    }
    if (entry.resolution() == ServiceEntry.Resolution.NONE) {
      // ORIGINAL_DST would send requests back to the gateway's own address: useless at the edge.
      return Optional.of("ServiceEntry " + entry.key().namespace() + "/" + entry.key().name()
          + " has resolution NONE, which a gateway cannot route to; use STATIC or DNS. Requests get 503");
    }
    return Optional.empty();
  }

  @Override
  public Cluster cluster(String clusterName, int port, ImmutableMap<String, String> subsetLabels) {
    Optional<ServiceEntry.Port> sePort = port(port);
    if (sePort.isEmpty() || entry.resolution() == ServiceEntry.Resolution.NONE) {
      return new Cluster(clusterName, Cluster.Discovery.EDS, ImmutableList.of());
    }
    ServiceEntry.Port p = sePort.get();
    int defaultTarget = p.targetPort().orElse(p.number());
    ImmutableList<Cluster.Endpoint> members;
    if (entry.endpoints().isEmpty() && entry.workloadSelector().isEmpty()) {
      // (entry.endpoints(), not endpoints: the node policy may have removed every one of those)
      // DNS without endpoints: Envoy resolves the host itself. Such an endpoint has no labels, so
      // (as in istiod) a subset with labels selects nothing.
      members =
          subsetLabels.isEmpty()
              ? ImmutableList.of(new Cluster.Endpoint(host, defaultTarget))
              : ImmutableList.of();
    } else {
      ImmutableSortedSet.Builder<Cluster.Endpoint> out = ImmutableSortedSet.orderedBy(ENDPOINT_ORDER);
      endpoints.stream()
          .filter(e -> EndpointLabels.selects(subsetLabels, e.labels()))
          .forEach(e -> out.add(new Cluster.Endpoint(e.address(), e.ports().getOrDefault(p.name(), defaultTarget))));
      members = out.build().asList();
    }
    Cluster.Discovery discovery = switch (entry.resolution()) {
      case DNS -> Cluster.Discovery.STRICT_DNS;
      case DNS_ROUND_ROBIN -> Cluster.Discovery.LOGICAL_DNS;
      default -> Cluster.Discovery.EDS;
    };
    return new Cluster(clusterName, discovery, members);
  }

  private Optional<ServiceEntry.Port> port(int number) {
    return entry.ports().stream().filter(p -> p.number() == number).findFirst();
  }
}
