package io.edgegw.server;

import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** This node's interface addresses, read once at start: what a wildcard listener address stands for. */
final class NodeAddresses {
  private NodeAddresses() {}

  static ImmutableSet<String> read() {
    ImmutableSet.Builder<String> out = ImmutableSet.builder();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        nic.inetAddresses().forEach(a -> {
          // Link-local IPv6 addresses carry a scope (%eth0) that Envoy cannot bind without; leave them out.
          if (!(a instanceof java.net.Inet6Address v6 && v6.isLinkLocalAddress())) {
            out.add(InetAddresses.toAddrString(a));
          }
        });
      }
    } catch (SocketException e) {
      // Without the list, only the configured addresses are allowed: stricter, never looser.
    }
    return out.build();
  }
}
