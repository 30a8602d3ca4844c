package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.ClusterName;
import io.edgegw.translator.ir.ClusterPolicy;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.kube.Backend;
import io.edgegw.translator.kube.KubernetesServices;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.ResourceKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rule's Service backendRefs to weighted clusters (for GRPCRoute, TLSRoute, TCPRoute): another
 * namespace needs a ReferenceGrant (RefNotPermitted), weight 0 is left out, a missing
 * Service gets an empty cluster (BackendNotFound). Clusters are added to {@code clusters} by name,
 * as the HTTPRoute ones.
 */
final class BackendClusters {
  /** gRPC is HTTP/2 only: a GRPCRoute's backends are spoken to in HTTP/2 (h2c without TLS). */
  static final ClusterPolicy HTTP2 =
      new ClusterPolicy(
          ClusterPolicy.DEFAULT.lbPolicy(),
          ClusterPolicy.DEFAULT.ringHashMinimumSize(),
          ClusterPolicy.DEFAULT.maglevTableSize(),
          ClusterPolicy.DEFAULT.slowStart(),
          ClusterPolicy.DEFAULT.connectTimeout(),
          ClusterPolicy.DEFAULT.thresholds(),
          Optional.of(
              new ClusterPolicy.HttpOptions(
                  ClusterPolicy.UpstreamProtocol.HTTP2,
                  Optional.empty(),
                  java.util.OptionalInt.empty())),
          ClusterPolicy.DEFAULT.keepalive(),
          ClusterPolicy.DEFAULT.outlier(),
          ClusterPolicy.DEFAULT.tls());

  /** Service port {@code appProtocol} {@value}: HTTP/2 without TLS, as GEP-1911 defines it. */
  static final String H2C = "kubernetes.io/h2c";

  private final Map<String, Backend> services;
  private final GatewayIdentity identity;
  private final ReferenceGrants grants;
  private final Map<String, Cluster> clusters;

  BackendClusters(
      Map<String, Backend> services, GatewayIdentity identity, ReferenceGrants grants, Map<String, Cluster> clusters) {
    this.services = services;
    this.identity = identity;
    this.grants = grants;
    this.clusters = clusters;
  }

  /**
   * An HTTPRoute backend's cluster as its Service port's {@code appProtocol} asks: HTTP/2 for {@value
   * #H2C}; HTTP/1.1 otherwise ({@code kubernetes.io/ws}: WebSocket upgrades pass on HTTP/1.1).
   */
  static Cluster forAppProtocol(Cluster cluster, Optional<String> appProtocol) {
    return appProtocol.filter(H2C::equals).isPresent() ? cluster.withPolicy(HTTP2) : cluster;
  }

  /**
   * @param rulePath e.g. {@code spec.rules[0]}
   * @param failure what a missing Service means for traffic, e.g. "connections are closed"
   * @param policy the policy of the clusters made here
   */
  ImmutableList<RouteAction.WeightedCluster> resolve(
      ResourceKey route,
      String rulePath,
      List<HttpRoute.BackendRef> refs,
      String failure,
      ClusterPolicy policy,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableList.Builder<RouteAction.WeightedCluster> weighted = ImmutableList.builder();
    for (HttpRoute.BackendRef ref : refs) {
      String field = rulePath + ".backendRefs[" + ref.index() + "]";
      Optional<String> refused =
          grants.refused(route.kind(), route.namespace(), "", "Service", ref.namespace(), ref.name());
      if (refused.isPresent()) {
        diagnostics.add(
            Diagnostic.warning(route, field + ".namespace", "this backend is left out: " + refused.get()));
        continue;
      }
      if (ref.weight() == 0) {
        continue;
      }
      String fqdn = KubernetesServices.fqdn(ref.name(), ref.namespace(), identity.domainSuffix());
      String name = ClusterName.outbound(ref.port(), "", fqdn);
      Optional<Backend> backend = Optional.ofNullable(services.get(fqdn));
      if (backend.isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(
                route,
                field,
                "no Service " + ref.namespace() + "/" + ref.name() + "; " + failure + " (BackendNotFound)"));
      } else {
        backend
            .get()
            .problem(ref.port())
            .ifPresent(p -> diagnostics.add(Diagnostic.warning(route, field + ".port", p)));
      }
      Cluster cluster =
          backend
              .map(b -> b.cluster(name, ref.port(), ImmutableMap.of()))
              .orElseGet(() -> new Cluster(name, Cluster.Discovery.EDS, ImmutableList.of()))
              .withPolicy(policy);
      // An HTTP/2 need (gRPC) wins over the default when routes of several kinds share a cluster.
      if (!clusters.containsKey(name) || policy.equals(HTTP2)) {
        clusters.put(name, cluster);
      }
      weighted.add(new RouteAction.WeightedCluster(name, ref.weight()));
    }
    return weighted.build();
  }
}
