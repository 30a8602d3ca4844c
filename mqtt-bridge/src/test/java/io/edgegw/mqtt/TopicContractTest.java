package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicContractTest {
  private final TopicContract topics = TopicContract.defaults();

  @Test
  void resourceTopicIsPrefixGatewayKindNamespaceName() {
    ResourceKey key = ResourceKey.of(Kind.VIRTUAL_SERVICE, "shop", "reviews");
    assertEquals("edgegw/default/resources/virtualservice/shop/reviews", topics.resourceTopic(key));
    assertEquals("edgegw/default/status/virtualservice/shop/reviews", topics.statusTopic(key));
    assertEquals("edgegw/default/resources/#", topics.resourceFilter());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyKindRoundTrips(Kind kind) {
    ResourceKey key = ResourceKey.of(kind, "ns", "name.with.dots");
    assertEquals(Optional.of(key), topics.parseResourceTopic(topics.resourceTopic(key)));
  }

  @Test
  void theTwoGatewayKindsHaveTheirOwnTopics() {
    TopicContract topics = TopicContract.defaults();
    assertEquals("edgegw/default/resources/gateway/web/gw", topics.resourceTopic(ResourceKey.of(Kind.GATEWAY, "web", "gw")));
    assertEquals("edgegw/default/resources/gateways.gateway.networking.k8s.io/web/gw",
        topics.resourceTopic(ResourceKey.of(Kind.K8S_GATEWAY, "web", "gw")));
    assertEquals(Optional.of(ResourceKey.of(Kind.HTTP_ROUTE, "web", "r")),
        topics.parseResourceTopic("edgegw/default/resources/httproutes.gateway.networking.k8s.io/web/r"));
    assertEquals("edgegw/default/status/gateways.gateway.networking.k8s.io/web/gw",
        topics.statusTopic(ResourceKey.of(Kind.K8S_GATEWAY, "web", "gw")));
  }

  @Test
  void multiLevelPrefixAndOtherGateway() {
    TopicContract site = new TopicContract("site-a/edge", "gw-1");
    ResourceKey key = ResourceKey.of(Kind.GATEWAY, "default", "gw");
    assertEquals("site-a/edge/gw-1/resources/gateway/default/gw", site.resourceTopic(key));
    assertEquals(Optional.of(key), site.parseResourceTopic("site-a/edge/gw-1/resources/gateway/default/gw"));
    assertEquals(Optional.empty(), site.parseResourceTopic("edgegw/gw-1/resources/gateway/default/gw"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "edgegw/default/resources/gateway/default",              // too few levels
      "edgegw/default/resources/gateway/default/gw/extra",     // too many levels
      "edgegw/default/resources/gateway/default/gw/",          // trailing slash
      "edgegw/default/resources/kafkatopic/default/gw",        // unknown kind
      "edgegw/default/resources/Gateway/default/gw",           // kinds are lower case
      "edgegw/default/resources/gateway//gw",                  // empty namespace
      "edgegw/default/resources//default/gw",                  // empty kind
      "edgegw/other/resources/gateway/default/gw",             // another gateway
      "edgegw/default/status/gateway/default/gw",              // not a resource topic
      "elsewhere/default/resources/gateway/default/gw",
      ""})
  void rejectsTopicsThatAreNotResourceTopics(String topic) {
    assertEquals(Optional.empty(), topics.parseResourceTopic(topic));
    assertTrue(topics.problemWith(topic).isPresent());
  }

  @Test
  void unknownKindIsNamedInTheProblem() {
    String problem = topics.problemWith("edgegw/default/resources/kafkatopic/default/gw").orElseThrow();
    assertTrue(problem.contains("'kafkatopic'"), problem);
    assertTrue(problem.contains("virtualservice"), problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/", "/a", "a//b", "a/+", "#"})
  void rejectsInvalidPrefixes(String prefix) {
    assertThrows(IllegalArgumentException.class, () -> new TopicContract(prefix, "default"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "+", "gw#"})
  void rejectsInvalidGatewayIds(String gatewayId) {
    assertThrows(IllegalArgumentException.class, () -> new TopicContract("edgegw", gatewayId));
  }

  @Test
  void statusTopicsSitBesideTheResources() {
    TopicContract site = new TopicContract("site-a/edge", "gw-1");
    assertEquals("site-a/edge/gw-1/status/gateway", site.gatewayStatusTopic());
    assertEquals("site-a/edge/gw-1/status/gateway/shop/public-gw",
        site.statusTopic(ResourceKey.of(Kind.GATEWAY, "shop", "public-gw")));
  }
}
