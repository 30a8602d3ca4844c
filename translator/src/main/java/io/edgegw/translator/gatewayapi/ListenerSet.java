package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;

/**
 * A ListenerSet ({@code gateway.networking.k8s.io/v1}): listeners its {@code parentRef} Gateway takes
 * in when that Gateway's {@code allowedListeners} permits ({@link ListenerSets}). Listeners are
 * decoded as a Gateway's; {@code index} is the position in this object's {@code spec.listeners}.
 *
 * @param parentGroup {@code spec.parentRef.group} ({@code gateway.networking.k8s.io} by default)
 * @param parentKind {@code spec.parentRef.kind} ({@code Gateway} by default)
 * @param parentNamespace the parent's namespace, the ListenerSet's by default
 */
public record ListenerSet(
    ResourceKey key,
    String created,
    String parentGroup,
    String parentKind,
    String parentNamespace,
    String parentName,
    ImmutableList<ApiGateway.Listener> listeners) {}
