package io.edgegw.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.translator.EnvoyResources;

/**
 * Envoy resources as JSON / YAML for people, with secrets redacted. In production: {@code
 * EnvoyJson::toJson} and {@code EnvoyJson::toYaml}.
 */
public interface EnvoyRenderer {
  ObjectNode json(EnvoyResources resources);

  String yaml(EnvoyResources resources);
}
