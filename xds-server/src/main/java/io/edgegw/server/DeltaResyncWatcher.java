package io.edgegw.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes a new delta xDS stream start from what Envoy actually holds. java-control-plane ignores the
 * {@code initial_resource_versions} Envoy sends when it (re)connects and computes removals only against
 * what it sent on that stream (docs/architecture.md, trap 3): after a sidecar restart, a listener or cluster deleted in
 * the meantime would stay in Envoy and keep serving. On the first request of a type on a stream we therefore
 * hand the cache every resource Envoy names as tracked at an unknown version: the cache then removes
 * those we no longer have and sends the others once, after which its own tracking is exact again.
 */
final class DeltaResyncWatcher extends ForwardingConfigWatcher {
  /** Matches no content version, so every resource Envoy names is resent or removed. */
  static final String UNKNOWN_VERSION = "";

  DeltaResyncWatcher(ConfigWatcher cache) {
    super(cache);
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    Map<String, String> tracked = resourceVersions;
    // requesterVersion is empty until we answered this type on this stream: a (re)connect.
    if (requesterVersion.isEmpty() && resourceVersions.isEmpty()
        && !request.getInitialResourceVersionsMap().isEmpty()) {
      tracked = new HashMap<>();
      for (String name : request.getInitialResourceVersionsMap().keySet()) {
        tracked.put(name, UNKNOWN_VERSION);
      }
    }
    return cache.createDeltaWatch(request, requesterVersion, tracked, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }
}
