package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.time.Instant;
import java.util.Objects;

/**
 * What the connected Envoys said, at one moment: per xDS type the last version any of them ACKed, per
 * node the last NACK, and per connected Envoy ({@link Client}) its streams and ACK/NACK state by type.
 * Immutable; published by {@link XdsCallbacks} through a volatile reference.
 */
public record XdsStatus(
    ImmutableSortedMap<String, String> ackedVersionByType,
    ImmutableSortedMap<String, Nack> lastNackByNode,
    int openStreams,
    ImmutableList<Client> clients) {
  public static final XdsStatus EMPTY =
      new XdsStatus(ImmutableSortedMap.of(), ImmutableSortedMap.of(), 0, ImmutableList.of());

  /** One rejection: which type, which version (what we sent), Envoy's message, when. */
  public record Nack(String nodeId, String typeUrl, String version, String message, Instant at) {
    public Nack {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(typeUrl, "typeUrl");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(at, "at");
    }
  }

  /** Envoy accepted {@code version} at {@code at}. */
  public record Ack(String version, Instant at) {
    public Ack {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * One connected Envoy: its node id ({@code ""} until its first request names it), node cluster, the
   * streams it holds, since when, and per type URL the last ACK and the last NACK on those streams;
   * {@code rejecting}: the type URLs whose last answer was a NACK.
   */
  public record Client(
      String nodeId,
      String cluster,
      ImmutableList<Long> streamIds,
      Instant connectedSince,
      ImmutableSortedMap<String, Ack> acked,
      ImmutableSortedMap<String, Nack> nacked,
      ImmutableSortedSet<String> rejecting) {
    public Client {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(streamIds, "streamIds");
      Objects.requireNonNull(connectedSince, "connectedSince");
      Objects.requireNonNull(acked, "acked");
      Objects.requireNonNull(nacked, "nacked");
      Objects.requireNonNull(rejecting, "rejecting");
    }
  }

  public XdsStatus {
    Objects.requireNonNull(ackedVersionByType, "ackedVersionByType");
    Objects.requireNonNull(lastNackByNode, "lastNackByNode");
    Objects.requireNonNull(clients, "clients");
  }

  /** Some Envoy has ACKed at least one type: it is being served by this sidecar. */
  public boolean ready() {
    return !ackedVersionByType.isEmpty();
  }
}
