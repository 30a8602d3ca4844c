package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayAnnouncementTest {
  private static final Instant SINCE = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void withoutIdentityTheMessagesAreExactlyTheOriginalOnes() {
    assertEquals("{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\"}",
        text(GatewayAnnouncement.online(SINCE, GatewayAnnouncement.Identity.NONE)));
    assertEquals("{\"state\":\"offline\"}", text(GatewayAnnouncement.offline(GatewayAnnouncement.Identity.NONE)));
  }

  @Test
  void labelsAndVersionsFollowInAFixedOrderAndReadBack() {
    GatewayAnnouncement online = GatewayAnnouncement.online(SINCE, new GatewayAnnouncement.Identity(
        Optional.of(Map.of("site", "berlin", "role", "shop")), Optional.of("0.1.0"), Optional.of("12")));
    assertEquals("{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\",\"labels\":{\"role\":\"shop\",\"site\":\"berlin\"},"
        + "\"softwareVersion\":\"0.1.0\",\"servedVersion\":\"12\"}", text(online));
    assertEquals(Optional.of(online), GatewayAnnouncement.parse(online.toJson()));
  }

  @Test
  void lastAppliedAndTheInputCountsFollowAndReadBack() {
    GatewayAnnouncement online = GatewayAnnouncement.online(SINCE, new GatewayAnnouncement.Identity(
        Optional.of(Map.of()), Optional.of("0.1.0"), Optional.of("12"), Optional.of(SINCE.plusSeconds(2)),
        Optional.of(new GatewayAnnouncement.Counts(1, 40, 2, 3))));
    assertEquals("{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\",\"labels\":{},"
        + "\"softwareVersion\":\"0.1.0\",\"servedVersion\":\"12\",\"lastApplied\":\"2025-03-01T10:00:02Z\","
        + "\"resources\":{\"accepted\":1,\"applied\":40,\"rejected\":2,\"rejectedByEnvoy\":3}}", text(online));
    assertEquals(Optional.of(online), GatewayAnnouncement.parse(online.toJson()));
  }

  @Test
  void anOldSidecarsMessageReadsWithoutLabelsAndUnknownFieldsAreIgnored() {
    GatewayAnnouncement old = GatewayAnnouncement.parse(
        "{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\",\"future\":1}".getBytes(StandardCharsets.UTF_8)).orElseThrow();
    assertTrue(old.online());
    assertEquals(Optional.empty(), old.labels());
    assertFalse(GatewayAnnouncement.parse(new byte[0]).isPresent());
    assertFalse(GatewayAnnouncement.parse("nonsense".getBytes(StandardCharsets.UTF_8)).isPresent());
  }

  private static String text(GatewayAnnouncement a) {
    return new String(a.toJson(), StandardCharsets.UTF_8);
  }
}
