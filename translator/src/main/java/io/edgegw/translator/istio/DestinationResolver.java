package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.HashPolicy;
import io.edgegw.translator.istio.VirtualService.HttpRoute;
import io.edgegw.translator.istio.VirtualService.HttpRouteDestination;
import io.edgegw.translator.kube.Backend;
import io.edgegw.translator.model.Diagnostic;
import java.util.Optional;

/** Turns a route destination into the cluster it names, reporting what will not work. */
public final class DestinationResolver {
  private final ServiceRegistry registry;
  private final DestinationPolicies policies;

  public DestinationResolver(ServiceRegistry registry, DestinationPolicies policies) {
    this.registry = registry;
    this.policies = policies;
  }

  /** The route hash policy when the cluster balances by consistent hash. */
  public Optional<HashPolicy> hashPolicy(ClusterRef cluster) {
    return ClusterPolicies.hashPolicy(policies.policy(cluster.host(), cluster.port(), cluster.subset()));
  }

  /**
   * The cluster a destination of a rule served on {@code serverPort} names, as istiod's
   * GetDestinationCluster: the destination's port, else the service's only port, else the server's
   * port. An unknown service or port still gets its cluster, without endpoints, so Envoy answers 503
   * rather than the request matching a later route.
   */
  public ClusterRef resolve(
      VirtualService vs,
      HttpRoute rule,
      HttpRouteDestination route,
      int serverPort,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    return resolve(vs, rule.field(), route, serverPort, diagnostics);
  }

  /** The same for a destination of any rule ({@code spec.tcp[0]}, {@code spec.tls[1]}), named by {@code ruleField}. */
  public ClusterRef resolve(VirtualService vs, String ruleField, HttpRouteDestination route, int serverPort,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    return resolve(
        vs,
        ruleField + ".route[" + route.index() + "].destination",
        route.destination(),
        serverPort,
        diagnostics);
  }

  /** The same for any destination (e.g. a mirror); {@code field} is its path, for diagnostics. */
  public ClusterRef resolve(VirtualService vs, String field, VirtualService.Destination destination, int serverPort,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    String fqdn = registry.fqdn(destination.host(), vs.key().namespace());
    Optional<Backend> backend = registry.find(fqdn);
    int port;
    if (destination.port().isPresent()) {
      port = destination.port().getAsInt();
    } else if (backend.isPresent() && backend.get().ports().size() == 1) {
      port = backend.get().ports().get(0);
    } else {
      port = serverPort;
      if (backend.isPresent() && !backend.get().ports().contains(port)) {
        diagnostics.add(Diagnostic.warning(vs.key(), field + ".port", "service " + fqdn + " has several ports "
            + backend.get().ports() + " and none is given: the server port " + port + " is used, as istiod does, "
            + "which the service does not have; requests get 503"));
      }
    }
    if (backend.isEmpty()) {
      diagnostics.add(Diagnostic.warning(vs.key(), field + ".host",
          "service " + fqdn + " not found (no Service or ServiceEntry); requests get 503"));
    } else if (backend.get().ports().contains(port) || destination.port().isPresent()) {
      backend.get().problem(port).ifPresent(p -> diagnostics.add(Diagnostic.warning(vs.key(), field + ".port", p)));
    }
    if (!destination.subset().isEmpty() && policies.subset(fqdn, destination.subset()).isEmpty()) {
      diagnostics.add(Diagnostic.warning(vs.key(), field + ".subset",
          "no DestinationRule for " + fqdn + " defines subset " + destination.subset() + "; requests get 503"));
    }
    return new ClusterRef(fqdn, port, destination.subset());
  }

}
