package io.edgegw.server;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Which {@code Host} the admin API answers, against DNS rebinding: a web page on {@code evil.example}
 * that re-resolves its own name to 127.0.0.1 gets its browser to send {@code Host: evil.example} to
 * the admin port, and could read {@code /config_dump}. A browser always sends the name it resolved,
 * so answering only {@code localhost}, loopback addresses and the bound address (names as given on
 * {@code --admin-address}, addresses by value; any address of this machine when bound to a wildcard
 * address) closes that. The port is not checked (a port forward changes it). No {@code Host} at all
 * is accepted in HTTP/1.0 (browsers always send one; a plain script may not) and refused in HTTP/1.1,
 * which requires it.
 */
record AdminHosts(String boundHost) {
  /** Why a request is refused, and with which status. */
  record Refusal(int status, String reason) {}

  static final int MISDIRECTED = 421;

  AdminHosts {
    Objects.requireNonNull(boundHost, "boundHost");
  }

  /** Empty when the request may be answered. */
  Optional<Refusal> check(String protocol, List<String> hostHeaders, URI requestUri) {
    if (hostHeaders.size() > 1) {
      return Optional.of(new Refusal(400, "more than one Host header"));
    }
    // An absolute request target names the authority itself, and takes precedence over Host.
    if (requestUri.getRawAuthority() != null) {
      return allowed(requestUri.getRawAuthority())
          ? Optional.empty()
          : Optional.of(misdirected(requestUri.getRawAuthority()));
    }
    if (hostHeaders.isEmpty()) {
      return "HTTP/1.0".equals(protocol) ? Optional.empty()
          : Optional.of(new Refusal(400, "a Host header is required in " + protocol));
    }
    String host = hostHeaders.get(0).strip();
    return allowed(host) ? Optional.empty() : Optional.of(misdirected(host));
  }

  private Refusal misdirected(String host) {
    return new Refusal(MISDIRECTED, "Host '" + host + "' is not served here: the admin API answers only localhost,"
        + " loopback addresses and its own address " + (boundHost.contains(":") ? "[" + boundHost + "]" : boundHost)
        + " (against DNS rebinding)");
  }

  boolean allowed(String hostHeader) {
    String host;
    try {
      HostAndPort parsed = HostAndPort.fromString(hostHeader);
      host = parsed.getHost().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (host.isEmpty()) {
      return false;
    }
    if (host.equals("localhost") || host.equals(boundHost.toLowerCase(Locale.ROOT))) {
      return true;
    }
    if (!InetAddresses.isInetAddress(host)) {
      return false; // a name: only the two above (resolving it is exactly what rebinding abuses)
    }
    InetAddress address = InetAddresses.forString(host);
    if (address.isLoopbackAddress()) {
      return true;
    }
    if (InetAddresses.isInetAddress(boundHost)) {
      InetAddress bound = InetAddresses.forString(boundHost);
      if (bound.isAnyLocalAddress()) {
        return isLocal(address);
      }
      return bound.equals(address);
    }
    return false;
  }

  private static boolean isLocal(InetAddress address) {
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }
}
