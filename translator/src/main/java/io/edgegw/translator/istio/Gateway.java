package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.ResourceKey;
import java.util.Map;
import java.util.Optional;

/** An Istio Gateway: which proxies it selects and the servers it opens on them. */
public record Gateway(
    ResourceKey key, String creationTimestamp, ImmutableMap<String, String> selector, ImmutableList<Server> servers)
    implements ConfigOrder.Ordered {

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
      int index, int portNumber, Protocol protocol, String portName, String bind, ImmutableList<ServerHost> hosts,
      Optional<ServerTls> tls) {
    public String field() {
      return "spec.servers[" + index + "]";
    }

    /** {@code httpsRedirect: true} on a plain-text server: its virtual hosts answer 301 to https. */
    public boolean httpsRedirect() {
      return tls.map(ServerTls::httpsRedirect).orElse(false);
    }

    /** HTTPS or TLS whose mode terminates TLS here (SIMPLE, MUTUAL, OPTIONAL_MUTUAL). */
    public boolean terminatesTls() {
      return (protocol == Protocol.HTTPS || protocol == Protocol.TLS)
          && tls.map(t -> t.mode().terminates()).orElse(false);
    }

    /** The hosts with their namespace part dropped, deduplicated and sorted: the SNI names of the server. */
    public ImmutableList<String> sniHosts() {
      return hosts.stream().map(ServerHost::host).distinct().sorted().collect(ImmutableList.toImmutableList());
    }
  }

  /**
   * {@code spec.servers[i].tls}. The mode's zero value is PASSTHROUGH, as in Istio's API: a tls block
   * without a mode passes TLS through. {@code supported} is false when a field that narrows who may
   * connect is set but not supported here: such a server is skipped rather than served more openly.
   */
  public record ServerTls(
      boolean httpsRedirect,
      TlsMode mode,
      String credentialName,
      Optional<String> minProtocolVersion,
      Optional<String> maxProtocolVersion,
      ImmutableList<String> cipherSuites,
      boolean supported) {}

  public enum TlsMode {
    PASSTHROUGH,
    SIMPLE,
    MUTUAL,
    AUTO_PASSTHROUGH,
    ISTIO_MUTUAL,
    OPTIONAL_MUTUAL;

    public boolean terminates() {
      return this == SIMPLE || this == MUTUAL || this == OPTIONAL_MUTUAL;
    }

    public boolean verifiesClients() {
      return this == MUTUAL || this == OPTIONAL_MUTUAL;
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
