package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.StatusPublisher;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The status of a Gateway API object goes into the object's .status only when the Kubernetes source
 * owns it and the translation made one; the MQTT status is published either way.
 */
class KubeStatusPublisherTest {
  private static final ResourceKey ROUTE = ResourceKey.of(Kind.HTTP_ROUTE, "default", "r");
  private static final ResourceKey MQTT_ROUTE = ResourceKey.of(Kind.HTTP_ROUTE, "default", "from-mqtt");
  private static final ResourceKey VS = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "vs");

  private final List<String> mqtt = new ArrayList<>();
  private final List<String> kube = new ArrayList<>();
  private final Map<ResourceKey, String> owners = Map.of(ROUTE, "kube", MQTT_ROUTE, "mqtt", VS, "kube");
  private final KubeStatusPublisher publisher = new KubeStatusPublisher(new StatusPublisher() {
    @Override
    public void publish(ResourceKey key, StatusMessage status) {
      mqtt.add("publish " + key.name());
    }

    @Override
    public void clear(ResourceKey key) {
      mqtt.add("clear " + key.name());
    }
  }, (key, status) -> kube.add("write " + key.name() + " " + status), key -> kube.add("forget " + key.name()),
      key -> Optional.ofNullable(owners.get(key)));

  private static StatusMessage withStatus() {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.putArray("parents").addObject().put("controllerName", "edgegw.io/gateway");
    return StatusMessage.applied("v1", List.of(), Clock.systemUTC()).withObjectStatus(Optional.of(status));
  }

  @Test
  void writesTheObjectStatusOfWhatTheKubeSourceOwnsOnly() {
    publisher.publish(ROUTE, withStatus());
    publisher.publish(MQTT_ROUTE, withStatus());
    publisher.publish(ROUTE, StatusMessage.applied("v2", List.of(), Clock.systemUTC())); // no objectStatus
    publisher.clear(ROUTE);
    publisher.clear(VS);

    assertEquals(List.of("publish r", "publish from-mqtt", "publish r", "clear r", "clear vs"), mqtt);
    assertEquals(List.of("write r {\"parents\":[{\"controllerName\":\"edgegw.io/gateway\"}]}", "forget r"), kube);
  }
}
