package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.hash.HashCode;
import com.google.protobuf.Message;
import java.time.Clock;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.memo.Memo;
import io.edgegw.translator.model.InputSet;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts translated Envoy resources into java-control-plane's {@link SimpleCache} with deterministic
 * content versions, and puts the last good snapshot back when Envoy rejects one (the cache would
 * otherwise re-send the bad version forever: docs/architecture.md, trap 1).
 *
 * <p>Every method except {@link #current()} must run on the config loop thread; {@link #current()} is
 * a volatile read for the admin and gRPC threads.
 */
public final class SnapshotPublisher {
  /** All Envoys connected to this sidecar are one gateway and get the same config. */
  public static final String GROUP = "edgegw";

  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);
  private static final int HISTORY = 16;
  private static final int REJECTED_MEMORY = 64;
  private static final int ACKED_MEMORY = 256;

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
  public record Published(SnapshotVersions versions, EnvoyResources resources, Optional<InputSet> inputs) {
    public Published {
      Objects.requireNonNull(versions, "versions");
      Objects.requireNonNull(resources, "resources");
      Objects.requireNonNull(inputs, "inputs");
    }

    /** Published directly, not translated from known inputs (a test's raw publish, a restore). */
    public Published(SnapshotVersions versions, EnvoyResources resources) {
      this(versions, resources, Optional.empty());
    }

    public String version() {
      return versions.overall();
    }
  }

  /** Envoy rejected {@code rejected} for {@code typeUrl}; {@code restored} is served instead. */
  public record Rollback(Published rejected, Published restored, String typeUrl, String message) {}

  /** How many published snapshots {@code /versions} shows by default. */
  public static final int DEFAULT_VERSIONS_KEPT = 20;

  private final SimpleCache<String> cache;
  private final Metrics metrics;
  private final Clock clock;
  private final int versionsKept;
  private final ArrayDeque<VersionRecord> versionLog = new ArrayDeque<>(); // oldest first
  private volatile ImmutableList<VersionRecord> versions = ImmutableList.of();
  private final ArrayDeque<Published> history = new ArrayDeque<>(); // oldest first; last = current
  // "type|version" Envoy ACKed: content known to be good, whichever snapshot carried it. A type that does
  // not change is not sent (nor ACKed) again, so ACKs are kept by content, not by snapshot.
  private final LinkedHashSet<String> ackedTypeVersions = new LinkedHashSet<>();
  private final Set<String> subscribedTypes = new HashSet<>();
  // "type|version" -> Envoy's message, newest last
  private final LinkedHashMap<String, String> rejectedTypeVersions = new LinkedHashMap<>();
  private String skippedBecause = "";
  private volatile Published current;
  private final java.util.List<Consumer<Published>> ackListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.List<Consumer<Published>> serveListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  /** What a previous run's Envoy acknowledged (its saved snapshot), when this run has nothing acknowledged yet. */
  private Published previousRun;
  private final Memo<Message, HashCode> contentDigests = Memo.byIdentity();
  private final SnapshotConsistency consistency = new SnapshotConsistency();

  public SnapshotPublisher(SimpleCache<String> cache) {
    this(cache, Metrics.unregistered(), Clock.systemUTC(), DEFAULT_VERSIONS_KEPT);
  }

  public SnapshotPublisher(SimpleCache<String> cache, Metrics metrics, Clock clock, int versionsKept) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (versionsKept < 1) {
      throw new IllegalArgumentException("versionsKept must be at least 1");
    }
    this.versionsKept = versionsKept;
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

  /** The last snapshots put into the cache, newest first. Safe from any thread. */
  public ImmutableList<VersionRecord> versions() {
    return versions;
  }

  /**
   * Serves {@code resources} unless unchanged, known to be rejected, or inconsistent. Public so that an
   * end-to-end test can serve a deliberately invalid resource and watch Envoy NACK it.
   */
  public Outcome publish(EnvoyResources resources) {
    return publish(resources, ImmutableList.of());
  }

  /** As {@link #publish(EnvoyResources)}; {@code trigger} names the input changes it comes from. */
  public Outcome publish(EnvoyResources resources, ImmutableList<String> trigger) {
    return publish(resources, trigger, Optional.empty());
  }

  /** As above, for resources translated from {@code inputs} (saved with the snapshot once acknowledged). */
  public Outcome publish(EnvoyResources resources, ImmutableList<String> trigger, Optional<InputSet> inputs) {
    Published now = current;
    SnapshotVersions versions = now == null
        ? SnapshotVersions.of(resources, EnvoyResources.EMPTY, null, contentDigests)
        : SnapshotVersions.of(resources, now.resources(), now.versions(), contentDigests);
    if (now != null && now.version().equals(versions.overall())) {
      return Outcome.UNCHANGED;
    }
    Optional<String> rejectedType = versions.byTypeUrl().entrySet().stream()
        .filter(e -> rejectedTypeVersions.containsKey(e.getKey() + "|" + e.getValue()))
        .map(Map.Entry::getKey)
        .findFirst();
    if (rejectedType.isPresent()) {
      skippedBecause =
          rejectedTypeVersions.get(
              rejectedType.get() + "|" + versions.byTypeUrl().get(rejectedType.get()));
      log.warn("not serving snapshot {}: its {} were already rejected by Envoy", versions.shortOverall(),
          shortType(rejectedType.get()));
      return Outcome.SKIPPED_REJECTED;
    }
    ImmutableList<String> problems = consistency.check(resources);
    if (!problems.isEmpty()) {
      log.error("not serving inconsistent snapshot {} (a translator bug): {}", versions.shortOverall(),
          String.join("; ", problems));
      return Outcome.INCONSISTENT;
    }
    serve(
        new Published(versions, resources, inputs),
        snapshotOf(resources, versions),
        VersionRecord.Cause.UPDATE,
        trigger);
    log.info("serving snapshot {}: {}", versions.shortOverall(), counts(resources));
    return Outcome.PUBLISHED;
  }

  /** An Envoy asked for {@code typeUrl}: a snapshot is fully ACKed only once every asked type is. */
  public void onSubscribed(String typeUrl) {
    subscribedTypes.add(typeUrl);
  }

  /** Envoy accepted {@code version} of {@code typeUrl}. */
  public void onAck(String typeUrl, String version) {
    subscribedTypes.add(typeUrl);
    remember(ackedTypeVersions, typeUrl + "|" + version, ACKED_MEMORY);
    Published now = current;
    if (now != null && version.equals(now.versions().byTypeUrl().get(typeUrl)) && fullyAcked(now)) {
      ackListeners.forEach(l -> l.accept(now));
    }
  }

  /**
   * Serves a snapshot saved by an earlier run (see {@link ServedSnapshotFile}) before anything is
   * translated; the first translation then finds it unchanged, or replaces it.
   */
  public void restore(Published saved) {
    serve(saved, snapshotOf(saved.resources(), saved.versions()), VersionRecord.Cause.RESTORE, ImmutableList.of());
    log.info(
        "serving snapshot {} saved by the previous run: {}",
        saved.versions().shortOverall(),
        counts(saved.resources()));
  }

  /**
   * {@code listener} is told, on the loop thread, of each snapshot put into the cache (published, restored
   * or rolled back to), once {@link #current()} returns it: how what java-control-plane does not serve
   * (route scopes) follows the cache.
   */
  public void addServeListener(Consumer<Published> listener) {
    serveListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** {@code listener} is told, on the loop thread, of each snapshot once it is fully acknowledged. */
  public void addAckListener(Consumer<Published> listener) {
    ackListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * A snapshot an earlier run served and its Envoy acknowledged, too old to serve first (the store has
   * changed since): the roll-back target while nothing of this run is acknowledged, rather than an
   * empty snapshot that would take every listener away.
   */
  public void rememberPreviousRun(Published saved) {
    previousRun = Objects.requireNonNull(saved, "saved");
  }

  /**
   * True once every type an Envoy asked for has been ACKed at the version of {@code published}. A type
   * the snapshot does not have (route scopes, once no port uses them) has nothing to acknowledge.
   */
  public boolean fullyAcked(Published published) {
    return !subscribedTypes.isEmpty() && subscribedTypes.stream().allMatch(type -> {
      String version = published.versions().byTypeUrl().get(type);
      return version == null || ackedTypeVersions.contains(type + "|" + version);
    });
  }

  /**
   * Envoy rejected {@code typeVersion} of {@code typeUrl}. When what we serve holds that content, puts
   * back the newest fully ACKed snapshot (else the previous run's, else the newest other one, else an
   * empty one: only when nothing was ever served) and remembers
   * the content as rejected so it is not sent again until the inputs change.
   */
  public Optional<Rollback> onNack(String typeUrl, String typeVersion, String message) {
    rejectedTypeVersions.remove(typeUrl + "|" + typeVersion);
    rejectedTypeVersions.put(typeUrl + "|" + typeVersion, message);
    while (rejectedTypeVersions.size() > REJECTED_MEMORY) {
      rejectedTypeVersions.remove(rejectedTypeVersions.keySet().iterator().next());
    }
    Published bad = current;
    if (bad == null || !typeVersion.equals(bad.versions().byTypeUrl().get(typeUrl))) {
      return Optional.empty(); // stale: we already serve something else
    }
    history.removeIf(p -> typeVersion.equals(p.versions().byTypeUrl().get(typeUrl)));
    ackedTypeVersions.remove(typeUrl + "|" + typeVersion);
    Published restore = restoreTarget();
    serve(
        restore,
        snapshotOf(restore.resources(), restore.versions()),
        VersionRecord.Cause.ROLLBACK,
        ImmutableList.of());
    markRolledBack(bad.version(), shortType(typeUrl) + " rejected by Envoy: " + message);
    log.warn("rolled back from snapshot {} to {} after Envoy rejected its {}", bad.versions().shortOverall(),
        restore.versions().shortOverall(), shortType(typeUrl));
    return Optional.of(new Rollback(bad, restore, typeUrl, message));
  }

  /** Envoy's message for the content that made the last {@link Outcome#SKIPPED_REJECTED} publish. */
  public String skippedBecause() {
    return skippedBecause;
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
    if (previousRun != null) {
      return previousRun;
    }
    return fallback != null ? fallback : new Published(SnapshotVersions.of(EnvoyResources.EMPTY), EnvoyResources.EMPTY);
  }

  private void serve(Published published, Snapshot snapshot, VersionRecord.Cause cause, ImmutableList<String> trigger) {
    EnvoyResources before = current == null ? EnvoyResources.EMPTY : current.resources();
    record(new VersionRecord(published.versions(), clock.instant(), cause, trigger,
        VersionRecord.diff(before, published.resources()), VersionRecord.Outcome.SERVING, Optional.empty()));
    metrics.pushed(cause.name().toLowerCase(java.util.Locale.ROOT));
    history.removeIf(p -> p.version().equals(published.version()));
    history.addLast(published);
    while (history.size() > HISTORY) {
      history.removeFirst();
    }
    current = published;
    cache.setSnapshot(GROUP, snapshot);
    for (Consumer<Published> listener : serveListeners) {
      try {
        listener.accept(published);
      } catch (RuntimeException e) {
        log.error("a serve listener failed on snapshot {}", published.versions().shortOverall(), e);
      }
    }
  }

  private void record(VersionRecord added) {
    VersionRecord last = versionLog.peekLast();
    if (last != null && last.outcome() == VersionRecord.Outcome.SERVING) {
      versionLog.removeLast();
      versionLog.addLast(last.withOutcome(VersionRecord.Outcome.SERVED, Optional.empty()));
    }
    versionLog.addLast(added);
    while (versionLog.size() > versionsKept) {
      versionLog.removeFirst();
    }
    versions = ImmutableList.copyOf(versionLog).reverse();
  }

  /** The newest record of {@code version} (before the rollback record): Envoy refused it. */
  private void markRolledBack(String version, String why) {
    ArrayDeque<VersionRecord> newer = new ArrayDeque<>();
    while (!versionLog.isEmpty()) {
      VersionRecord r = versionLog.removeLast();
      if (newer.size() > 0 && r.versions().overall().equals(version)) {
        versionLog.addLast(r.withOutcome(VersionRecord.Outcome.ROLLED_BACK, Optional.of(why)));
        break;
      }
      newer.push(r);
    }
    newer.forEach(versionLog::addLast);
    versions = ImmutableList.copyOf(versionLog).reverse();
  }

  /** Adds {@code typeVersion} as the newest entry, forgetting the oldest beyond {@code limit}. */
  private static void remember(LinkedHashSet<String> set, String typeVersion, int limit) {
    set.remove(typeVersion);
    set.add(typeVersion);
    while (set.size() > limit) {
      set.remove(set.iterator().next());
    }
  }

  private static Snapshot snapshotOf(EnvoyResources r, SnapshotVersions v) {
    return ContentSnapshot.of(r, v);
  }

  /** "1 listeners, 1 routes, 50 clusters, 50 endpoints, 0 secrets" (and ", 3 scopes" when any), as the logs say it. */
  static String counts(EnvoyResources r) {
    return r.listeners().size() + " listeners, " + r.routes().size() + " routes, " + r.clusters().size() + " clusters, "
        + r.endpoints().size() + " endpoints, " + r.secrets().size() + " secrets"
        + (r.scopes().isEmpty() ? "" : ", " + r.scopes().size() + " scopes");
  }

  static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
