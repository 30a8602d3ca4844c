package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.edgegw.translator.xds.ScopedRoutesDelivery;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.envoyproxy.envoy.service.route.v3.ScopedRoutesDiscoveryServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves route scopes (scoped RDS) on Envoy's {@code DeltaScopedRoutes} stream. java-control-plane cannot
 * serve that type (its resource registry knows five types and throws for any other), so this is our own
 * delta xDS server for it, on the ADS port; the route configurations the scopes name still come over ADS.
 *
 * <p>Envoy opens one stream per HTTP connection manager that uses scoped routes, as a wildcard subscription:
 * it names no resources, so which set of scopes it wants (the {@code scoped_routes.name} R, whose scopes
 * are named {@code R/<host>}) comes in the {@value #HEADER} request header, which the translator puts in
 * that stream's {@code initial_metadata}.
 *
 * <p>Per stream: what Envoy holds (name to version; on a reconnect, its {@code initial_resource_versions},
 * so that scopes deleted meanwhile are removed and unchanged ones not resent: docs/architecture.md, trap 3),
 * and at most one response awaiting its ACK or NACK. The next difference goes out when Envoy answers or,
 * with nothing outstanding, when a snapshot is served ({@link #served}); a new type version with nothing
 * new for the stream's set goes out empty, so that every type version is acknowledged somewhere. A NACKed
 * version is not sent again (trap 1): the NACK reaches {@link XdsCallbacks} as on the other streams, the
 * publisher rolls back, and the rollback is served here like any snapshot.
 *
 * <p>Threads: gRPC calls requests in on its call threads and {@link #served} runs on the config loop; each
 * stream's state and its response observer are touched only under that stream's lock. Snapshots are read
 * through the publisher's volatile {@code current()}.
 */
public final class ScopedRoutesServer
    extends ScopedRoutesDiscoveryServiceGrpc.ScopedRoutesDiscoveryServiceImplBase {
  /** The request header naming the stream's set of scopes: its HTTP connection manager's scoped_routes name. */
  public static final String HEADER = ScopedRoutesDelivery.STREAM_HEADER;

  private static final Logger log = LoggerFactory.getLogger(ScopedRoutesServer.class);
  private static final Metadata.Key<String> HEADER_KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> SCOPE_SET = Context.key(HEADER);
  private static final String TYPE_URL = SnapshotVersions.SCOPES;

  private final Supplier<Optional<SnapshotPublisher.Published>> current;
  private final ResourceEncoder encoder;
  private final ImmutableList<DiscoveryServerCallbacks> callbacks;
  // Counts down from -1: java-control-plane's stream ids count up from 0, and XdsCallbacks keys on them.
  private final AtomicLong lastStreamId = new AtomicLong();
  private final Set<ScopeStream> streams = ConcurrentHashMap.newKeySet();

  public ScopedRoutesServer(Supplier<Optional<SnapshotPublisher.Published>> current, ResourceEncoder encoder,
      List<? extends DiscoveryServerCallbacks> callbacks) {
    this.current = Objects.requireNonNull(current, "current");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.callbacks = ImmutableList.copyOf(callbacks);
  }

  /** This service behind the interceptor that hands each stream its {@value #HEADER}: what to register. */
  public ServerServiceDefinition service() {
    return ServerInterceptors.intercept(this, new HeaderInterceptor());
  }

  /**
   * The publisher served {@code published} (the loop thread calls this after the cache has it): every
   * stream with no response outstanding gets what changed for it.
   */
  public void served(SnapshotPublisher.Published published) {
    for (ScopeStream stream : streams) {
      try {
        stream.sendChanges();
      } catch (RuntimeException e) {
        // One broken stream (Envoy gone mid-send) must not keep the others, or the loop, from going on.
        log.warn("scoped routes stream {} for {}: cannot send: {}", stream.id, stream.scopeSet, e.toString());
      }
    }
  }

  /** Streams open now. */
  int openStreams() {
    return streams.size();
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamScopedRoutes(StreamObserver<DiscoveryResponse> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("edgegw serves scoped routes by delta xDS only: set api_type DELTA_GRPC in "
            + "scoped_rds_config_source")
        .asRuntimeException());
    return new Ignored<>();
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaScopedRoutes(StreamObserver<DeltaDiscoveryResponse> responses) {
    String scopeSet = SCOPE_SET.get();
    if (scopeSet == null || scopeSet.isEmpty()) {
      responses.onError(Status.INVALID_ARGUMENT
          .withDescription("a scoped routes stream must name its scoped_routes name in the " + HEADER
              + " header (initial_metadata of its grpc_service)")
          .asRuntimeException());
      return new Ignored<>();
    }
    ScopeStream stream = new ScopeStream(lastStreamId.decrementAndGet(), scopeSet,
        (ServerCallStreamObserver<DeltaDiscoveryResponse>) responses);
    try {
      for (DiscoveryServerCallbacks c : callbacks) {
        c.onStreamOpen(stream.id, TYPE_URL);
      }
    } catch (RequestException e) {
      responses.onError(e);
      return new Ignored<>();
    }
    streams.add(stream);
    return stream;
  }

  /** One Envoy subscription to the scopes of one set. */
  private final class ScopeStream implements StreamObserver<DeltaDiscoveryRequest> {
    final long id;
    final String scopeSet;
    final String prefix;
    @GuardedBy("this")
    private final ServerCallStreamObserver<DeltaDiscoveryResponse> responses;
    /** What Envoy holds, by scope name; null until its first request. */
    @GuardedBy("this")
    private Map<String, String> held;
    /** The response awaiting Envoy's answer, or null. */
    @GuardedBy("this")
    private Sent outstanding;
    /** The first request is answered even with nothing to send: Envoy's listener waits for it to warm. */
    @GuardedBy("this")
    private boolean mustAnswer;
    /** The type version of the last response Envoy ACKed on this stream, or null. */
    @GuardedBy("this")
    private String heldVersion;
    /** The type version Envoy last rejected: not sent again, the rollback replaces it. */
    @GuardedBy("this")
    private String rejected;
    @GuardedBy("this")
    private DeltaDiscoveryRequest lastRequest = DeltaDiscoveryRequest.getDefaultInstance();
    @GuardedBy("this")
    private long nonces;
    @GuardedBy("this")
    private boolean closed;

    ScopeStream(long id, String scopeSet, ServerCallStreamObserver<DeltaDiscoveryResponse> responses) {
      this.id = id;
      this.scopeSet = scopeSet;
      this.prefix = scopeSet + "/";
      this.responses = responses;
      // Without a handler, a response sent (from the loop) after Envoy went away would throw there.
      responses.setOnCancelHandler(() -> close(Optional.of(Status.CANCELLED.asRuntimeException())));
    }

    @Override
    public synchronized void onNext(DeltaDiscoveryRequest received) {
      if (closed) {
        return;
      }
      DeltaDiscoveryRequest request =
          received.getTypeUrl().isEmpty() ? received.toBuilder().setTypeUrl(TYPE_URL).build() : received;
      lastRequest = request;
      try {
        for (DiscoveryServerCallbacks c : callbacks) {
          c.onV3StreamDeltaRequest(id, request);
        }
      } catch (RequestException e) {
        responses.onError(e);
        close(Optional.of(e));
        return;
      }
      if (held == null) {
        held = new HashMap<>(request.getInitialResourceVersionsMap());
        mustAnswer = true;
      } else if (outstanding != null && request.getResponseNonce().equals(outstanding.nonce())) {
        if (request.hasErrorDetail()) {
          rejected = outstanding.systemVersion(); // Envoy kept what it held
        } else {
          held = new HashMap<>(outstanding.held());
          heldVersion = outstanding.systemVersion();
        }
        outstanding = null;
      }
      // Anything else (a stale nonce, a change of subscription on a wildcard stream) changes nothing here.
      sendChanges();
    }

    /** Sends what Envoy lacks of the current snapshot, unless a response is outstanding. */
    synchronized void sendChanges() {
      if (closed || held == null || outstanding != null) {
        return;
      }
      Optional<SnapshotPublisher.Published> published = current.get();
      if (published.isEmpty()) {
        return; // before the first snapshot: answered when it is served
      }
      SnapshotVersions versions = published.get().versions();
      String systemVersion = versions.byTypeUrl().getOrDefault(TYPE_URL, "");
      if (systemVersion.equals(rejected)) {
        return;
      }
      ImmutableSortedMap<String, String> byName =
          versions.byResource().getOrDefault(TYPE_URL, ImmutableSortedMap.of());
      Map<String, String> wanted = new HashMap<>();
      DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder();
      ImmutableList<ScopedRouteConfiguration> scopes = published.get().resources().scopes();
      for (int i = 0; i < scopes.size(); i++) {
        ScopedRouteConfiguration scope = scopes.get(i);
        if (!scope.getName().startsWith(prefix)) {
          continue;
        }
        String version = SnapshotVersions.versionAt(byName, i, scope.getName());
        wanted.put(scope.getName(), version);
        if (!version.equals(held.get(scope.getName()))) {
          response.addResources(Resource.newBuilder()
              .setName(scope.getName())
              .setVersion(version)
              .setResource(encoder.serialize(scope, Resources.ApiVersion.V3)));
        }
      }
      if (wanted.isEmpty()) {
        // No scope of this set in the snapshot: its port went back to one route configuration, or away. The
        // listener being replaced still routes by these scopes until the new one is warm, and drains its
        // connections with them; a listener taking the set up again shares Envoy's subscription. So Envoy
        // keeps them (removing them opened a window of 404s: RouteScopesTest); a later diff updates them.
        wanted.putAll(held);
      }
      held.keySet().stream().filter(name -> !wanted.containsKey(name)).sorted()
          .forEach(response::addRemovedResources);
      // Nothing of this set changed: still sent (empty) when the type version moved, so that every served
      // version of the type is ACKed on some stream even when the only set that changed has no stream left
      // (its listener gone): else that snapshot would never count as acknowledged (saved, rolled back to).
      if (response.getResourcesCount() == 0 && response.getRemovedResourcesCount() == 0 && !mustAnswer
          && systemVersion.equals(heldVersion)) {
        return;
      }
      String nonce = Long.toString(++nonces);
      DeltaDiscoveryResponse sent = response.setTypeUrl(TYPE_URL).setSystemVersionInfo(systemVersion)
          .setNonce(nonce).build();
      outstanding = new Sent(nonce, systemVersion, ImmutableMap.copyOf(wanted));
      mustAnswer = false;
      rejected = null;
      // Before Envoy can answer: XdsCallbacks must know the nonce's version when the ACK comes.
      for (DiscoveryServerCallbacks c : callbacks) {
        c.onV3StreamDeltaResponse(id, lastRequest, sent);
      }
      responses.onNext(sent);
    }

    @Override
    public void onError(Throwable t) {
      close(Optional.of(t));
    }

    @Override
    public synchronized void onCompleted() {
      if (!closed) {
        responses.onCompleted();
      }
      close(Optional.empty());
    }

    private synchronized void close(Optional<Throwable> error) {
      if (closed) {
        return;
      }
      closed = true;
      streams.remove(this);
      for (DiscoveryServerCallbacks c : callbacks) {
        if (error.isPresent()) {
          c.onStreamCloseWithError(id, TYPE_URL, error.get());
        } else {
          c.onStreamClose(id, TYPE_URL);
        }
      }
      log.debug("scoped routes stream {} for {} closed", id, scopeSet);
    }
  }

  /** A response awaiting Envoy's answer: its nonce, type version, and what Envoy holds once it ACKs. */
  private record Sent(String nonce, String systemVersion, ImmutableMap<String, String> held) {}

  /** Copies {@value #HEADER} into the call's context, where {@link #deltaScopedRoutes} reads it. */
  private static final class HeaderInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      String scopeSet = headers.get(HEADER_KEY);
      return scopeSet == null
          ? next.startCall(call, headers)
          : Contexts.interceptCall(Context.current().withValue(SCOPE_SET, scopeSet), call, headers, next);
    }
  }

  /** The requests of a call already closed. */
  private static final class Ignored<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
