package io.edgegw.translator.xds;

import com.google.common.collect.Sets;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.VirtualHost;
import java.util.Set;

/**
 * Which route configurations (one per HTTP port) may go to Envoy per host, as scoped RDS: at least one
 * virtual host, each with a domain, every domain an exact lower-case DNS name, and no domain twice on the
 * port.
 *
 * <p>Why: Envoy picks a scope by the exact bytes of its key, here the Host header without its port. It
 * has no wildcard, suffix or case-insensitive scope lookup, so a {@code *} or {@code *.example.com}
 * host, an upper-case one (clients may send {@code Host: A.example.com}, which a route configuration
 * matches case-insensitively), an IPv6 literal (the port is split off at the first {@code :}), a host
 * with a port or a trailing dot would find no scope, or the wrong one, where a port-wide route
 * configuration finds its virtual host. A domain on two virtual hosts would need two scopes of one key.
 * A port that breaks any of this keeps its one route configuration.
 */
final class ScopeEligibility {
  /** What {@link #exactHost} accepts, as a regular expression (which costs ten times as much per domain). */
  static final String EXACT_HOST = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  private ScopeEligibility() {}

  static boolean eligible(RouteConfig config) {
    return domains(config) != null;
  }

  /** Every domain of {@code config}'s hosts (each once) when it is eligible, else null. */
  static Set<String> domains(RouteConfig config) {
    if (config.virtualHosts().isEmpty()) {
      return null;
    }
    Set<String> seen = Sets.newHashSetWithExpectedSize(config.virtualHosts().size());
    for (VirtualHost host : config.virtualHosts()) {
      if (!add(host, seen)) {
        return null;
      }
    }
    return seen;
  }

  /**
   * Adds {@code host}'s domains to {@code seen}, the domains of the port's other hosts; false when that
   * makes the port ineligible ({@code seen} then holds some of them).
   */
  static boolean add(VirtualHost host, Set<String> seen) {
    if (host.domains().isEmpty()) {
      return false; // it would have no scope (and Envoy refuses it anyway)
    }
    for (String domain : host.domains()) {
      if (!exactHost(domain) || !seen.add(domain)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Dot-separated labels of lower-case letters, digits and inner hyphens ({@link #EXACT_HOST}), by hand:
   * every translation checks every domain of the port, 10,000 of them at most.
   */
  static boolean exactHost(String domain) {
    char previous = '.';
    for (int i = 0; i < domain.length(); i++) {
      char c = domain.charAt(i);
      boolean ok = c == '.' ? previous != '.' && previous != '-'
          : c == '-' ? previous != '.'
          : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
      previous = c;
    }
    return previous != '.' && previous != '-';
  }
}
