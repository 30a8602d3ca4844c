package io.edgegw.server;

import io.edgegw.translator.Translator;
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
    Translator translator = new Translator();
    return new Components(translator::validate, translator::translate);
  }
}
