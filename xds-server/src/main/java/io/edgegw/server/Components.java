package io.edgegw.server;

import io.edgegw.translator.TranslationMemo;
import io.edgegw.translator.Translator;
import io.edgegw.translator.gatewayapi.GatewayApiFrontEnd;
import java.util.Objects;

/**
 * The translator as two functions, so the config loop can be tested with small stand-ins; {@link
 * #production()} is the real {@link Translator}.
 */
public record Components(ResourceValidator validator, ResourceTranslator translator) {
  public Components {
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(translator, "translator");
  }

  public static Components production() {
    return production(GatewayApiFrontEnd.DEFAULT_CONTROLLER);
  }

  /** Serving the Gateway API Gateways whose GatewayClass has {@code gatewayController} as controllerName. */
  public static Components production(String gatewayController) {
    Translator translator = new Translator(gatewayController);
    // The config loop is the only caller of both, on its one thread: it may keep a memo between
    // translations, and a translation may take the decode of the change it just validated.
    TranslationMemo memo = new TranslationMemo();
    return new Components(
        resource -> translator.validate(resource, memo),
        (inputs, identity) -> translator.translate(inputs, identity, memo));
  }
}
