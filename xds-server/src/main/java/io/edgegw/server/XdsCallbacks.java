package io.edgegw.server;

import com.google.common.collect.ImmutableSortedMap;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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

  // Owned by the config loop thread.
  private final Map<Long, Stream> streams = new HashMap<>();
  private final TreeMap<String, String> ackedVersionByType = new TreeMap<>();
  private final TreeMap<String, XdsStatus.Nack> lastNackByNode = new TreeMap<>();
  private volatile XdsStatus status = XdsStatus.EMPTY;

  private record Sent(String typeUrl, String version) {}

  private static final class Stream {
    String nodeId = "";
    final LinkedHashMap<String, Sent> sentByNonce = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Sent> eldest) {
        return size() > NONCES_PER_STREAM;
      }
    };
  }

  public XdsCallbacks(Executor loop, SnapshotPublisher publisher, Consumer<SnapshotPublisher.Rollback> onRollback) {
    this.loop = Objects.requireNonNull(loop, "loop");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.onRollback = Objects.requireNonNull(onRollback, "onRollback");
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
      streams.computeIfAbsent(streamId, id -> new Stream());
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
    Request r = new Request(streamId, nodeIdOf(request.hasNode(), request.getNode()), request.getTypeUrl(),
        request.getResponseNonce(), error);
    onLoop(() -> onRequest(r));
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    String error = request.hasErrorDetail() ? request.getErrorDetail().getMessage() : null;
    Request r = new Request(streamId, nodeIdOf(request.hasNode(), request.getNode()), request.getTypeUrl(),
        request.getResponseNonce(), error);
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
  private record Request(long streamId, String nodeId, String typeUrl, String nonce, String error) {}

  private void onRequest(Request r) {
    Stream stream = stream(r.streamId());
    if (!r.nodeId().isEmpty()) {
      stream.nodeId = r.nodeId(); // Envoy sends its node only on the first request of a stream
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
      publisher.onAck(sent.typeUrl(), sent.version());
    } else {
      String message = oneLine(r.error());
      log.warn("Envoy {} rejected {} version {}: {}", nodeName(stream), SnapshotPublisher.shortType(sent.typeUrl()),
          shortVersion(sent.version()), message);
      lastNackByNode.put(nodeName(stream), new XdsStatus.Nack(nodeName(stream), sent.typeUrl(), sent.version(), message));
      publisher.onNack(sent.typeUrl(), sent.version(), message).ifPresent(onRollback);
    }
    publishStatus();
  }

  private void closed(long streamId) {
    streams.remove(streamId);
    publishStatus();
  }

  private Stream stream(long streamId) {
    return streams.computeIfAbsent(streamId, id -> new Stream());
  }

  private void publishStatus() {
    status = new XdsStatus(ImmutableSortedMap.copyOfSorted(ackedVersionByType),
        ImmutableSortedMap.copyOfSorted(lastNackByNode), streams.size());
  }

  private static String nodeIdOf(boolean hasNode, Node node) {
    return hasNode ? node.getId() : "";
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
