package io.edgegw.server;

import java.util.Objects;

/**
 * What the sidecar needs from the other modules, as small interfaces so this module's wiring and
 * tests do not depend on their internals. {@code Components} for production are assembled in {@code
 * io.edgegw.server.cli.CliComponents#production()}.
 */
public record Components(
    ResourceValidator validator,
    ResourceTranslator translator,
    EnvoyRenderer renderer,
    MqttSourceFactory mqttSources) {
  public Components {
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(translator, "translator");
    Objects.requireNonNull(renderer, "renderer");
    Objects.requireNonNull(mqttSources, "mqttSources");
  }
}
