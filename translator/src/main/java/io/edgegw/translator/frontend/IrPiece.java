package io.edgegw.translator.frontend;

import com.google.common.collect.ImmutableSetMultimap;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.model.ResourceKey;

/**
 * What one front end contributes: its part of the IR and, per listener name, the resources that
 * made that listener (Gateways), so that a listener two front ends both claim is reported on both
 * sides.
 */
public record IrPiece(
    String frontEnd,
    GatewayConfig config,
    ImmutableSetMultimap<String, ResourceKey> listenerOwners) {}
