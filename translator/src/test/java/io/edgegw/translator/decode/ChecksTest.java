package io.edgegw.translator.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ChecksTest {
  private final Problems problems = new Problems(ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "vs"));

  private Field field(String json) throws Exception {
    return Field.root(new ObjectMapper().readTree("{\"f\": " + json + "}"), "spec", problems).get("f");
  }

  private String messages() {
    return problems.all().stream().map(d -> d.field() + ": " + d.message()).toList().toString();
  }

  @Test
  void portsAreOneTo65535() throws Exception {
    assertTrue(Checks.isPort(1) && Checks.isPort(65535));
    assertFalse(Checks.isPort(0) || Checks.isPort(65536));
    assertFalse(Checks.outsidePortRange(field("80"), OptionalInt.of(80)));
    assertFalse(Checks.outsidePortRange(field("80"), OptionalInt.empty()));
    assertTrue(Checks.outsidePortRange(field("70000"), OptionalInt.of(70000)));
    assertEquals("[spec.f: port 70000 is outside 1..65535]", messages());
  }

  @Test
  void dnsLabelsAndHeaderNames() {
    assertTrue(Checks.isDnsLabel("v1") && Checks.isDnsLabel("a-b") && Checks.isDnsLabel("a".repeat(63)));
    assertFalse(Checks.isDnsLabel("V1") || Checks.isDnsLabel("-a") || Checks.isDnsLabel("a.b")
        || Checks.isDnsLabel("a".repeat(64)) || Checks.isDnsLabel(""));
    assertTrue(Checks.isHeaderName("x-request-id") && Checks.isHeaderName("X_Y"));
    assertFalse(Checks.isHeaderName("bad header") || Checks.isHeaderName(":path") || Checks.isHeaderName(""));
  }

  @Test
  void durationsAreGoSyntaxAndAtLeastOneMillisecondUnlessZeroIsAllowed() throws Exception {
    assertEquals(Optional.of(Duration.ofMillis(1500)), Checks.duration(field("\"1.5s\"")));
    assertEquals(Optional.of(Duration.ZERO), Checks.durationAllowingZero(field("\"0s\"")));
    assertEquals(Optional.empty(), Checks.duration(field("\"0s\"")));
    assertEquals(Optional.empty(), Checks.duration(field("\"ten seconds\"")));
    assertEquals(Optional.empty(), Checks.duration(field("null")));
    assertEquals("[spec.f: duration must be at least 1ms, got 0s, "
        + "spec.f: invalid duration ten seconds: use e.g. 500ms, 10s, 1m]", messages());
  }
}
