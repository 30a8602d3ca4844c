package io.edgegw.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Answers a state-of-the-world RDS or EDS request with the resources the snapshot has, even when it
 * names others too. In ADS mode java-control-plane holds such an answer back until every name is in a
 * snapshot (docs/architecture.md, trap 2), but Envoy keeps asking for the route configuration of a listener it is
 * draining: after a Gateway port changed (or a restart under a new port map), the new listener's route
 * configuration then never came, and the new listener stayed warming. Our snapshots are consistent by
 * construction, which is what the hold-back protects; for RDS and EDS the protocol lets a response
 * carry a subset of the names asked for, and Envoy keeps the others as they are.
 */
final class SubsetAnsweringWatcher extends ForwardingConfigWatcher {
  SubsetAnsweringWatcher(ConfigWatcher cache) {
    super(cache);
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
      Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    // ads=false only turns off that hold-back: the stream stays one ADS stream, in the same order.
    return cache.createWatch(false, request, knownResourceNames, responseConsumer, hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }
}
