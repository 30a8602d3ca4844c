package io.edgegw.translator;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.model.Diagnostic;

/** The merged IR of every front end, with the diagnostics of the whole translation. */
public record IrTranslation(GatewayConfig config, ImmutableList<Diagnostic> diagnostics) {}
