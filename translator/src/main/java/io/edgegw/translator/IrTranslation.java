package io.edgegw.translator;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.gatewayapi.status.ObjectStatus;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;

/**
 * The merged IR of every front end, with the diagnostics of the whole translation and the Gateway API
 * objects' statuses.
 */
public record IrTranslation(
    GatewayConfig config,
    ImmutableList<Diagnostic> diagnostics,
    ImmutableMap<ResourceKey, ObjectStatus> statuses) {

  /** Without object statuses. */
  public IrTranslation(GatewayConfig config, ImmutableList<Diagnostic> diagnostics) {
    this(config, diagnostics, ImmutableMap.of());
  }
}
