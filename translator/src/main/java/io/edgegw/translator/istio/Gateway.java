package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.ResourceKey;
import java.util.Map;

/** An Istio Gateway: which proxies it selects and the servers it opens on them. */
public record Gateway(
    ResourceKey key, String creationTimestamp, ImmutableMap<String, String> selector, ImmutableList<Server> servers) {

  public ConfigOrder order() {
    return new ConfigOrder(creationTimestamp, key);
  }

  /** Istio's name for the gateway in VirtualService {@code gateways}: {@code namespace/name}. */
  public String qualifiedName() {
    return key.namespace() + "/" + key.name();
  }

  /** A selector applies when its labels are a subset of the proxy's; empty selects every proxy. */
  public boolean selects(Map<String, String> proxyLabels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(proxyLabels.get(e.getKey())));
  }

  /** One {@code spec.servers[i]} entry; {@code index} keeps the field path for diagnostics. */
  public record Server(
      int index, int portNumber, Protocol protocol, String portName, String bind, ImmutableList<ServerHost> hosts, boolean hasTls) {
    public String field() {
      return "spec.servers[" + index + "]";
    }
  }

  /**
   * A server host after normalisation: {@code namespace} is the only namespace whose
   * VirtualServices may use it, or {@code *} for all ({@code ./h}, {@code ns/h}, {@code *}/h, bare h).
   */
  public record ServerHost(String namespace, String host) {
    public boolean visibleTo(String virtualServiceNamespace) {
      return namespace.equals("*") || namespace.equals(virtualServiceNamespace);
    }
  }
}
