package io.edgegw.server;

import java.util.Objects;
import java.util.Optional;

/** How to reach the node's MQTT broker and which topics belong to this gateway. */
public record MqttOptions(
    String serverUri,
    String clientId,
    Optional<String> username,
    Optional<String> password,
    int maxPayloadBytes,
    String topicPrefix,
    String gatewayId) {
  public MqttOptions {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(topicPrefix, "topicPrefix");
    Objects.requireNonNull(gatewayId, "gatewayId");
  }

  @Override
  public String toString() {
    // Never print the password.
    return "MqttOptions[" + serverUri + ", clientId=" + clientId + ", user=" + username.orElse("-")
        + ", topics=" + topicPrefix + "/" + gatewayId + "]";
  }
}
