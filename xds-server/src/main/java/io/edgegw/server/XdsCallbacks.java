package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells ACKs from NACKs on the xDS streams. java-control-plane calls us on gRPC threads; we only hand
 * each event to the config loop, which owns all state here and in {@link SnapshotPublisher}: a NACK
 * rolls the cache back on that thread, never on a gRPC thread.
 *
 * <p>A NACK names the nonce of the response it rejects, and carries in {@code version_info} the last
 * version Envoy accepted; so we remember, per stream, which version each nonce carried.
 */
public final class XdsCallbacks implements DiscoveryServerCallbacks {
  private static final Logger log = LoggerFactory.getLogger(XdsCallbacks.class);
  private static final int NONCES_PER_STREAM = 32;

  private final Executor loop;
  private final SnapshotPublisher publisher;
  private final Consumer<SnapshotPublisher.Rollback> onRollback;
  private final Metrics metrics;
  private final Clock clock;

  // Owned by the config loop thread.
  private final TreeMap<Long, Stream> streams = new TreeMap<>();
  private final TreeMap<String, String> ackedVersionByType = new TreeMap<>();
  private final TreeMap<String, XdsStatus.Nack> lastNackByNode = new TreeMap<>();
  private volatile XdsStatus status = XdsStatus.EMPTY;

  private record Sent(String typeUrl, String version) {}

  private static final class Stream {
    final Instant opened;
    String nodeId = "";
    String cluster = "";
    final TreeMap<String, XdsStatus.Ack> acked = new TreeMap<>();
    final TreeMap<String, XdsStatus.Nack> nacked = new TreeMap<>();
    final TreeSet<String> rejecting = new TreeSet<>(); // types whose last answer was a NACK

    Stream(Instant opened) {
      this.opened = opened;
    }

