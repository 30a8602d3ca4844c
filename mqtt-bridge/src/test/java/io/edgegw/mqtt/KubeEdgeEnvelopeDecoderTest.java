package io.edgegw.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.mqtt.ResourceMessageDecoder.Accept;
import io.edgegw.mqtt.ResourceMessageDecoder.Decision;
import io.edgegw.mqtt.ResourceMessageDecoder.Ignore;
import io.edgegw.mqtt.ResourceMessageDecoder.Reject;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubeEdgeEnvelopeDecoderTest {
  private static final String TOPIC = "$hw/events/edgegw/resources";
  private static final ResourceKey VS = ResourceKey.of(Kind.VIRTUAL_SERVICE, "shop", "reviews");
  private static final String VS_JSON = """
      {"apiVersion":"networking.istio.io/v1","kind":"VirtualService",
       "metadata":{"name":"reviews","namespace":"shop","resourceVersion":"42"},
       "spec":{"hosts":["reviews"],"http":[{"route":[{"destination":{"host":"reviews"}}]}]}}""";

  private final ObjectMapper json = new ObjectMapper();
  private final KubeEdgeEnvelopeDecoder decoder = new KubeEdgeEnvelopeDecoder(new ResourceReader(), 64 * 1024);

  private String envelope(String operation, String resource, String content) {
    return """
        {"header":{"msg_id":"8d3c7c5e","parent_msg_id":"","timestamp":1700000000000,"resourceversion":"42","sync":false},
         "route":{"source":"edgecontroller","group":"resource","operation":"%s","resource":"%s"}%s}"""
        .formatted(operation, resource, content == null ? "" : ",\"content\":" + content);
  }

  private Decision decode(String text) {
    return decoder.decode(TOPIC, text.getBytes(UTF_8));
  }

  private Reject rejected(String text) {
    return assertInstanceOf(Reject.class, decode(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"insert", "update"})
  void insertAndUpdateAreUpserts(String operation) {
    Accept accept = assertInstanceOf(Accept.class, decode(envelope(operation, "shop/virtualservice/reviews", VS_JSON)));
    ResourceEvent event = accept.event();
    assertEquals(ResourceEvent.Type.UPSERT, event.type());
    assertEquals(VS, event.key());
    assertEquals("mqtt:" + TOPIC + "#shop/virtualservice/reviews", event.origin());
    assertEquals("reviews", event.resource().orElseThrow().spec().path("hosts").get(0).asText());
  }

  @Test
  void aClusterScopedObjectWithNamespaceNullIsKeyedUnderDefault() {
    String resource = "null/gatewayclasses.gateway.networking.k8s.io/edgegw";
    Accept accept = assertInstanceOf(Accept.class, decode(envelope("insert", resource,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"GatewayClass\",\"metadata\":{\"name\":\"edgegw\"},"
            + "\"spec\":{\"controllerName\":\"edgegw.io/gateway-controller\"}}")));
    assertEquals(ResourceKey.of(Kind.GATEWAY_CLASS, "default", "edgegw"), accept.event().key());
    assertEquals(ResourceEvent.delete(ResourceKey.of(Kind.GATEWAY_CLASS, "default", "edgegw"), "mqtt:" + TOPIC + "#" + resource),
        assertInstanceOf(Accept.class, decode(envelope("delete", resource, null))).event());
  }

  @Test
  void deleteNeedsNoContent() {
    Accept withObject = assertInstanceOf(Accept.class, decode(envelope("delete", "shop/virtualservice/reviews", VS_JSON)));
    Accept without = assertInstanceOf(Accept.class, decode(envelope("delete", "shop/virtualservice/reviews", null)));
    ResourceEvent expected = ResourceEvent.delete(VS, "mqtt:" + TOPIC + "#shop/virtualservice/reviews");
    assertEquals(expected, withObject.event());
    assertEquals(expected, without.event());
  }

  @Test
  void patchWithTheWholeObjectIsAnUpsert() {
    Accept accept = assertInstanceOf(Accept.class, decode(envelope("patch", "shop/virtualservice/reviews", VS_JSON)));
    assertEquals(VS, accept.event().key());
  }

  @Test
  void partialPatchesAreRejected() {
    Reject merge = rejected(envelope("patch", "shop/virtualservice/reviews", "{\"spec\":{\"hosts\":[\"x\"]}}"));
    assertEquals(Optional.of(VS), merge.key());
    assertTrue(merge.reason().contains("only full-object patches are supported"), merge.reason());
    Reject jsonPatch = rejected(envelope("patch", "shop/virtualservice/reviews",
        "[{\"op\":\"replace\",\"path\":\"/spec/hosts/0\",\"value\":\"x\"}]"));
    assertTrue(jsonPatch.reason().contains("only full-object patches are supported"), jsonPatch.reason());
  }

  @Test
  void doubleEncodedContentIsAccepted() throws Exception {
    String quoted = json.writeValueAsString(VS_JSON); // the object as one JSON string
    Accept accept = assertInstanceOf(Accept.class, decode(envelope("update", "shop/virtualservice/reviews", quoted)));
    assertEquals(VS, accept.event().key());
    Reject notJson = rejected(envelope("update", "shop/virtualservice/reviews", "\"apiVersion: v1 {\""));
    assertTrue(notJson.reason().startsWith("content is a string but not a JSON object"), notJson.reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"kube-system/lease/edge-1", "null/node/edge-1", "default/podlist",
      "default/devicetwin/sensor-1", "membership", ""})
  void kindsThatAreNotOursAreIgnored(String resource) {
    assertInstanceOf(Ignore.class, decode(envelope("insert", resource, "{\"kind\":\"Whatever\"}")));
  }

  @Test
  void podsAreOursAndObjectsWithoutTypeGetItFromTheRoute() {
    String pod = "{\"metadata\":{\"name\":\"reviews-v1-5f7\",\"namespace\":\"shop\",\"labels\":{\"app\":\"reviews\"}},"
        + "\"status\":{\"podIP\":\"10.0.0.7\"}}";
    Accept accept = assertInstanceOf(Accept.class, decode(envelope("insert", "shop/pod/reviews-v1-5f7", pod)));
    assertEquals(ResourceKey.of(Kind.POD, "shop", "reviews-v1-5f7"), accept.event().key());
    assertEquals("Pod", accept.event().resource().orElseThrow().manifest().path("kind").asText());
    ObjectNode untyped = (ObjectNode) readTree(VS_JSON);
    untyped.remove("apiVersion");
    untyped.remove("kind");
    Accept vs = assertInstanceOf(Accept.class, decode(envelope("update", "shop/virtualservice/reviews", untyped.toString())));
    assertEquals("networking.istio.io/v1", vs.event().resource().orElseThrow().manifest().path("apiVersion").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"query", "response", "error", "keepalive"})
  void operationsThatAreNotChangesAreIgnored(String operation) {
    Ignore ignore = assertInstanceOf(Ignore.class, decode(envelope(operation, "shop/virtualservice/reviews", VS_JSON)));
    assertTrue(ignore.why().contains(operation), ignore.why());
  }

  @Test
  void contentNamingAnotherResourceIsRejected() {
    Reject name = rejected(envelope("update", "shop/virtualservice/ratings", VS_JSON));
    assertEquals(Optional.of(ResourceKey.of(Kind.VIRTUAL_SERVICE, "shop", "ratings")), name.key());
    assertTrue(name.reason().startsWith("route.resource says virtualservice/shop/ratings but content is virtualservice/shop/reviews"),
        name.reason());
    assertTrue(rejected(envelope("update", "other/virtualservice/reviews", VS_JSON)).reason().contains("but content is"));
    assertTrue(rejected(envelope("update", "shop/gateway/reviews", VS_JSON)).reason().contains("but content is"));
  }

  @Test
  void ourKindsWithBadContentOrRouteAreRejected() {
    ObjectNode noVersion = (ObjectNode) readTree(VS_JSON);
    noVersion.remove("apiVersion");
    assertEquals("apiVersion: required",
        rejected(envelope("insert", "shop/virtualservice/reviews", noVersion.toString())).reason());
    assertEquals("insert without content", rejected(envelope("insert", "shop/virtualservice/reviews", null)).reason());
    assertEquals("insert without content", rejected(envelope("insert", "shop/virtualservice/reviews", "null")).reason());
    assertTrue(rejected(envelope("insert", "shop/virtualservice", VS_JSON)).reason().startsWith("route.resource must be"));
    assertTrue(rejected(envelope("insert", "null/virtualservice/reviews", VS_JSON)).reason().contains("no namespace"));
  }

  @Test
  void garbageIsRejectedWithoutQuotingIt() {
    Reject garbage = rejected("{\"route\": S3CRET-TOKEN");
    assertTrue(garbage.reason().startsWith("not a KubeEdge message: not valid JSON (line 1"), garbage.reason());
    assertFalse(garbage.reason().contains("S3CRET"), garbage.reason());
    assertEquals(Optional.empty(), garbage.key());
    assertTrue(rejected("[1,2]").reason().startsWith("not a KubeEdge message"));
    assertTrue(rejected("").reason().startsWith("not a KubeEdge message"));
    assertEquals("not a KubeEdge message: no route object",
        rejected("{\"router\":{\"operation\":\"insert\",\"resource\":\"shop/virtualservice/reviews\"}}").reason());
  }

  @Test
  void oversizedPayloadsAreNotParsed() {
    KubeEdgeEnvelopeDecoder small = new KubeEdgeEnvelopeDecoder(new ResourceReader(), 100);
    Decision decision = small.decode(TOPIC, envelope("insert", "shop/virtualservice/reviews", VS_JSON).getBytes(UTF_8));
    assertTrue(assertInstanceOf(Reject.class, decision).reason().contains("exceeds the limit of 100 bytes"));
  }

  private com.fasterxml.jackson.databind.JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
