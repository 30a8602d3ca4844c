package io.edgegw.translator.gatewayapi.status;

import com.google.common.collect.ImmutableList;

/**
 * One entry of a Gateway's {@code status.listeners}.
 *
 * @param supportedKinds route kinds of group {@code gateway.networking.k8s.io} that may attach
 *     ({@code HTTPRoute}); empty for a listener that is not served
 */
public record ListenerStatus(
    String name,
    ImmutableList<String> supportedKinds,
    int attachedRoutes,
    ImmutableList<Condition> conditions) {}
