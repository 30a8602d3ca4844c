package io.edgegw.translator.model;

import java.util.Arrays;
import java.util.Optional;

/** The resource kinds the gateway understands, with their Kubernetes identity and MQTT topic segment. */
public enum Kind {
  GATEWAY("networking.istio.io", "Gateway"),
  VIRTUAL_SERVICE("networking.istio.io", "VirtualService"),
  DESTINATION_RULE("networking.istio.io", "DestinationRule"),
  SERVICE_ENTRY("networking.istio.io", "ServiceEntry"),
  WORKLOAD_ENTRY("networking.istio.io", "WorkloadEntry"),
  SERVICE("", "Service"),
  ENDPOINTS("", "Endpoints"),
  ENDPOINT_SLICE("discovery.k8s.io", "EndpointSlice"),
  POD("", "Pod"),
  SECRET("", "Secret");

  private final String group;
  private final String kubernetesKind;

  Kind(String group, String kubernetesKind) {
    this.group = group;
    this.kubernetesKind = kubernetesKind;
  }

  /** API group, empty for the Kubernetes core group. */
  public String group() {
    return group;
  }

  /** The `kind` field of a manifest, e.g. {@code VirtualService}. */
  public String kubernetesKind() {
    return kubernetesKind;
  }

  /** The lower-case segment used in MQTT topics and resource paths, e.g. {@code virtualservice}. */
  public String topicName() {
    return kubernetesKind.toLowerCase(java.util.Locale.ROOT);
  }

  public static Optional<Kind> fromTopicName(String name) {
    return Arrays.stream(values()).filter(k -> k.topicName().equals(name)).findFirst();
  }

  /** Matches a manifest's apiVersion and kind; the version is checked by {@link ResourceReader}. */
  public static Optional<Kind> fromManifest(String group, String kubernetesKind) {
    return Arrays.stream(values())
        .filter(k -> k.group.equals(group) && k.kubernetesKind.equals(kubernetesKind))
        .findFirst();
  }
}
