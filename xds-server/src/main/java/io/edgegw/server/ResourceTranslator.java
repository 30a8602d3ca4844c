package io.edgegw.server;

import io.edgegw.translator.Translation;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;

/** Turns every accepted input into Envoy resources. In production: {@code Translator::translate}. */
@FunctionalInterface
public interface ResourceTranslator {
  Translation translate(InputSet inputs, GatewayIdentity identity);
}
