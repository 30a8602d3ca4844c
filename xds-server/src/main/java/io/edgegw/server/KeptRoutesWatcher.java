package io.edgegw.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Never tells Envoy over delta xDS that a route configuration was removed. Envoy ignores such a removal
 * (it logs an error and keeps the route configuration while it is subscribed), but java-control-plane,
 * once Envoy acknowledged it, forgets that Envoy holds the resource and, as Envoy does not subscribe again,
 * never sends it when it comes back (docs/architecture.md, trap 6). Route scopes meet exactly that: a port
 * moving to one route configuration keeps its scopes in Envoy (`ScopedRoutesServer`), and their route
 * configurations with them, so when the port takes scopes up again its hosts' route configurations must be
 * resent whenever they differ from what Envoy still holds. Without the removal the cache keeps tracking
 * them at the version Envoy has.
 */
final class KeptRoutesWatcher extends ForwardingConfigWatcher {
  KeptRoutesWatcher(ConfigWatcher cache) {
    super(cache);
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    Consumer<DeltaResponse> consumer = responseConsumer;
    if (Resources.V3.ROUTE_TYPE_URL.equals(request.getTypeUrl())) {
      consumer = r -> responseConsumer.accept(r.removedResources().isEmpty() ? r
          : DeltaResponse.create(r.request(), new HashMap<>(r.resources()), List.of(), r.version()));
    }
    return cache.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
        consumer, hasClusterChanged);
  }
}
