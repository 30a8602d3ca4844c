package io.edgegw.translator.istio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The conflict order's shortcuts (equal and plain timestamps) sort exactly as parsing every timestamp does. */
class ConfigOrderTest {
  private record Item(String creationTimestamp, ResourceKey key) implements ConfigOrder.Ordered {}

  private static final Comparator<Item> PARSING_EVERY_TIMESTAMP =
      Comparator.comparing((Item o) -> ConfigOrder.instant(o.creationTimestamp()))
          .thenComparing(o -> o.key().name())
          .thenComparing(o -> o.key().namespace());

  @Test
  void sortsAsParsingEveryTimestampDoes() {
    Random random = new Random(3);
    List<String> timestamps = new ArrayList<>(List.of("", "garbage", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z",
        "2026-01-31T23:59:60Z", "2026-01-31T24:00:00Z", "2026-02-01T00:00:00Z", "2026-01-31T23:59:59.5Z",
        "2026-01-31T23:59:59+01:00", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "0000-01-01T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-01-01T00:00:00z", "2026-01-0aT00:00:00Z"));
    for (int i = 0; i < 300; i++) {
      timestamps.add("%04d-%02d-%02dT%02d:%02d:%02dZ".formatted(2020 + random.nextInt(3), random.nextInt(14),
          random.nextInt(33), random.nextInt(26), random.nextInt(61), random.nextInt(62)));
    }
    int plain = 0;
    for (String a : timestamps) {
      plain += ConfigOrder.plain(a) ? 1 : 0;
      for (String b : List.of(timestamps.get(random.nextInt(timestamps.size())), a, "2021-06-15T12:30:30Z")) {
        Item x = new Item(a, key(random.nextInt(3)));
        Item y = new Item(b, key(random.nextInt(3)));
        assertEquals(Integer.signum(PARSING_EVERY_TIMESTAMP.compare(x, y)),
            Integer.signum(ConfigOrder.OLDEST_FIRST.compare(x, y)), a + " against " + b);
      }
    }
    assertTrue(plain > 100, "plain timestamps: " + plain);
  }

  private static ResourceKey key(int i) {
    return new ResourceKey(Kind.VIRTUAL_SERVICE, "ns-" + (i % 2), "vs-" + i);
  }
}
