package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.Map;
import java.util.Optional;

/**
 * The differences between what each gateway should hold and what the broker retains for it. Pure.
 * Only gateways that announced their labels are placed: for one that did not (an older sidecar, or
 * an id nobody announced) nothing is known, so nothing is published or deleted there.
 */
public final class Reconciler {
  /** One retained publish: a payload, or empty to delete. The payload is copied in and out: arrays are mutable. */
  public record Change(String gatewayId, ResourceKey key, Optional<byte[]> payload) {
    public Change {
      payload = payload.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> payload() {
      return payload.map(byte[]::clone);
    }

    public boolean delete() {
      return payload.isEmpty();
    }
  }

  private Reconciler() {}

  public static ImmutableList<Change> changes(Placement.Sources sources, BrokerView view) {
    ImmutableList.Builder<Change> out = ImmutableList.builder();
    for (Map.Entry<String, GatewayAnnouncement> gateway : view.gateways().entrySet()) {
      Optional<Map<String, String>> labels = gateway.getValue().labels();
      if (labels.isEmpty()) {
        continue;
      }
      String id = gateway.getKey();
      Map<ResourceKey, Resource> desired = sources.placeOn(labels.get());
      Map<ResourceKey, BrokerView.Retained> retained = view.resourcesOf(id);
      for (Map.Entry<ResourceKey, Resource> want : desired.entrySet()) {
        byte[] payload = Payloads.of(want.getValue());
        BrokerView.Retained have = retained.get(want.getKey());
        if (have == null || !have.digest().equals(Payloads.digest(payload))) {
          out.add(new Change(id, want.getKey(), Optional.of(payload)));
        }
      }
      for (ResourceKey held : retained.keySet()) {
        if (!desired.containsKey(held)) {
          out.add(new Change(id, held, Optional.empty()));
        }
      }
    }
    return out.build();
  }
}
