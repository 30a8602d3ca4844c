package io.edgegw.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.Resource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code fleet status --wait-applied} decides from retained messages alone. */
class FleetReportTest {
  private static final String ONLINE = "{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\",\"labels\":{\"role\":\"shop\"}}";
  private final BrokerView view = new BrokerView("edgegw");
  private final Resource gateway = PlacementTest.read("""
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: shop}
      spec: {selector: {role: shop}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
      """).get(0);

  @Test
  void aChangeIsPendingUntilTheStatusEchoesItsVersionThenApplied() {
    message("edgegw/a/status/gateway", ONLINE);
    byte[] payload = Payloads.of(gateway);
    String version = Payloads.resourceVersion(payload).orElseThrow();
    view.accept("edgegw/a/resources/gateway/shop/gw", payload);
    assertEquals(1, only().pending());

    message("edgegw/a/status/gateway/shop/gw", status("applied", "fleet-older"));
    assertEquals(1, only().pending(), "a status about an older change does not count");
    assertFalse(FleetReport.settled(FleetReport.of(view)));

    message("edgegw/a/status/gateway/shop/gw", status("accepted", version));
    assertEquals(1, only().pending(), "accepted is not final");

    message("edgegw/a/status/gateway/shop/gw", status("applied", version));
    assertEquals(1, only().applied());
    assertTrue(FleetReport.settled(FleetReport.of(view)));
  }

  @Test
  void aDeleteIsPendingUntilTheSidecarClearsTheStatusAndRejectionsAreListed() {
    message("edgegw/a/status/gateway", ONLINE);
    message("edgegw/a/status/virtualservice/shop/old", status("applied", "fleet-1"));
    assertEquals(1, only().deletesPending());
    assertTrue(only().targeted());
    view.accept("edgegw/a/status/virtualservice/shop/old", new byte[0]);
    assertEquals(0, only().deletesPending());

    byte[] payload = Payloads.of(gateway);
    view.accept("edgegw/a/resources/gateway/shop/gw", payload);
    message("edgegw/a/status/gateway/shop/gw", "{\"state\":\"rejected\",\"reasons\":[\"ERROR spec.x: bad\"],\"version\":null,"
        + "\"resourceVersion\":\"" + Payloads.resourceVersion(payload).orElseThrow() + "\",\"time\":\"2025-03-01T10:00:00Z\"}");
    assertEquals(1, only().rejected());
    assertEquals(List.of("Gateway shop/gw: rejected: ERROR spec.x: bad"), only().problems());
    assertTrue(FleetReport.settled(FleetReport.of(view)), "rejected is final; the exit code says it failed");
  }

  @Test
  void aNodeWhoseBridgeIsDownIsCutOffAndNotWaitedFor() {
    message("edgegw/a/status/gateway", ONLINE);
    view.accept("edgegw/a/resources/gateway/shop/gw", Payloads.of(gateway));
    message("edgegw/a/status/bridge", "0");
    assertFalse(only().online());
    assertTrue(FleetReport.settled(FleetReport.of(view)));
    assertTrue(FleetReport.render(FleetReport.of(view)).contains("cut-off"));
    message("edgegw/a/status/bridge", "1");
    assertTrue(only().online());
    assertFalse(FleetReport.settled(FleetReport.of(view)));
  }

  private FleetReport.Gateway only() {
    List<FleetReport.Gateway> report = FleetReport.of(view);
    assertEquals(1, report.size());
    return report.get(0);
  }

  private void message(String topic, String payload) {
    view.accept(topic, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static String status(String state, String resourceVersion) {
    return "{\"state\":\"" + state + "\",\"reasons\":[],\"version\":\"v1\",\"resourceVersion\":\"" + resourceVersion
        + "\",\"time\":\"2025-03-01T10:00:00Z\"}";
  }
}
