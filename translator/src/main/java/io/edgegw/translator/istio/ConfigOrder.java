package io.edgegw.translator.istio;

import io.edgegw.translator.model.ResourceKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/** istiod's conflict order: older creationTimestamp first, then name, then namespace. */
public final class ConfigOrder {
  private ConfigOrder() {}

  /** What the conflict order reads: the Istio objects that conflict (Gateway, VirtualService, ...) are. */
  public interface Ordered {
    String creationTimestamp();

    ResourceKey key();
  }

  /** Read from the items themselves: these compare 10,000 of them on every translation. */
  public static final Comparator<Ordered> OLDEST_FIRST =
      (a, b) -> compare(a.creationTimestamp(), a.key(), b.creationTimestamp(), b.key());

  private static int compare(String timestamp, ResourceKey key, String otherTimestamp, ResourceKey otherKey) {
    // Equal timestamps are equal instants, and plain ones (what Kubernetes writes) sort as their text:
    // the parsing that would dominate a compare is skipped.
    int order = timestamp.equals(otherTimestamp) ? 0
        : plain(timestamp) && plain(otherTimestamp) ? timestamp.compareTo(otherTimestamp)
        : instant(timestamp).compareTo(instant(otherTimestamp));
    if (order != 0) {
      return order;
    }
    order = key.name().compareTo(otherKey.name());
    return order != 0 ? order : key.namespace().compareTo(otherKey.namespace());
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ssZ} with every field in a range valid in any month (days to 28, no leap
   * second), so that {@link Instant#parse} surely reads it: two such sort by instant as they sort as text.
   */
  static boolean plain(String timestamp) {
    if (timestamp.length() != 20 || timestamp.charAt(4) != '-' || timestamp.charAt(7) != '-'
        || timestamp.charAt(10) != 'T' || timestamp.charAt(13) != ':' || timestamp.charAt(16) != ':'
        || timestamp.charAt(19) != 'Z') {
      return false;
    }
    for (int i : DIGITS) {
      if (timestamp.charAt(i) < '0' || timestamp.charAt(i) > '9') {
        return false;
      }
    }
    int month = number(timestamp, 5);
    int day = number(timestamp, 8);
    return month >= 1 && month <= 12 && day >= 1 && day <= 28 && number(timestamp, 11) <= 23
        && number(timestamp, 14) <= 59 && number(timestamp, 17) <= 59;
  }

  private static final int[] DIGITS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};

  private static int number(String timestamp, int at) {
    return (timestamp.charAt(at) - '0') * 10 + timestamp.charAt(at + 1) - '0';
  }

  /** A missing or unreadable timestamp sorts first, like Go's zero time. Also the tests' reference order. */
  static Instant instant(String timestamp) {
    if (timestamp.isEmpty()) {
      return Instant.MIN;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MIN;
    }
  }
}
