package io.edgegw.translator.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The resource kinds the gateway understands: the one place that names each with its API group, its
 * resource name as kubectl spells it, its MQTT topic level / state directory segment and the name
 * diagnostics print. Two kinds may share a Kubernetes kind ({@code Gateway} of Istio and of the Gateway
 * API); every name below tells them apart.
 *
 * <p>Kinds that existed before groups were part of the names ({@link Naming#LEGACY}: Istio's and the
 * Kubernetes core kinds read so far) keep their lower-case singular topic level ({@code gateway},
 * {@code virtualservice}, {@code service}) and their plain name in diagnostics, so existing topics,
 * state directories and tooling keep working. Every later kind ({@link Naming#QUALIFIED}) uses its
 * kubectl resource name as topic level ({@code gateways.gateway.networking.k8s.io}) and prints as
 * {@code Gateway.gateway.networking.k8s.io}.
 */
public enum Kind {
  GATEWAY("networking.istio.io", "Gateway", "gateways", Naming.LEGACY),
  VIRTUAL_SERVICE("networking.istio.io", "VirtualService", "virtualservices", Naming.LEGACY),
  DESTINATION_RULE("networking.istio.io", "DestinationRule", "destinationrules", Naming.LEGACY),
  SERVICE_ENTRY("networking.istio.io", "ServiceEntry", "serviceentries", Naming.LEGACY),
  WORKLOAD_ENTRY("networking.istio.io", "WorkloadEntry", "workloadentries", Naming.LEGACY),
  SERVICE("", "Service", "services", Naming.LEGACY),
  ENDPOINTS("", "Endpoints", "endpoints", Naming.LEGACY),
  ENDPOINT_SLICE("discovery.k8s.io", "EndpointSlice", "endpointslices", Naming.LEGACY),
  POD("", "Pod", "pods", Naming.LEGACY),
  SECRET("", "Secret", "secrets", Naming.LEGACY),
  // Gateway API (gateway.networking.k8s.io). Appended: the enum order is the order of diagnostics.
  GATEWAY_CLASS(GatewayApi.GROUP, "GatewayClass", "gatewayclasses", Naming.QUALIFIED),
  K8S_GATEWAY(GatewayApi.GROUP, "Gateway", "gateways", Naming.QUALIFIED),
  HTTP_ROUTE(GatewayApi.GROUP, "HTTPRoute", "httproutes", Naming.QUALIFIED),
  GRPC_ROUTE(GatewayApi.GROUP, "GRPCRoute", "grpcroutes", Naming.QUALIFIED),
  TLS_ROUTE(GatewayApi.GROUP, "TLSRoute", "tlsroutes", Naming.QUALIFIED),
  TCP_ROUTE(GatewayApi.GROUP, "TCPRoute", "tcproutes", Naming.QUALIFIED),
  REFERENCE_GRANT(GatewayApi.GROUP, "ReferenceGrant", "referencegrants", Naming.QUALIFIED),
  // Core, but read only since the Gateway API (allowedRoutes selects namespaces by their labels).
  NAMESPACE("", "Namespace", "namespaces", Naming.QUALIFIED),
  BACKEND_TLS_POLICY(GatewayApi.GROUP, "BackendTLSPolicy", "backendtlspolicies", Naming.QUALIFIED),
  // Core, read for BackendTLSPolicy's caCertificateRefs; named as the other core kinds (topic configmap).
  CONFIG_MAP("", "ConfigMap", "configmaps", Naming.LEGACY),
  // Gateway API v1.6 (standard channel, gateway.networking.k8s.io/v1): listeners added to a Gateway.
  LISTENER_SET(GatewayApi.GROUP, "ListenerSet", "listenersets", Naming.QUALIFIED);

  /** How a kind is named in topics, paths and diagnostics (see the class comment). */
  public enum Naming { LEGACY, QUALIFIED }

  /** Constants of the Gateway API. */
  public static final class GatewayApi {
    public static final String GROUP = "gateway.networking.k8s.io";

    private GatewayApi() {}
  }

  private final String group;
  private final String kubernetesKind;
  private final String resourceName;
  private final String topicName;
  private final String displayName;

  Kind(String group, String kubernetesKind, String plural, Naming naming) {
    this.group = group;
    this.kubernetesKind = kubernetesKind;
    this.resourceName = group.isEmpty() ? plural : plural + "." + group;
    this.topicName = naming == Naming.LEGACY ? kubernetesKind.toLowerCase(Locale.ROOT) : resourceName;
    this.displayName =
        naming == Naming.LEGACY || group.isEmpty() ? kubernetesKind : kubernetesKind + "." + group;
  }

  /** API group, empty for the Kubernetes core group. */
  public String group() {
    return group;
  }

  /** The `kind` field of a manifest, e.g. {@code VirtualService}; not unique across groups. */
  public String kubernetesKind() {
    return kubernetesKind;
  }

  /**
   * The resource name as kubectl spells it, {@code <plural>.<group>} or the plain plural for the core
   * group: {@code virtualservices.networking.istio.io}, {@code gateways.gateway.networking.k8s.io},
   * {@code services}. Unique.
   */
  public String resourceName() {
    return resourceName;
  }

  /**
   * The segment used in MQTT topics and state directory paths: {@code virtualservice},
   * {@code gateway} (Istio), {@code gateways.gateway.networking.k8s.io}. Unique.
   */
  public String topicName() {
    return topicName;
  }

  /**
   * The kind as diagnostics, logs and the admin API print it: {@code VirtualService}, {@code Gateway}
   * (Istio), {@code Gateway.gateway.networking.k8s.io}. Unique.
   */
  public String displayName() {
    return displayName;
  }

  /**
   * Cluster-scoped in Kubernetes (no namespace): stored, published and keyed under namespace
   * {@code default}, whatever the manifest says.
   */
  public boolean clusterScoped() {
    return this == GATEWAY_CLASS || this == NAMESPACE;
  }

  /** The API version written into a manifest that arrives without one (KubeEdge informer objects). */
  public String defaultApiVersion() {
    return group.isEmpty() ? "v1" : group + "/v1";
  }

  public static Optional<Kind> fromTopicName(String name) {
    return Arrays.stream(values()).filter(k -> k.topicName.equals(name)).findFirst();
  }

  /**
   * The kind a user means by {@code name}: its topic level, resource name or display name (case
   * insensitive), e.g. {@code gateway} or {@code Gateway} (Istio), {@code gateways.gateway.networking.k8s.io}
   * or {@code Gateway.gateway.networking.k8s.io}. A plain {@code Gateway} is Istio's, as it always was.
   */
  public static Optional<Kind> fromUserName(String name) {
    return Arrays.stream(values())
        .filter(k -> k.topicName.equalsIgnoreCase(name) || k.resourceName.equalsIgnoreCase(name)
            || k.displayName.equalsIgnoreCase(name))
        .findFirst();
  }

  /** Matches a manifest's apiVersion and kind; the version is checked by {@link ResourceReader}. */
  public static Optional<Kind> fromManifest(String group, String kubernetesKind) {
    return Arrays.stream(values())
        .filter(k -> k.group.equals(group) && k.kubernetesKind.equals(kubernetesKind))
        .findFirst();
  }
}
