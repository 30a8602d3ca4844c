package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.translator.model.ResourceReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gateway on a KubeEdge node's bus: beehive messages (header, route, content) on the
 * {@code --kubeedge-topic} insert, update, patch (whole object) and delete resources, published as
 * edgecore does, with QoS 0 and without retain.
 */
class KubeEdgeEnvelopeTest {
  private static final String TOPIC = "$hw/events/edgegw/";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void envelopesInsertUpdatePatchAndDeleteResources() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start(false, options -> options.withKubeedgeTopic(TOPIC + "#"))) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");

      envelope(gw, "insert", 1);
      awaitEcho(gw, "edge.local", "/v-1");
      envelope(gw, "update", 2);
      awaitEcho(gw, "edge.local", "/v-2");
      envelope(gw, "patch", 3);
      awaitEcho(gw, "edge.local", "/v-3");
      envelope(gw, "delete", 4);
      await().atMost(Duration.ofSeconds(30)).until(() -> !gw.sidecar().admin("/config_dump").contains("edge.local"));
      assertThat(gw.get("edge.local", "/").backend()).as("edge.local after the delete").isNull();

      // A malformed envelope is reported, and changes nothing.
      String version = gw.sidecar().servedVersion();
      gw.publishRaw(TOPIC + "default/virtualservice/edge", "{\"route\":".getBytes(StandardCharsets.UTF_8), 0, false);
      await().atMost(Duration.ofSeconds(30)).until(() -> gw.sidecar().admin("/resources").contains("not a KubeEdge message"));
      assertThat(gw.sidecar().servedVersion()).isEqualTo(version);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  private static void envelope(ProcessGateway gw, String operation, int value) throws Exception {
    gw.publishRaw(TOPIC + "default/virtualservice/edge", envelope("edge", "edge.local", operation, value), 0, false);
  }

  /** A beehive message as edgecore sends it, carrying {@link Manifests#counterVs} in namespace default. */
  static byte[] envelope(String name, String host, String operation, int value) throws Exception {
    ResourceReader.Ok vs = (ResourceReader.Ok) new ResourceReader()
        .read(Manifests.counterVs(name, host, value)).get(0);
    ObjectNode message = JSON.createObjectNode();
    message.putObject("header").put("msg_id", "m-" + value).put("parent_msg_id", "")
        .put("timestamp", System.currentTimeMillis()).put("resourceversion", String.valueOf(value)).put("sync", false);
    message.putObject("route").put("source", "edgecontroller").put("group", "resource")
        .put("operation", operation).put("resource", "default/virtualservice/" + name);
    message.set("content", vs.resource().manifest());
    return JSON.writeValueAsBytes(message);
  }
}
