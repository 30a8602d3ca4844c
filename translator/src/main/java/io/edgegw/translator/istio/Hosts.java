package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Istio host-name rules: validity, wildcard containment, intersection. */
public final class Hosts {
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?");

  private Hosts() {}

  /** Why {@code host} is not a valid (possibly wildcard) DNS name, or empty when it is. */
  public static Optional<String> invalidReason(String host) {
    if (host.isEmpty()) {
      return Optional.of("empty host");
    }
    if (host.length() > 255) {
      return Optional.of("host longer than 255 characters");
    }
    if (host.equals("*")) {
      return Optional.empty();
    }
    String rest = host;
    if (host.startsWith("*.")) {
      rest = host.substring(2);
    }
    if (rest.contains("*")) {
      return Optional.of(
          "invalid host "
              + host
              + ": a wildcard is only allowed as the whole first label (*.example.com)");
    }
    for (String label : rest.split("\\.", -1)) {
      if (!DNS1123_LABEL.matcher(label).matches()) {
        return Optional.of("invalid host " + host + ": '" + label + "' is not a DNS label");
      }
    }
    return Optional.empty();
  }

  public static boolean isWildcard(String host) {
    return host.startsWith("*");
  }

  /** Whether every name {@code a} matches is also matched by {@code b}. */
  public static boolean subsetOf(String a, String b) {
    if (isWildcard(a)) {
      return isWildcard(b) && a.substring(1).endsWith(b.substring(1));
    }
    if (isWildcard(b)) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }

  /**
   * The hosts both lists match, keeping for each overlapping pair the more specific one, in the
   * order of {@code first} (istiod's {@code host.Names.Intersection}).
   */
  public static ImmutableList<String> intersection(List<String> first, List<String> second) {
    List<String> out = new ArrayList<>();
    for (String a : first) {
      for (String b : second) {
        String keep = subsetOf(a, b) ? a : subsetOf(b, a) ? b : null;
        if (keep != null && !out.contains(keep)) {
          out.add(keep);
        }
      }
    }
    return ImmutableList.copyOf(out);
  }

  /** Short name to FQDN in {@code namespace}, as istiod resolves VirtualService hosts. */
  public static String resolveShortName(String host, String namespace, String domainSuffix) {
    if (host.equals("*") || host.contains(".")) {
      return host;
    }
    return host + "." + namespace + ".svc." + domainSuffix;
  }
}
