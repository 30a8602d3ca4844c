package io.edgegw.server;

import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.translator.model.ResourceKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Every input's status, plus input that could not even be read (keyed by origin: file or topic).
 * Immutable; the config loop replaces it as a whole.
 */
public record StatusBoard(
    ImmutableSortedMap<ResourceKey, ResourceStatus> resources,
    ImmutableSortedMap<String, String> unreadable) {
  public static final StatusBoard EMPTY = new StatusBoard(ImmutableSortedMap.of(), ImmutableSortedMap.of());

  public StatusBoard {
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(unreadable, "unreadable");
  }

  public Optional<ResourceStatus> of(ResourceKey key) {
    return Optional.ofNullable(resources.get(key));
  }

  /** How many inputs are in each state, as the gateway's announcement carries them. */
  public GatewayAnnouncement.Counts counts() {
    int[] n = new int[ResourceStatus.State.values().length];
    resources.values().forEach(r -> n[r.state().ordinal()]++);
    return new GatewayAnnouncement.Counts(n[ResourceStatus.State.ACCEPTED.ordinal()],
        n[ResourceStatus.State.APPLIED.ordinal()], n[ResourceStatus.State.REJECTED.ordinal()],
        n[ResourceStatus.State.REJECTED_BY_ENVOY.ordinal()]);
  }
}
