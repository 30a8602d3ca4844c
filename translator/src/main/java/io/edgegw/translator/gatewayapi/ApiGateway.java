package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * A Gateway API Gateway ({@code gateway.networking.k8s.io}), named so to keep it apart from Istio's
 * {@code istio.Gateway}. Its HTTP listeners, and
 * apart its TCP and TLS passthrough listeners ({@link L4Listener}); others are reported when decoded.
 */
public record ApiGateway(
    ResourceKey key,
    String created,
    String className,
    ImmutableList<Listener> listeners,
    ImmutableList<L4Listener> l4Listeners) {
  /**
   * An HTTP listener. {@code index} is its position in {@code spec.listeners} (for field paths);
   * {@code allNamespaces}: {@code allowedRoutes.namespaces.from: All}, else Same.
   */
  public record Listener(int index, String name, int port, Optional<String> hostname, boolean allNamespaces) {}
}
