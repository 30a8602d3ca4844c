package io.edgegw.translator.model;

import com.google.common.collect.ImmutableMap;
import java.util.Objects;
import java.util.Optional;

/**
 * Who this gateway proxy is, as istiod would know it: the workload labels that Gateway selectors are
 * matched against, the cluster domain suffix for FQDNs, the address listeners bind when a server has
 * no {@code bind}, and how Gateway server ports map to the ports Envoy really binds (istiod uses the
 * gateway Service's targetPort for the same purpose), what the node lets config expose, the mesh
 * setting for path normalisation, the namespace the gateway runs in (as istiod knows a gateway pod's
 * namespace), and whether routes go to Envoy per host: {@code routeScopesCluster}, when present, names the
 * Envoy bootstrap cluster that reaches the xDS server, and each port whose hosts allow it gets a route
 * configuration per host chosen by scoped RDS over that cluster (empty: one route configuration per port,
 * as istiod).
 */
public record GatewayIdentity(
    ImmutableMap<String, String> labels,
    String domainSuffix,
    String bindAddress,
    ImmutableMap<Integer, Integer> portMap,
    NodePolicy nodePolicy,
    PathNormalization pathNormalization,
    String namespace,
    Optional<String> routeScopesCluster) {
  /** Where istiod's ingress gateway runs unless told otherwise. */
  public static final String DEFAULT_NAMESPACE = "istio-system";

  public GatewayIdentity {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(portMap, "portMap");
    Objects.requireNonNull(nodePolicy, "nodePolicy");
    Objects.requireNonNull(pathNormalization, "pathNormalization");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(routeScopesCluster, "routeScopesCluster");
  }

  /** With one route configuration per port (no route scopes), as istiod. */
  public GatewayIdentity(ImmutableMap<String, String> labels, String domainSuffix, String bindAddress,
      ImmutableMap<Integer, Integer> portMap, NodePolicy nodePolicy, PathNormalization pathNormalization,
      String namespace) {
    this(labels, domainSuffix, bindAddress, portMap, nodePolicy, pathNormalization, namespace, Optional.empty());
  }

  /**
   * Without a node policy (offline translation and tests, which know no node), with istiod's default
   * path normalisation (BASE), in namespace istio-system.
   */
  public GatewayIdentity(ImmutableMap<String, String> labels, String domainSuffix, String bindAddress,
      ImmutableMap<Integer, Integer> portMap) {
    this(
        labels,
        domainSuffix,
        bindAddress,
        portMap,
        NodePolicy.UNRESTRICTED,
        PathNormalization.BASE,
        DEFAULT_NAMESPACE);
  }

  public static GatewayIdentity of(ImmutableMap<String, String> labels) {
    return new GatewayIdentity(labels, "cluster.local", "0.0.0.0", ImmutableMap.of());
  }

  public GatewayIdentity withPathNormalization(PathNormalization normalization) {
    return new GatewayIdentity(labels, domainSuffix, bindAddress, portMap, nodePolicy, normalization, namespace,
        routeScopesCluster);
  }

  /** In {@code ns}: what exportTo of VirtualServices, ServiceEntries and DestinationRules is checked against. */
  public GatewayIdentity withNamespace(String ns) {
    return new GatewayIdentity(labels, domainSuffix, bindAddress, portMap, nodePolicy, pathNormalization, ns,
        routeScopesCluster);
  }

  /**
   * Delivering routes per host where a port allows it (scoped RDS): {@code xdsCluster} is the Envoy
   * bootstrap cluster that reaches the xDS server, which serves the scopes on a stream of their own.
   */
  public GatewayIdentity withRouteScopes(String xdsCluster) {
    if (xdsCluster.isEmpty()) {
      throw new IllegalArgumentException("the route scopes cluster needs a name");
    }
    return new GatewayIdentity(labels, domainSuffix, bindAddress, portMap, nodePolicy, pathNormalization, namespace,
        Optional.of(xdsCluster));
  }

  /** The port Envoy binds for a Gateway server port. */
  public int listenerPort(int serverPort) {
    return portMap.getOrDefault(serverPort, serverPort);
  }
}
