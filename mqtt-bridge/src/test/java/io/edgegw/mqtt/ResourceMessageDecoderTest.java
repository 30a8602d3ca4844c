package io.edgegw.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.mqtt.ResourceMessageDecoder.Accept;
import io.edgegw.mqtt.ResourceMessageDecoder.Decision;
import io.edgegw.mqtt.ResourceMessageDecoder.Reject;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResourceMessageDecoderTest {
  private static final String GATEWAY_TOPIC = "edgegw/default/resources/gateway/shop/public-gw";
  private static final ResourceKey GATEWAY_KEY = ResourceKey.of(Kind.GATEWAY, "shop", "public-gw");
  private static final String GATEWAY_YAML = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata:
        name: public-gw
        namespace: shop
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*.example.com"]
      """;

  private final ResourceMessageDecoder decoder =
      new ResourceMessageDecoder(TopicContract.defaults(), new ResourceReader(), 4096);

  private Reject rejected(String topic, String payload) {
    return rejected(topic, payload.getBytes(UTF_8));
  }

  private Reject rejected(String topic, byte[] payload) {
    Decision decision = decoder.decode(topic, payload);
    Reject reject = assertInstanceOf(Reject.class, decision);
    assertEquals("mqtt:" + topic, reject.origin());
    return reject;
  }

  @Test
  void yamlPayloadMatchingTheTopicIsAnUpsert() {
    Accept accept = assertInstanceOf(Accept.class, decoder.decode(GATEWAY_TOPIC, GATEWAY_YAML.getBytes(UTF_8)));
    ResourceEvent event = accept.event();
    assertEquals(ResourceEvent.Type.UPSERT, event.type());
    assertEquals(GATEWAY_KEY, event.key());
    assertEquals("mqtt:" + GATEWAY_TOPIC, event.origin());
    assertEquals("*.example.com", event.resource().orElseThrow().spec().path("servers").get(0).path("hosts").get(0).asText());
  }

  @Test
  void jsonPayloadIsAnUpsertToo() {
    String json = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"reviews","namespace":"shop"},
         "spec":{"ports":[{"port":9080}]}}""";
    Accept accept = assertInstanceOf(Accept.class,
        decoder.decode("edgegw/default/resources/service/shop/reviews", json.getBytes(UTF_8)));
    assertEquals(ResourceKey.of(Kind.SERVICE, "shop", "reviews"), accept.event().key());
  }

  @Test
  void emptyPayloadIsADelete() {
    Accept accept = assertInstanceOf(Accept.class, decoder.decode(GATEWAY_TOPIC, new byte[0]));
    assertEquals(ResourceEvent.delete(GATEWAY_KEY, "mqtt:" + GATEWAY_TOPIC), accept.event());
  }

  @Test
  void nameDifferentFromTheTopicIsRejectedNamingBoth() {
    Reject reject = rejected("edgegw/default/resources/gateway/shop/other-gw", GATEWAY_YAML);
    assertEquals(Optional.of(ResourceKey.of(Kind.GATEWAY, "shop", "other-gw")), reject.key());
    assertTrue(reject.reason().contains("topic says gateway/shop/other-gw but payload is gateway/shop/public-gw"),
        reject.reason());
  }

  @Test
  void kindOrNamespaceDifferentFromTheTopicIsRejected() {
    assertTrue(rejected("edgegw/default/resources/virtualservice/shop/public-gw", GATEWAY_YAML)
        .reason().contains("payload is gateway/shop/public-gw"));
    String noNamespace = GATEWAY_YAML.replace("  namespace: shop\n", "");
    assertTrue(rejected(GATEWAY_TOPIC, noNamespace).reason().contains("payload is gateway/default/public-gw"));
  }

  @Test
  void unknownKindInTheTopicIsRejectedWithoutAKey() {
    Reject reject = rejected("edgegw/default/resources/ingress/shop/web", GATEWAY_YAML);
    assertEquals(Optional.empty(), reject.key());
    assertTrue(reject.reason().contains("unknown kind 'ingress'"), reject.reason());
  }

  @Test
  void malformedTopicIsRejectedEvenForADelete() {
    Reject reject = rejected("edgegw/default/resources/gateway/shop", new byte[0]);
    assertEquals(Optional.empty(), reject.key());
  }

  @Test
  void tooLargePayloadIsRejectedWithoutBeingParsed() {
    byte[] big = new byte[4097];
    Arrays.fill(big, (byte) '{'); // would be a parse error if it were parsed
    Reject reject = rejected(GATEWAY_TOPIC, big);
    assertEquals(Optional.of(GATEWAY_KEY), reject.key());
    assertEquals("payload of 4097 bytes exceeds the limit of 4096 bytes; not parsed", reject.reason());
  }

  @Test
  void payloadAtTheLimitIsRead() {
    String padded = GATEWAY_YAML + "#".repeat(4096 - GATEWAY_YAML.length());
    assertEquals(4096, padded.getBytes(UTF_8).length);
    assertInstanceOf(Accept.class, decoder.decode(GATEWAY_TOPIC, padded.getBytes(UTF_8)));
  }

  @Test
  void garbageBytesAreRejectedWithTheParseError() {
    Reject reject = rejected(GATEWAY_TOPIC, new byte[] {(byte) 0xff, 0x00, (byte) 0xfe, '{', ':', ']'});
    assertEquals(Optional.of(GATEWAY_KEY), reject.key());
    assertFalse(reject.reason().isBlank());
  }

  @Test
  void scalarAndInvalidManifestsAreRejectedWithTheReadersReason() {
    assertTrue(rejected(GATEWAY_TOPIC, "just text").reason().contains("must be an object"));
    assertTrue(rejected(GATEWAY_TOPIC, GATEWAY_YAML.replace("kind: Gateway", "kind: Ingress"))
        .reason().contains("unsupported kind Ingress"));
  }

  @Test
  void twoDocumentsAreRejected() {
    Reject reject = rejected(GATEWAY_TOPIC, GATEWAY_YAML + "---\n" + GATEWAY_YAML);
    assertEquals("expected one document, got 2", reject.reason());
  }

  @Test
  void whitespaceIsNotADelete() {
    assertEquals("expected one document, got 0", rejected(GATEWAY_TOPIC, " \n").reason());
  }

  @Test
  void deeplyNestedPayloadIsRejectedNotThrown() {
    String deep = "[".repeat(3000) + "]".repeat(3000);
    ResourceMessageDecoder roomy = new ResourceMessageDecoder(TopicContract.defaults(), new ResourceReader(), 1 << 20);
    assertInstanceOf(Reject.class, roomy.decode(GATEWAY_TOPIC, deep.getBytes(UTF_8)));
  }

  @Test
  void reasonsNeverQuoteSecretData() {
    String secret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: tls, namespace: shop}
        data: {tls.key: UFJJVkFURS1LRVktTUFURVJJQUw=}
        """;
    Reject reject = rejected("edgegw/default/resources/secret/shop/other", secret);
    assertFalse(reject.reason().contains("UFJJVkFURS"), reject.reason());
  }
}
