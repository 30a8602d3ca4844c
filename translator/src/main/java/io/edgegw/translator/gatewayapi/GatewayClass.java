package io.edgegw.translator.gatewayapi;

import io.edgegw.translator.model.ResourceKey;

/** A GatewayClass: which controller serves the Gateways of this class. Cluster-scoped (namespace {@code default}). */
public record GatewayClass(ResourceKey key, String controllerName) {}
