package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Resource;

/** Checks one input on its own; any ERROR rejects it. In production: {@code Translator::validate}. */
@FunctionalInterface
public interface ResourceValidator {
  ImmutableList<Diagnostic> validate(Resource resource);
}
