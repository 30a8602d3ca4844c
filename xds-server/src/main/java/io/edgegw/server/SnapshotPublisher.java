package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts translated Envoy resources into java-control-plane's {@link SimpleCache} with deterministic
 * content versions, and puts the last good snapshot back when Envoy rejects one (the cache would
 * otherwise re-send the bad version forever: trap 1).
 *
 * <p>Every method except {@link #current()} must run on the config loop thread; {@link #current()} is
 * a volatile read for the admin and gRPC threads.
 */
public final class SnapshotPublisher {
  /** All Envoys connected to this sidecar are one gateway and get the same config. */
  public static final String GROUP = "edgegw";

  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);
  private static final int HISTORY = 16;
  private static final int REMEMBERED = 64; // type versions, ACKed or rejected

  public enum Outcome {
    PUBLISHED,
    /** Same content as what is served: nothing sent. */
    UNCHANGED,
    /** The content (or a part of it) was already NACKed by Envoy; not sent again. */
    SKIPPED_REJECTED,
    /** A listener names a missing route config or a cluster a missing assignment: a translator bug. */
    INCONSISTENT
  }

  /** One snapshot we served: its versions and the resources, for the admin view and rollbacks. */
  public record Published(SnapshotVersions versions, EnvoyResources resources) {
    public Published {
      Objects.requireNonNull(versions, "versions");
      Objects.requireNonNull(resources, "resources");
    }

    public String version() {
      return versions.overall();
    }
  }

  /** Envoy rejected {@code rejected} for {@code typeUrl}; {@code restored} is served instead. */
  public record Rollback(Published rejected, Published restored, String typeUrl, String message) {}

  private final SimpleCache<String> cache;
  private final ArrayDeque<Published> history = new ArrayDeque<>(); // oldest first; last = current
  // "type|version" Envoy accepted. Kept per type version, not per snapshot: a snapshot that changes only
  // routes gets no new listener ACK (nothing is resent), yet its listeners are the ones Envoy accepted.
  private final LinkedHashSet<String> ackedTypeVersions = new LinkedHashSet<>();
  private final Set<String> subscribedTypes = new HashSet<>();
  private final LinkedHashSet<String> rejectedTypeVersions = new LinkedHashSet<>(); // "type|version"
  private volatile Published current;

  public SnapshotPublisher(SimpleCache<String> cache) {
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  /** A cache that maps every node to {@link #GROUP}. */
  public static SimpleCache<String> newCache() {
    return new SimpleCache<>(node -> GROUP);
  }

  public SimpleCache<String> cache() {
    return cache;
  }

  /** What is in the cache now; empty before the first publish. Safe from any thread. */
  public Optional<Published> current() {
    return Optional.ofNullable(current);
  }

  /**
   * Serves {@code resources} unless unchanged, known to be rejected, or inconsistent. Public so that an
   * end-to-end test can serve a deliberately invalid resource and watch Envoy NACK it.
   */
  public Outcome publish(EnvoyResources resources) {
    Published now = current;
    SnapshotVersions versions = now == null
        ? SnapshotVersions.of(resources)
        : SnapshotVersions.of(resources, now.resources(), now.versions());
    if (now != null && now.version().equals(versions.overall())) {
      return Outcome.UNCHANGED;
    }
    Optional<String> rejectedType = versions.byTypeUrl().entrySet().stream()
        .filter(e -> rejectedTypeVersions.contains(e.getKey() + "|" + e.getValue()))
        .map(Map.Entry::getKey)
        .findFirst();
    if (rejectedType.isPresent()) {
      log.warn("not serving snapshot {}: its {} were already rejected by Envoy", versions.shortOverall(),
          shortType(rejectedType.get()));
      return Outcome.SKIPPED_REJECTED;
    }
    ImmutableList<String> problems = SnapshotConsistency.problems(resources);
    if (!problems.isEmpty()) {
      log.error("not serving inconsistent snapshot {} (a translator bug): {}", versions.shortOverall(),
          String.join("; ", problems));
      return Outcome.INCONSISTENT;
    }
    serve(new Published(versions, resources), snapshotOf(resources, versions));
    log.info("serving snapshot {}: {} listeners, {} routes, {} clusters, {} endpoints, {} secrets",
        versions.shortOverall(), resources.listeners().size(), resources.routes().size(),
        resources.clusters().size(), resources.endpoints().size(), resources.secrets().size());
    return Outcome.PUBLISHED;
  }

  /** An Envoy asked for {@code typeUrl}: a snapshot is fully ACKed only once every asked type is. */
  public void onSubscribed(String typeUrl) {
    subscribedTypes.add(typeUrl);
  }

  /** Envoy accepted {@code version} of {@code typeUrl}. */
  public void onAck(String typeUrl, String version) {
    subscribedTypes.add(typeUrl);
    remember(ackedTypeVersions, typeUrl + "|" + version);
  }

  /** True once every type an Envoy asked for has been ACKed at the version of {@code published}. */
  public boolean fullyAcked(Published published) {
    return !subscribedTypes.isEmpty() && subscribedTypes.stream()
        .allMatch(t -> ackedTypeVersions.contains(t + "|" + published.versions().byTypeUrl().get(t)));
  }

  /**
   * Envoy rejected {@code typeVersion} of {@code typeUrl}. When what we serve holds that content, puts
   * back the newest fully ACKed snapshot (else the newest other one, else an empty one) and remembers
   * the content as rejected so it is not sent again until the inputs change.
   */
  public Optional<Rollback> onNack(String typeUrl, String typeVersion, String message) {
    remember(rejectedTypeVersions, typeUrl + "|" + typeVersion);
    ackedTypeVersions.remove(typeUrl + "|" + typeVersion);
    Published bad = current;
    if (bad == null || !typeVersion.equals(bad.versions().byTypeUrl().get(typeUrl))) {
      return Optional.empty(); // stale: we already serve something else
    }
    history.removeIf(p -> typeVersion.equals(p.versions().byTypeUrl().get(typeUrl)));
    Published restore = restoreTarget();
    serve(restore, snapshotOf(restore.resources(), restore.versions()));
    log.warn("rolled back from snapshot {} to {} after Envoy rejected its {}", bad.versions().shortOverall(),
        restore.versions().shortOverall(), shortType(typeUrl));
    return Optional.of(new Rollback(bad, restore, typeUrl, message));
  }

  public ImmutableSet<String> subscribedTypes() {
    return ImmutableSet.copyOf(subscribedTypes);
  }

  private Published restoreTarget() {
    Iterator<Published> newestFirst = history.descendingIterator();
    Published fallback = null;
    while (newestFirst.hasNext()) {
      Published p = newestFirst.next();
      if (fullyAcked(p)) {
        return p;
      }
      if (fallback == null) {
        fallback = p;
      }
    }
    return fallback != null ? fallback : new Published(SnapshotVersions.of(EnvoyResources.EMPTY), EnvoyResources.EMPTY);
  }

  private void serve(Published published, Snapshot snapshot) {
    history.removeIf(p -> p.version().equals(published.version()));
    history.addLast(published);
    while (history.size() > HISTORY) {
      history.removeFirst();
    }
    current = published;
    cache.setSnapshot(GROUP, snapshot);
  }

  private static void remember(LinkedHashSet<String> typeVersions, String typeVersion) {
    typeVersions.remove(typeVersion);
    typeVersions.add(typeVersion);
    while (typeVersions.size() > REMEMBERED) {
      typeVersions.remove(typeVersions.iterator().next());
    }
  }

  private static Snapshot snapshotOf(EnvoyResources r, SnapshotVersions v) {
    return ContentSnapshot.of(r, v);
  }

  static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
