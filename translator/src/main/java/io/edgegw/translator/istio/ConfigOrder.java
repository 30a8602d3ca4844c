package io.edgegw.translator.istio;

import io.edgegw.translator.model.ResourceKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/** istiod's conflict order: older creationTimestamp first, then name, then namespace. */
public record ConfigOrder(String creationTimestamp, ResourceKey key) {
  public static final Comparator<ConfigOrder> OLDEST_FIRST =
      Comparator.comparing((ConfigOrder o) -> instant(o.creationTimestamp()))
          .thenComparing(o -> o.key().name())
          .thenComparing(o -> o.key().namespace());

  /** A missing or unreadable timestamp sorts first, like Go's zero time. */
  private static Instant instant(String timestamp) {
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
