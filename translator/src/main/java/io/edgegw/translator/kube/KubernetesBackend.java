package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import io.edgegw.translator.ir.Cluster;
import java.util.Comparator;
import java.util.Optional;

/** A Kubernetes Service with its ready endpoints; served by EDS. */
public record KubernetesBackend(
    Service service, ImmutableList<Endpoints> endpoints, EndpointLabels labels) implements Backend {
  private static final Comparator<Cluster.Endpoint> ENDPOINT_ORDER =
      Comparator.comparing(Cluster.Endpoint::address).thenComparingInt(Cluster.Endpoint::port);

  @Override
  public ImmutableList<Integer> ports() {
    return service.ports().stream()
        .map(Service.ServicePort::port)
        .collect(ImmutableList.toImmutableList());
  }

  @Override
  public Optional<String> problem(int port) {
    if (servicePort(port).isEmpty()) {
      return Optional.of(
          "service "
              + service.key().namespace()
              + "/"
              + service.key().name()
              + " has no port "
              + port
              + " (ports: "
              + ports()
              + "); requests get 503");
    }
    return Optional.empty();
  }

  @Override
  public Cluster cluster(String clusterName, int port, ImmutableMap<String, String> subsetLabels) {
    ImmutableSortedSet.Builder<Cluster.Endpoint> out = ImmutableSortedSet.orderedBy(ENDPOINT_ORDER);
    servicePort(port)
        .ifPresent(
            sp -> {
              for (Endpoints e : endpoints) {
                for (Endpoints.Subset subset : e.subsets()) {
                  int target = targetPort(sp, subset);
                  subset.addresses().stream()
                      .filter(a -> EndpointLabels.selects(subsetLabels, labels.of(a)))
                      .forEach(a -> out.add(new Cluster.Endpoint(a.ip(), target)));
                }
              }
            });
    return new Cluster(clusterName, Cluster.Discovery.EDS, out.build().asList());
  }

  @Override
  public Optional<String> appProtocol(int port) {
    return servicePort(port).flatMap(Service.ServicePort::appProtocol);
  }

  private Optional<Service.ServicePort> servicePort(int port) {
    return service.ports().stream().filter(p -> p.port() == port).findFirst();
  }

  /**
   * Kubernetes names each endpoint port after its service port, which also resolves named
   * targetPorts; when no name matches, fall back to a numeric targetPort, else the service port.
   */
  private static int targetPort(Service.ServicePort servicePort, Endpoints.Subset subset) {
    return subset.ports().stream()
        .filter(p -> p.name().equals(servicePort.name()))
        .map(Endpoints.EndpointPort::port)
        .findFirst()
        .orElse(servicePort.targetPortNumber().orElse(servicePort.port()));
  }
}