    final LinkedHashMap<String, Sent> sentByNonce = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Sent> eldest) {
        return size() > NONCES_PER_STREAM;
      }
    };
  }

  public XdsCallbacks(Executor loop, SnapshotPublisher publisher, Consumer<SnapshotPublisher.Rollback> onRollback) {
    this(loop, publisher, onRollback, Metrics.unregistered(), Clock.systemUTC());
  }

  public XdsCallbacks(Executor loop, SnapshotPublisher publisher, Consumer<SnapshotPublisher.Rollback> onRollback,
      Metrics metrics, Clock clock) {
    this.loop = Objects.requireNonNull(loop, "loop");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.onRollback = Objects.requireNonNull(onRollback, "onRollback");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Hands {@code task} to the config loop; after shutdown (streams closing at exit) it is dropped. */
  private void onLoop(Runnable task) {
    try {
      loop.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("handling an xDS event failed", e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("config loop stopped; xDS event dropped");
    }
  }

  /** Safe from any thread. */
  public XdsStatus status() {
    return status;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    onLoop(() -> {
      stream(streamId);
      publishStatus();
    });
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    onLoop(() -> closed(streamId));
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    onLoop(() -> closed(streamId));
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    String error = request.hasErrorDetail() ? request.getErrorDetail().getMessage() : null;
    Request r = new Request(streamId, nodeIdOf(request.hasNode(), request.getNode()),
        clusterOf(request.hasNode(), request.getNode()), request.getTypeUrl(), request.getResponseNonce(), error);
    onLoop(() -> onRequest(r));
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    String error = request.hasErrorDetail() ? request.getErrorDetail().getMessage() : null;
    Request r = new Request(streamId, nodeIdOf(request.hasNode(), request.getNode()),
        clusterOf(request.hasNode(), request.getNode()), request.getTypeUrl(), request.getResponseNonce(), error);
    onLoop(() -> onRequest(r));
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    Sent sent = new Sent(response.getTypeUrl(), response.getVersionInfo());
    String nonce = response.getNonce();
    onLoop(() -> stream(streamId).sentByNonce.put(nonce, sent));
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    Sent sent = new Sent(response.getTypeUrl(), response.getSystemVersionInfo());
    String nonce = response.getNonce();
    onLoop(() -> stream(streamId).sentByNonce.put(nonce, sent));
  }

  /** What one request says, copied off the gRPC thread. {@code error} is null for a non-NACK. */
  private record Request(long streamId, String nodeId, String cluster, String typeUrl, String nonce, String error) {}

  private void onRequest(Request r) {
    Stream stream = stream(r.streamId());
    if (!r.nodeId().isEmpty()) {
      stream.nodeId = r.nodeId(); // Envoy sends its node only on the first request of a stream
      stream.cluster = r.cluster();
    }
    publisher.onSubscribed(r.typeUrl());
    Sent sent = r.nonce().isEmpty() ? null : stream.sentByNonce.get(r.nonce());
    if (sent == null) {
      if (r.error() != null) {
        log.warn("Envoy {} rejected {} (nonce {} not ours, ignored): {}", nodeName(stream),
            SnapshotPublisher.shortType(r.typeUrl()), r.nonce(), oneLine(r.error()));
      }
      return; // first request of a type, or a reply to a response of an earlier stream
    }
    if (r.error() == null) {
      ackedVersionByType.put(sent.typeUrl(), sent.version());
      stream.acked.put(sent.typeUrl(), new XdsStatus.Ack(sent.version(), clock.instant()));
      stream.rejecting.remove(sent.typeUrl());
      metrics.ack(AdminServer.typeName(sent.typeUrl()));
      publisher.onAck(sent.typeUrl(), sent.version());
    } else {
      String message = oneLine(r.error());
      log.warn("Envoy {} rejected {} version {}: {}", nodeName(stream), SnapshotPublisher.shortType(sent.typeUrl()),
          shortVersion(sent.version()), message);
      XdsStatus.Nack nack =
          new XdsStatus.Nack(
              nodeName(stream), sent.typeUrl(), sent.version(), message, clock.instant());
      lastNackByNode.put(nodeName(stream), nack);
      stream.nacked.put(sent.typeUrl(), nack);
      stream.rejecting.add(sent.typeUrl());
      metrics.nack(AdminServer.typeName(sent.typeUrl()));
      publisher.onNack(sent.typeUrl(), sent.version(), message).ifPresent(onRollback);
    }
    publishStatus();
  }

  private void closed(long streamId) {
    streams.remove(streamId);
    publishStatus();
  }

  private Stream stream(long streamId) {
    return streams.computeIfAbsent(streamId, id -> new Stream(clock.instant()));
  }

  private void publishStatus() {
    status = new XdsStatus(ImmutableSortedMap.copyOfSorted(ackedVersionByType),
        ImmutableSortedMap.copyOfSorted(lastNackByNode), streams.size(), clients());
  }

  /** Streams grouped by node id (with ADS one per Envoy; one per type without); unnamed streams alone. */
  private ImmutableList<XdsStatus.Client> clients() {
    Map<String, List<Map.Entry<Long, Stream>>> byNode =
        streams.entrySet().stream()
            .collect(
                Collectors.groupingBy(
                    e -> e.getValue().nodeId.isEmpty() ? "#" + e.getKey() : e.getValue().nodeId,
                    TreeMap::new,
                    Collectors.toList()));
    ImmutableList.Builder<XdsStatus.Client> clients = ImmutableList.builder();
    for (List<Map.Entry<Long, Stream>> group : byNode.values()) {
      TreeMap<String, XdsStatus.Ack> acked = new TreeMap<>();
      TreeMap<String, XdsStatus.Nack> nacked = new TreeMap<>();
      TreeSet<String> rejecting = new TreeSet<>();
      Instant since = Instant.MAX;
      for (Map.Entry<Long, Stream> e : group) {
        Stream s = e.getValue();
        s.acked.forEach((type, ack) -> acked.merge(type, ack, (a, b) -> a.at().isAfter(b.at()) ? a : b));
        s.nacked.forEach((type, nack) -> nacked.merge(type, nack, (a, b) -> a.at().isAfter(b.at()) ? a : b));
        rejecting.addAll(s.rejecting);
        since = since.isBefore(s.opened) ? since : s.opened;
      }
      Stream first = group.get(0).getValue();
      clients.add(new XdsStatus.Client(first.nodeId, first.cluster,
          group.stream().map(Map.Entry::getKey).collect(ImmutableList.toImmutableList()), since,
          ImmutableSortedMap.copyOfSorted(acked), ImmutableSortedMap.copyOfSorted(nacked),
          ImmutableSortedSet.copyOfSorted(rejecting)));
    }
    return clients.build();
  }

  private static String nodeIdOf(boolean hasNode, Node node) {
    return hasNode ? node.getId() : "";
  }

  private static String clusterOf(boolean hasNode, Node node) {
    return hasNode ? node.getCluster() : "";
  }

  private static String nodeName(Stream stream) {
    return stream.nodeId.isEmpty() ? "(unknown node)" : stream.nodeId;
  }

  private static String shortVersion(String version) {
    return version.length() > 12 ? version.substring(0, 12) : version;
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
