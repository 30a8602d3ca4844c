package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;

/**
 * A TCPRoute or a TLSRoute (passthrough): connections to the listeners it attaches to (for a
 * TLSRoute, with one of its {@code hostnames} as TLS server name) go to its backends, by weight.
 * Only the first rule exists (both kinds allow one); {@code hostnames} is empty for a TCPRoute.
 */
public record L4Route(
    ResourceKey key,
    String created,
    L4Listener.Protocol protocol,
    ImmutableList<HttpRoute.ParentRef> parents,
    ImmutableList<String> hostnames,
    ImmutableList<HttpRoute.BackendRef> backends) {}
