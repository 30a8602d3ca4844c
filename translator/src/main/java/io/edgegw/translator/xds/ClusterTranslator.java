package io.edgegw.translator.xds;

import com.google.protobuf.util.Durations;
import io.edgegw.translator.ir.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.EdsClusterConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.Optional;

/** IR clusters to Envoy Clusters, plus the ClusterLoadAssignment of each EDS cluster. */
public final class ClusterTranslator {
  /** istiod's defaults (section 6). */
  private static final com.google.protobuf.Duration CONNECT_TIMEOUT = Durations.fromSeconds(10);

  public io.envoyproxy.envoy.config.cluster.v3.Cluster cluster(Cluster cluster) {
    var out = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
        .setName(cluster.name())
        .setConnectTimeout(CONNECT_TIMEOUT)
        .setLbPolicy(LbPolicy.LEAST_REQUEST);
    switch (cluster.discovery()) {
      case EDS -> out.setType(DiscoveryType.EDS)
          .setEdsClusterConfig(EdsClusterConfig.newBuilder().setEdsConfig(EnvoyTypes.ads()).setServiceName(cluster.name()));
      case STRICT_DNS, LOGICAL_DNS -> out
          .setType(cluster.discovery() == Cluster.Discovery.STRICT_DNS ? DiscoveryType.STRICT_DNS : DiscoveryType.LOGICAL_DNS)
          // Prefer IPv4 like an IPv4 istio proxy, but still reach IPv6-only names.
          .setDnsLookupFamily(io.envoyproxy.envoy.config.cluster.v3.Cluster.DnsLookupFamily.V4_PREFERRED)
          .setLoadAssignment(loadAssignment(cluster));
    }
    return out.build();
  }

  /** The EDS resource for an EDS cluster (possibly without endpoints: Envoy then answers 503). */
  public Optional<ClusterLoadAssignment> endpoints(Cluster cluster) {
    return cluster.discovery() == Cluster.Discovery.EDS ? Optional.of(loadAssignment(cluster)) : Optional.empty();
  }

  private static ClusterLoadAssignment loadAssignment(Cluster cluster) {
    ClusterLoadAssignment.Builder out = ClusterLoadAssignment.newBuilder().setClusterName(cluster.name());
    if (!cluster.endpoints().isEmpty()) {
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
      for (Cluster.Endpoint e : cluster.endpoints()) {
        locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
            Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(e.address()).setPortValue(e.port())))));
      }
      out.addEndpoints(locality);
    }
    return out.build();
  }
}
