package io.edgegw.translator.gatewayapi.status;

import java.util.Objects;

/**
 * One condition as the translation decides it; {@code observedGeneration} and {@code
 * lastTransitionTime} are added when it is rendered ({@link ObjectStatus#toJson}).
 *
 * @param type {@code Accepted}, {@code Programmed}, {@code ResolvedRefs}, {@code Conflicted}
 */
public record Condition(String type, boolean status, Reason reason, String message) {
  public static final String ACCEPTED = "Accepted";
  public static final String PROGRAMMED = "Programmed";
  public static final String RESOLVED_REFS = "ResolvedRefs";
  public static final String CONFLICTED = "Conflicted";
  /** A Gateway's: some listener lets clients through without a valid certificate. */
  public static final String INSECURE_FRONTEND_VALIDATION_MODE = "InsecureFrontendValidationMode";

  public Condition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** Whether this condition says something is wrong: Conflicted True, any other False. */
  public boolean troubled() {
    return type.equals(CONFLICTED) == status;
  }
}
