package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

/** The operator far away learns what the gateway did with each resource, over MQTT status topics. */
class MqttStatusTest {
  private static final String STATUS = "edgegw/" + EdgeGateway.GATEWAY_ID + "/status/";

  @Test
  void eachResourceGetsARetainedStatusAndTheGatewaySaysItIsOnline() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      Map<String, String> seen = new ConcurrentHashMap<>();
      MqttClient operator = new MqttClient(gw.broker().url(), "it-operator", new MemoryPersistence());
      try {
        operator.connect(new MqttConnectionOptions());
        // Paho 1.2.5's subscribe(topic, qos, listener) recurses forever; the array form works.
        IMqttMessageListener record = (topic, message) ->
            seen.put(topic.substring(STATUS.length()), new String(message.getPayload(), StandardCharsets.UTF_8));
        operator.subscribe(new MqttSubscription[] {new MqttSubscription(STATUS + "#", 1)},
            new IMqttMessageListener[] {record});

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.getOrDefault("gateway", "").contains("\"online\""));

        gw.publishExample("bookinfo", Map.of("productpage", productpage));
        gw.awaitStatus("h", "/productpage", 200);
        String version = gw.servedVersion();
        await().atMost(Duration.ofSeconds(10)).until(() ->
            seen.getOrDefault("virtualservice/default/bookinfo", "").contains(version));
        assertThat(seen.get("virtualservice/default/bookinfo")).contains("\"applied\"");
        // The gateway's announcement names it for fleet placement and says what Envoy serves.
        await().atMost(Duration.ofSeconds(10)).until(() ->
            seen.getOrDefault("gateway", "").contains("\"servedVersion\":\"" + version + "\""));
        assertThat(seen.get("gateway")).contains("\"labels\":{\"istio\":\"edgegateway\"}").contains("\"softwareVersion\":\"0.1.0\"");
        assertThat(seen.get("gateway/default/bookinfo-gateway")).contains("\"applied\"");

        gw.publish(BookinfoRoutingTest.bookinfoVs("""
              - route:
                - destination:
                    host: productpage
                  weight: -5
            """));
        await().atMost(Duration.ofSeconds(10)).until(() ->
            seen.getOrDefault("virtualservice/default/bookinfo", "").contains("\"rejected\""));
        assertThat(seen.get("virtualservice/default/bookinfo"))
            .contains("spec.http[1].route[0].weight")
            .contains("the previously accepted version keeps serving");
        assertThat(gw.get("h", "/productpage").status()).isEqualTo(200);

        gw.delete("virtualservice", "default", "bookinfo");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.getOrDefault("virtualservice/default/bookinfo", "x").isEmpty());
      } finally {
        operator.disconnect();
        operator.close();
      }
    }
  }
}
