package io.edgegw.server;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Objects;

/**
 * What the connected Envoys said, at one moment: per xDS type the last version they ACKed, per node
 * the last NACK. Immutable; published by {@link XdsCallbacks} through a volatile reference.
 */
public record XdsStatus(
    ImmutableSortedMap<String, String> ackedVersionByType,
    ImmutableSortedMap<String, Nack> lastNackByNode,
    int openStreams) {
  public static final XdsStatus EMPTY = new XdsStatus(ImmutableSortedMap.of(), ImmutableSortedMap.of(), 0);

  /** One rejection: which type, which version (what we sent), Envoy's message. */
  public record Nack(String nodeId, String typeUrl, String version, String message) {
    public Nack {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(typeUrl, "typeUrl");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(message, "message");
    }
  }

  public XdsStatus {
    Objects.requireNonNull(ackedVersionByType, "ackedVersionByType");
    Objects.requireNonNull(lastNackByNode, "lastNackByNode");
  }

  /** Some Envoy has ACKed at least one type: it is being served by this sidecar. */
  public boolean ready() {
    return !ackedVersionByType.isEmpty();
  }
}
