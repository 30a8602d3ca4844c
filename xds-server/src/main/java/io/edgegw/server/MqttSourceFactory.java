package io.edgegw.server;

import io.edgegw.translator.model.ResourceSink;

/**
 * Creates the MQTT subscription. In production it adapts {@code io.edgegw.mqtt.MqttResourceSource}
 * (built from {@code MqttSettings} and {@code TopicContract(prefix, gatewayId)}) to {@link Source}.
 */
@FunctionalInterface
public interface MqttSourceFactory {
  Source create(MqttOptions options, ResourceSink sink);
}
