package io.edgegw.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/** A watcher that hands every watch to {@code cache}: the base of the ones that correct one of its traps. */
abstract class ForwardingConfigWatcher implements ConfigWatcher {
  protected final ConfigWatcher cache;

  ForwardingConfigWatcher(ConfigWatcher cache) {
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
      Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    return cache.createWatch(ads, request, knownResourceNames, responseConsumer, hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    return cache.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }
}
