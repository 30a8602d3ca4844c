package io.edgegw.translator.model;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What this node lets published config expose, a deliberate difference from istiod (which trusts
 * whoever may write Gateways): the addresses and ports listeners may bind, the node's own control
 * ports no listener may take, and the upstream addresses no route may reach unless the operator
 * allows them (by default loopback and link-local: the node's own services and cloud metadata).
 *
 * @param listenAddresses addresses a listener may bind; empty means any
 * @param minListenPort lowest port a listener may bind (after the port map)
 * @param maxListenPort highest port a listener may bind
 * @param reservedPorts the node's control ports (sidecar xDS and admin, Envoy's admin, a local broker)
 *     by port, with what each is: never a listener, never an upstream on this node
 * @param deniedUpstreams upstream addresses refused unless also within {@code allowedUpstreams}
 * @param allowedUpstreams exceptions to {@code deniedUpstreams}, from the operator
 * @param nodeAddresses this node's own interface addresses: an upstream there at a reserved port is refused
 */
public record NodePolicy(
    ImmutableSet<String> listenAddresses,
    int minListenPort,
    int maxListenPort,
    ImmutableSortedMap<Integer, String> reservedPorts,
    ImmutableList<AddressRange> deniedUpstreams,
    ImmutableList<AddressRange> allowedUpstreams,
    ImmutableSet<String> nodeAddresses) {
  public static final ImmutableList<AddressRange> DEFAULT_DENIED_UPSTREAMS = ImmutableList.of(
      AddressRange.of("127.0.0.0/8"), AddressRange.of("::1/128"),
      AddressRange.of("169.254.0.0/16"), AddressRange.of("fe80::/10"),
      AddressRange.of("0.0.0.0/32"), AddressRange.of("::/128"));
  public static final int DEFAULT_MIN_LISTEN_PORT = 1024;
  public static final int DEFAULT_MAX_LISTEN_PORT = 65535;

  /** No restriction at all: offline translation and unit tests, which know no node. */
  public static final NodePolicy UNRESTRICTED = new NodePolicy(ImmutableSet.of(), 1, 65535, ImmutableSortedMap.of(),
      ImmutableList.of(), ImmutableList.of(), ImmutableSet.of());

  public NodePolicy {
    Objects.requireNonNull(listenAddresses, "listenAddresses");
    Objects.requireNonNull(reservedPorts, "reservedPorts");
    Objects.requireNonNull(deniedUpstreams, "deniedUpstreams");
    Objects.requireNonNull(allowedUpstreams, "allowedUpstreams");
    Objects.requireNonNull(nodeAddresses, "nodeAddresses");
    if (minListenPort < 1 || maxListenPort > 65535 || minListenPort > maxListenPort) {
      throw new IllegalArgumentException(
          "listen port range " + minListenPort + "-" + maxListenPort + " is not within 1-65535");
    }
    listenAddresses = canonical(listenAddresses);
    nodeAddresses = canonical(nodeAddresses);
  }

  private static ImmutableSet<String> canonical(ImmutableSet<String> addresses) {
    return addresses.stream().map(NodePolicy::canonical).collect(ImmutableSet.toImmutableSet());
  }

  /** One spelling per address ({@code ::0} and {@code ::} are the same), so sets compare as addresses. */
  static String canonical(String address) {
    return InetAddresses.isInetAddress(address)
        ? InetAddresses.toAddrString(InetAddresses.forString(address))
        : address;
  }

  /** Why a listener may not bind {@code address}, or empty when it may. */
  public Optional<String> listenAddressProblem(String address) {
    if (listenAddresses.isEmpty() || listenAddresses.contains(canonical(address))) {
      return Optional.empty();
    }
    return Optional.of("address " + address + " is not one this node lets listeners bind "
        + listenAddresses + " (--allowed-listen-addresses)");
  }

  /** Why a listener may not bind {@code port} (the port Envoy binds, after the port map), or empty. */
  public Optional<String> listenPortProblem(int port) {
    String reserved = reservedPorts.get(port);
    if (reserved != null) {
      return Optional.of("port " + port + " is " + reserved + " on this node; a listener cannot take it");
    }
    if (port < minListenPort || port > maxListenPort) {
      return Optional.of("port " + port + " is outside the ports this node lets listeners bind, "
          + minListenPort + "-" + maxListenPort + " (--listen-port-range; map it with --port-map)");
    }
    return Optional.empty();
  }

  /**
   * Why an upstream endpoint at {@code address} (an IP address; host names are Envoy's to resolve)
   * and {@code port} is refused, or empty when it is allowed.
   */
  public Optional<String> upstreamProblem(String address, int port) {
    String lower = address.toLowerCase(java.util.Locale.ROOT);
    // RFC 6761: localhost names resolve to loopback, whatever DNS says.
    boolean localhostName = lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("localhost.");
    if (!localhostName && !InetAddresses.isInetAddress(address)) {
      return Optional.empty();
    }
    InetAddress ip = InetAddresses.forString(localhostName ? "127.0.0.1" : address);
    String reserved = reservedPorts.get(port);
    boolean onThisNode = ip.isLoopbackAddress() || ip.isAnyLocalAddress() || nodeAddresses.contains(canonical(address));
    if (reserved != null && onThisNode) {
      return Optional.of("upstream " + address + ":" + port + " is " + reserved
          + " on this node; routing to it would expose it to anyone who reaches the gateway");
    }
    boolean denied = deniedUpstreams.stream().anyMatch(r -> r.contains(ip));
    if (denied && allowedUpstreams.stream().noneMatch(r -> r.contains(ip))) {
      return Optional.of("upstream address " + address + " is refused by this node's policy (loopback, link-local and "
          + "unspecified addresses are, by default); allow it with --allow-upstream CIDR");
    }
    return Optional.empty();
  }
}
