package io.edgegw.server.cli;

import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;

/**
 * Publishes input resources to this gateway's topics (retained), as {@code edgegw publish} does. In
 * production it adapts {@code io.edgegw.mqtt.MqttResourcePublisher}.
 */
public interface MqttPublisher extends AutoCloseable {
  void connect() throws Exception;

  void publish(Resource resource) throws Exception;

  void delete(ResourceKey key) throws Exception;

  @Override
  void close();
}
