package io.edgegw.server;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the xDS server sends Envoy: responses, resources, removals and bytes (the serialized
 * size of each response message, i.e. what goes on the wire before gRPC framing), separately for
 * state-of-the-world and delta streams. Lock-free: gRPC threads only add.
 */
public final class XdsTraffic implements DiscoveryServerCallbacks {
  private final LongAdder sotwResponses = new LongAdder();
  private final LongAdder sotwResources = new LongAdder();
  private final LongAdder sotwBytes = new LongAdder();
  private final LongAdder deltaResponses = new LongAdder();
  private final LongAdder deltaResources = new LongAdder();
  private final LongAdder deltaRemovals = new LongAdder();
  private final LongAdder deltaBytes = new LongAdder();

  /** Totals since start; subtract two of them to get what one change cost. */
  public record Totals(long sotwResponses, long sotwResources, long sotwBytes,
      long deltaResponses, long deltaResources, long deltaRemovals, long deltaBytes) {
    public long bytes() {
      return sotwBytes + deltaBytes;
    }

    public long responses() {
      return sotwResponses + deltaResponses;
    }

    public long resources() {
      return sotwResources + deltaResources;
    }

    public Totals minus(Totals earlier) {
      return new Totals(sotwResponses - earlier.sotwResponses, sotwResources - earlier.sotwResources,
          sotwBytes - earlier.sotwBytes, deltaResponses - earlier.deltaResponses,
          deltaResources - earlier.deltaResources, deltaRemovals - earlier.deltaRemovals,
          deltaBytes - earlier.deltaBytes);
    }
  }

  public Totals totals() {
    return new Totals(sotwResponses.sum(), sotwResources.sum(), sotwBytes.sum(),
        deltaResponses.sum(), deltaResources.sum(), deltaRemovals.sum(), deltaBytes.sum());
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {}

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {}

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    sotwResponses.increment();
    sotwResources.add(response.getResourcesCount());
    sotwBytes.add(response.getSerializedSize());
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    deltaResponses.increment();
    deltaResources.add(response.getResourcesCount());
    deltaRemovals.add(response.getRemovedResourcesCount());
    deltaBytes.add(response.getSerializedSize());
  }
}
