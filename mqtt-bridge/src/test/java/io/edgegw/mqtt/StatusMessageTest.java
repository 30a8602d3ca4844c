package io.edgegw.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgegw.translator.model.ResourceReader;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusMessageTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void rejectedIsWrittenWithItsReasonsAndNullVersions() {
    StatusMessage rejected = StatusMessage.rejected(
        List.of("ERROR VirtualService default/x: spec.http[0].route: required"), CLOCK);
    assertEquals("{\"state\":\"rejected\",\"reasons\":[\"ERROR VirtualService default/x: spec.http[0].route: required\"],"
        + "\"version\":null,\"resourceVersion\":null,\"time\":\"2025-03-01T10:00:00Z\"}", new String(rejected.toJson(), UTF_8));
  }

  @Test
  void appliedCarriesTheSnapshotVersionAndEchoesTheResourceVersion() {
    var resource = ((ResourceReader.Ok) new ResourceReader().read(
        "{apiVersion: v1, kind: Service, metadata: {name: r, namespace: shop, resourceVersion: '4711'}}").get(0)).resource();
    StatusMessage applied = StatusMessage.applied("12", List.of(), CLOCK).about(resource);
    assertEquals("{\"state\":\"applied\",\"reasons\":[],\"version\":\"12\",\"resourceVersion\":\"4711\","
        + "\"time\":\"2025-03-01T10:00:00Z\"}", new String(applied.toJson(), UTF_8));
  }

  @Test
  void everyStateHasItsWireName() {
    assertEquals(List.of("accepted", "rejected", "applied", "rejected-by-envoy"),
        List.of(StatusMessage.State.values()).stream().map(StatusMessage.State::wireName).toList());
    assertEquals(StatusMessage.State.REJECTED_BY_ENVOY, StatusMessage.rejectedByEnvoy("3", List.of("x"), CLOCK).state());
    assertEquals(StatusMessage.State.ACCEPTED, StatusMessage.accepted(List.of(), CLOCK).state());
  }

  @Test
  void theObjectsOwnStatusTravelsAsObjectStatusAndReadsBack() throws Exception {
    var objectStatus = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree("{\"conditions\":[{\"type\":\"Accepted\",\"status\":\"True\"}]}");
    StatusMessage applied = StatusMessage.applied("12", List.of(), CLOCK).withObjectStatus(java.util.Optional.of(objectStatus));
    String json = new String(applied.toJson(), UTF_8);
    assertEquals("{\"state\":\"applied\",\"reasons\":[],\"version\":\"12\",\"resourceVersion\":null,"
        + "\"time\":\"2025-03-01T10:00:00Z\",\"objectStatus\":{\"conditions\":[{\"type\":\"Accepted\",\"status\":\"True\"}]}}",
        json);
    assertEquals(java.util.Optional.of(applied), StatusMessage.parse(applied.toJson()));
    assertEquals(java.util.Optional.empty(), StatusMessage.parse(StatusMessage.applied("1", List.of(), CLOCK).toJson())
        .orElseThrow().objectStatus());
  }
}
