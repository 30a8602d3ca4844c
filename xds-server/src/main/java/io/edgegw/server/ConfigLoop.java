package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimaps;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Sets;
import io.edgegw.mqtt.StoringSink;
import io.edgegw.translator.Translation;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns every change (see architecture.md): sources only enqueue; here each event is
 * validated and stored, then a rebuild translates the input set (incrementally: the translator keeps a
 * memo) and publishes it, at once after a quiet spell and at most once per debounce interval in a burst.
 * Other threads read the per-resource status through {@link #statuses()}, an immutable board behind a
 * volatile reference.
 */
public final class ConfigLoop implements StoringSink {
  private static final Logger log = LoggerFactory.getLogger(ConfigLoop.class);
  private static final int VERSIONS_REMEMBERED = 16;
  private static final String FROM_STATE = "state";
  /** The longest a change waits for a burst to end before it is published anyway. */
  static final Duration MAX_COALESCING = Duration.ofSeconds(1);

  private final ScheduledExecutorService loop;
  private final ConfigStore store;
  private final ResourceValidator validator;
  private final ResourceTranslator translator;
  private final GatewayIdentity identity;
  private final SnapshotPublisher publisher;
  private final Duration debounce;
  private final Metrics metrics;

  // Owned by the loop thread.
  private final Map<ResourceKey, Submission> submissions = new HashMap<>();
  private final TreeMap<String, String> unreadable = new TreeMap<>();
  /** The statuses on the board, kept up to date key by key. */
  private final TreeMap<ResourceKey, ResourceStatus> statuses = new TreeMap<>();
  /** Inputs Envoy refused, held out of what is served (see {@link Quarantine}). */
  private final Quarantine quarantine = new Quarantine();
  private final Optional<QuarantineFile> quarantineFile;
  private boolean quarantineLoaded;
  /** The inputs of the last snapshot every Envoy acknowledged; null until this run knows one. */
  private InputSet ackedInputs;
  /** Until then: the digests of the inputs of the previous run's acknowledged snapshot, by store path. */
  private ImmutableMap<String, String> previousRunDigests = ImmutableMap.of();
  /** A previous run's snapshot exists but without input digests (written by an older version). */
  private boolean previousRunUnknown;
  private final LinkedHashMap<String, InputSet> inputsByVersion = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, InputSet> eldest) {
      return size() > VERSIONS_REMEMBERED;
    }
  };
  private Translation lastTranslation = new Translation(io.edgegw.translator.EnvoyResources.EMPTY, ImmutableList.of());
  /** lastTranslation's diagnostics by resource: each status reads its own without scanning all. */
  private ImmutableListMultimap<ResourceKey, Diagnostic> diagnosticsByResource = ImmutableListMultimap.of();
  /**
   * The snapshot that first served each applied resource as it is now: later snapshots keep serving it,
   * so its status stays the same and is not sent again for every other resource's change.
   */
  private final Map<ResourceKey, String> appliedIn = new HashMap<>();
  private InputSet appliedInputs = InputSet.EMPTY;
  private InputSet translatedInputs; // what lastTranslation was made from; null before the first
  private ScheduledFuture<?> pendingRebuild;
  private long firstChangeNanos;
  private long lastRebuildNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
  /** Events handed to the loop and not yet taken up; written from any thread. */
  private final AtomicInteger queuedEvents = new AtomicInteger();
  private volatile StatusBoard board = StatusBoard.EMPTY;
  private final Consumer<StatusBoard> onStatusChange;

  /** The latest submission of a key: accepted (with validation warnings) or rejected (with reasons). */
  private record Submission(String origin, boolean rejected, ImmutableList<String> reasons, ImmutableList<String> warnings) {}

  /** {@code onStatusChange} runs on the loop thread with each new board; it must not block. */
  public ConfigLoop(
      ScheduledExecutorService loop,
      ConfigStore store,
      ResourceValidator validator,
      ResourceTranslator translator,
      GatewayIdentity identity,
      SnapshotPublisher publisher,
      Duration debounce,
      Consumer<StatusBoard> onStatusChange,
      Metrics metrics,
      Optional<QuarantineFile> quarantineFile) {
    this.quarantineFile = Objects.requireNonNull(quarantineFile, "quarantineFile");
    this.onStatusChange = Objects.requireNonNull(onStatusChange, "onStatusChange");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.store = Objects.requireNonNull(store, "store");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.translator = Objects.requireNonNull(translator, "translator");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.debounce = Objects.requireNonNull(debounce, "debounce");
    publisher.addAckListener(this::envoyAcked);
  }

  /**
   * At a start whose saved snapshot is older than the store: the digests of the inputs that snapshot
   * was made from, so that a NACK before anything is acknowledged suspects only what changed since.
   */
  public void previousRunInputs(ImmutableMap<String, String> digestsByPath) {
    call(() -> {
      previousRunDigests = Objects.requireNonNull(digestsByPath, "digestsByPath");
      previousRunUnknown = digestsByPath.isEmpty();
      return null;
    });
  }

  /** Safe from any thread. */
  public StatusBoard statuses() {
    return board;
  }

  @Override
  public void accept(ResourceEvent event) {
    accept(event, () -> {});
  }

  /**
   * {@code whenStored} runs on the loop right after the event is on disk (or refused): the MQTT source
   * acknowledges the message to the broker only then, so a kill -9 in between cannot lose it (a delete
   * above all, which no retained message would bring back).
   */
  @Override
  public void accept(ResourceEvent event, Runnable whenStored) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(whenStored, "whenStored");
    metrics.messageReceived();
    enqueue(() -> {
      try {
        apply(event);
      } finally {
        whenStored.run();
      }
    });
  }

  @Override
  public void reject(String origin, Optional<ResourceKey> key, String reason) {
    metrics.messageReceived();
    enqueue(() -> unreadable(origin, key, reason));
  }

  /** Translates and publishes now, waiting for it: at start, so persisted config is served at once. */
  public void rebuildNow() {
    call(() -> {
      rebuild();
      return null;
    });
  }

  /** Translates and publishes soon, without waiting: at a start that already serves a saved snapshot. */
  public void rebuildSoon() {
    enqueue(this::rebuildLogged);
  }

  /** Runs {@code task} on the loop and waits for its result (not from the loop thread itself). */
  public <T> T call(Callable<T> task) {
    try {
      return loop.submit(task).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the config loop", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("config loop task failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("config loop did not answer within 30 s", e);
    }
  }

  /**
   * Envoy refused a snapshot and the publisher put an older one back; runs on the loop thread. Every
   * input that changed since Envoy's last acknowledgement becomes a suspect, held out while the rest is
   * served again at once; suspects are then tried in halves until the culprit is alone (Quarantine).
   */
  public void envoyRejected(SnapshotPublisher.Rollback rollback) {
    InputSet bad = inputsByVersion.get(rollback.rejected().version());
    InputSet restored = inputsByVersion.getOrDefault(rollback.restored().version(), InputSet.EMPTY);
    Set<ResourceKey> dirty = new HashSet<>();
    if (bad == null) {
      log.warn("Envoy rejected snapshot {}, which was not translated from inputs (published directly)",
          rollback.rejected().versions().shortOverall());
    } else {
      dirty.addAll(refused(bad, rollback.message()));
    }
    InputSet served = bad == null ? appliedInputs : bad;
    ImmutableList<ResourceKey> changed = changedKeys(served, restored);
    markApplied(changed, restored, rollback.restored().version());
    appliedInputs = restored;
    dirty.addAll(changed);
    refreshBoard(dirty);
    if (bad != null) {
      enqueue(this::rebuildLogged); // everything but the suspects, served again now
    }
  }

  /** A snapshot every Envoy acknowledged; runs on the loop thread (the publisher's ACK listener). */
  void envoyAcked(SnapshotPublisher.Published published) {
    InputSet inputs = inputsByVersion.get(published.version());
    if (inputs != null) {
      acknowledged(inputs);
    }
  }

  private void acknowledged(InputSet inputs) {
    ackedInputs = inputs;
    ImmutableSet<ResourceKey> cleared = quarantine.acknowledged(inputs, store.inputSet());
    if (!cleared.isEmpty()) {
      log.info("Envoy accepted {}: no longer suspected", describe(cleared));
      refreshBoard(cleared);
    }
    if (!quarantine.suspects().isEmpty() && !quarantine.isTrying()) {
      enqueue(this::rebuildLogged); // try the next suspects
    }
  }

  /** Suspects the inputs of {@code bad} that differ from what Envoy acknowledged; returns the keys touched. */
  private ImmutableSet<ResourceKey> refused(InputSet bad, String message) {
    if (ackedInputs == null && previousRunUnknown) {
      // A saved snapshot from before per-input digests: no telling what changed since Envoy had it.
      // Holding every input back would serve nothing, so keep serving that snapshot instead.
      log.warn("Envoy rejected a snapshot, and which inputs changed since its last acknowledgement is unknown"
          + " (state directory from an older version); keeping the previous run's snapshot: {}", message);
      return ImmutableSet.of();
    }
    ImmutableSet<ResourceKey> touched = quarantine.refused(bad, changedSinceAcknowledged(bad), message);
    ImmutableSet<ResourceKey> held = touched.stream().filter(k -> quarantine.held(k).isPresent())
        .collect(ImmutableSet.toImmutableSet());
    if (!held.isEmpty()) {
      log.warn("rejected by Envoy, quarantined until a new version arrives: {}: {}", describe(held), message);
      saveQuarantine();
    }
    ImmutableSet<ResourceKey> suspects = quarantine.suspects();
    if (!suspects.isEmpty()) {
      log.warn("held back while Envoy's rejection is narrowed down, {} suspect input(s): {}",
          suspects.size(), describe(suspects));
    }
    return touched;
  }

  /** The inputs of {@code inputs} that Envoy has not acknowledged as they are. */
  private Set<ResourceKey> changedSinceAcknowledged(InputSet inputs) {
    if (ackedInputs != null) {
      return inputs.resources().entrySet().stream()
          .filter(e -> !e.getValue().equals(ackedInputs.resources().get(e.getKey())))
          .map(Map.Entry::getKey)
          .collect(Collectors.toSet());
    }
    // Nothing acknowledged in this run yet: compare with what the previous run's Envoy acknowledged.
    return inputs.resources().values().stream()
        .filter(r -> !digest(r).equals(previousRunDigests.get(ConfigStore.pathOf(r.key()))))
        .map(Resource::key)
        .collect(Collectors.toSet());
  }

  private Optional<Resource> acknowledgedVersion(ResourceKey key) {
    return ackedInputs == null ? Optional.empty() : Optional.ofNullable(ackedInputs.resources().get(key));
  }

  private static String digest(Resource resource) {
    try {
      return ConfigStore.fileDigest(resource);
    } catch (IOException e) {
      return "";
    }
  }

  private void saveQuarantine() {
    if (quarantineFile.isEmpty()) {
      return;
    }
    ImmutableMap.Builder<ResourceKey, QuarantineFile.Entry> entries = ImmutableMap.builder();
    quarantine.held().forEach((key, held) -> entries.put(key, new QuarantineFile.Entry(digest(held.resource()), held.message())));
    try {
      quarantineFile.get().save(entries.buildOrThrow());
    } catch (IOException e) {
      log.warn("cannot save the quarantine (a restart tries those resources again): {}", e.toString());
    }
  }

  /** Holds out, from the first translation on, what an earlier run quarantined, if it is still stored as it was. */
  private void loadQuarantine(InputSet stored) {
    quarantineLoaded = true;
    quarantineFile.ifPresent(file -> file.load().forEach((key, entry) -> {
      Resource resource = stored.resources().get(key);
      if (resource != null && digest(resource).equals(entry.digest())) {
        quarantine.hold(resource, entry.message());
        log.warn("still quarantined from an earlier run: {}: rejected by Envoy: {}", key, entry.message());
      }
    }));
  }

  private static String describe(Set<ResourceKey> keys) {
    return keys.stream().limit(20).map(ResourceKey::toString).collect(Collectors.joining(", "))
        + (keys.size() > 20 ? " and " + (keys.size() - 20) + " more" : "");
  }

  private void enqueue(Runnable task) {
    queuedEvents.incrementAndGet();
    try {
      loop.execute(() -> {
        queuedEvents.decrementAndGet();
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("config loop task failed", e);
        }
        if (pendingRebuild != null && System.nanoTime() - firstChangeNanos >= maxCoalescing().toNanos()) {
          // A long burst: publish what is stored so far rather than wait for the queue to drain.
          pendingRebuild.cancel(false);
          rebuildLogged();
        }
      });
    } catch (RejectedExecutionException e) {
      queuedEvents.decrementAndGet();
      log.debug("config loop stopped; event dropped");
    }
  }

  private void apply(ResourceEvent event) {
    ResourceKey key = event.key();
    unreadable.remove(event.origin());
    if (event.type() == ResourceEvent.Type.DELETE) {
      submissions.remove(key);
      if (quarantine.lift(key)) {
        saveQuarantine();
      }
      try {
        if (store.remove(key)) {
          log.info("deleted {} ({})", key, event.origin());
          scheduleRebuild();
        }
      } catch (IOException e) {
        log.error("cannot delete {} from the state directory: {}", key, e.toString());
      }
      refreshBoard(ImmutableSet.of(key));
      return;
    }
    Resource resource = event.resource().orElseThrow();
    ImmutableList<Diagnostic> diagnostics = validate(resource);
    ImmutableList<String> errors = texts(diagnostics, true);
    if (!errors.isEmpty()) {
      rejected(key, event.origin(), errors);
      return;
    }
    boolean changed;
    try {
      changed = store.put(resource);
    } catch (IOException | IllegalArgumentException e) {
      rejected(key, event.origin(), ImmutableList.of("could not be stored: " + e.getMessage()));
      return;
    }
    submissions.put(key, new Submission(event.origin(), false, ImmutableList.of(), texts(diagnostics, false)));
    if (changed) {
      if (quarantine.lift(key)) {
        saveQuarantine();
      }
      log.info("accepted {} ({})", key, event.origin());
      scheduleRebuild();
    }
    refreshBoard(ImmutableSet.of(key));
  }

  private ImmutableList<Diagnostic> validate(Resource resource) {
    try {
      return validator.validate(resource);
    } catch (RuntimeException e) {
      log.error("validator failed on {}", resource.key(), e);
      return ImmutableList.of(Diagnostic.error(resource.key(), "", "validation failed: " + e));
    }
  }

  private void rejected(ResourceKey key, String origin, ImmutableList<String> reasons) {
    metrics.messageRejected();
    submissions.put(key, new Submission(origin, true, reasons, ImmutableList.of()));
    log.warn("rejected {}: {}{}", key, String.join("; ", reasons),
        store.get(key).isPresent() ? " (still serving the previous version)" : "");
    refreshBoard(ImmutableSet.of(key));
  }

  private void unreadable(String origin, Optional<ResourceKey> key, String reason) {
    if (key.isPresent()) {
      rejected(key.get(), origin, ImmutableList.of(reason));
      return;
    }
    metrics.messageRejected();
    unreadable.put(origin, reason);
    log.warn("rejected {}: {}", origin, reason);
    refreshBoard(ImmutableSet.of());
  }

  private void scheduleRebuild() {
    // Leading edge: a change after a quiet spell is published as soon as the events queued behind it
    // are stored (rebuildAfterQueue), so a lone change waits for nothing. A change within one debounce
    // interval of the last rebuild waits for the interval to end and rides along with what else
    // arrives meanwhile, so a burst costs about one translation per interval; during a long burst what
    // is stored is still published every MAX_COALESCING (see enqueue).
    if (pendingRebuild == null) {
      long now = System.nanoTime();
      firstChangeNanos = now;
      long wait = Math.max(0, lastRebuildNanos + debounce.toNanos() - now);
      pendingRebuild = loop.schedule(this::rebuildAfterQueue, wait, TimeUnit.NANOSECONDS);
    }
  }

  private void rebuildAfterQueue() {
    if (queuedEvents.get() > 0) {
      pendingRebuild = loop.schedule(this::rebuildAfterQueue, 0, TimeUnit.NANOSECONDS);
      return;
    }
    rebuildLogged();
  }

  private void rebuildLogged() {
    try {
      rebuild();
    } catch (RuntimeException e) {
      log.error("rebuild failed", e);
    }
  }

  private Duration maxCoalescing() {
    return debounce.compareTo(MAX_COALESCING) > 0 ? debounce : MAX_COALESCING;
  }

  private void rebuild() {
    pendingRebuild = null;
    lastRebuildNanos = System.nanoTime();
    InputSet stored = store.inputSet();
    Set<ResourceKey> dirty = new HashSet<>();
    if (!quarantineLoaded) {
      loadQuarantine(stored);
      dirty.addAll(quarantine.held().keySet());
    }
    dirty.addAll(quarantine.nextTry(stored));
    InputSet inputs = quarantine.effective(stored, this::acknowledgedVersion);
    if (inputs.equals(translatedInputs)
        && publisher.current().map(p -> p.resources() == lastTranslation.resources()).orElse(false)) {
      afterServed(inputs);
      refreshBoard(dirty);
      return; // e.g. a delete and re-add within one debounce window: same inputs, same snapshot served
    }
    Translation translation;
    long started = System.nanoTime();
    try {
      translation = translator.translate(inputs, identity);
    } catch (RuntimeException e) {
      log.error("translation failed; still serving the previous snapshot", e);
      return;
    }
    metrics.translated(Duration.ofNanos(System.nanoTime() - started));
    logNewDiagnostics(translation);
    lastTranslation = translation;
    ImmutableListMultimap<ResourceKey, Diagnostic> previousDiagnostics = diagnosticsByResource;
    diagnosticsByResource = Multimaps.index(translation.diagnostics(), Diagnostic::resource);
    translatedInputs = inputs;
    ImmutableList<ResourceKey> changed = changedKeys(appliedInputs, inputs);
    // Statuses that can differ: resources served anew, and those whose translation diagnostics changed.
    dirty.addAll(changed);
    for (ResourceKey key : Sets.union(previousDiagnostics.keySet(), diagnosticsByResource.keySet())) {
      if (!previousDiagnostics.get(key).equals(diagnosticsByResource.get(key))) {
        dirty.add(key);
      }
    }
    SnapshotPublisher.Outcome outcome = publisher.publish(translation.resources(),
        changed.stream().map(ResourceKey::toString).collect(ImmutableList.toImmutableList()), Optional.of(inputs));
    if (outcome == SnapshotPublisher.Outcome.PUBLISHED || outcome == SnapshotPublisher.Outcome.UNCHANGED) {
      String version = publisher.current().orElseThrow().version();
      inputsByVersion.put(version, inputs);
      markApplied(changed, inputs, version);
      appliedInputs = inputs;
      afterServed(inputs);
    } else if (quarantine.isTrying() || outcome == SnapshotPublisher.Outcome.SKIPPED_REJECTED) {
      // Content Envoy already refused (or a snapshot we cannot serve): as good as refused again.
      dirty.addAll(refused(inputs, outcome == SnapshotPublisher.Outcome.SKIPPED_REJECTED
          ? publisher.skippedBecause() : "not servable: " + outcome));
      enqueue(this::rebuildLogged);
    }
    refreshBoard(dirty);
  }

  /** {@code inputs} are served: when Envoy already acknowledged that content, they count as acknowledged now. */
  private void afterServed(InputSet inputs) {
    if (publisher.current().map(publisher::fullyAcked).orElse(false)) {
      acknowledged(inputs);
    }
  }

  /** Serving {@code after} in {@code version}, where {@code changed} differ from what was served: they are applied there. */
  private void markApplied(ImmutableList<ResourceKey> changed, InputSet after, String version) {
    for (ResourceKey key : changed) {
      if (after.resources().containsKey(key)) {
        appliedIn.put(key, version);
      } else {
        appliedIn.remove(key);
      }
    }
  }

  /** The inputs added, removed or changed from {@code before} to {@code after}, in key order. */
  private static ImmutableList<ResourceKey> changedKeys(InputSet before, InputSet after) {
    TreeSet<ResourceKey> keys = new TreeSet<>();
    // Unchanged resources are the same instances: a reference check each, no deep comparison.
    before.resources().forEach((k, v) -> {
      if (!Objects.equals(v, after.resources().get(k))) {
        keys.add(k);
      }
    });
    after.resources().forEach((k, v) -> {
      if (!before.resources().containsKey(k)) {
        keys.add(k);
      }
    });
    return ImmutableList.copyOf(keys);
  }

  private void logNewDiagnostics(Translation translation) {
    Sets.SetView<Diagnostic> fresh = Sets.difference(
        ImmutableSet.copyOf(translation.diagnostics()), ImmutableSet.copyOf(lastTranslation.diagnostics()));
    for (Diagnostic d : fresh) {
      if (d.isError()) {
        log.warn("rejected {}: {}", d.resource(), text(d));
      } else {
        log.info("warning {}: {}", d.resource(), text(d));
      }
    }
  }

  /**
   * Recomputes the statuses of {@code dirty} (the only ones that can have changed) and, when any
   * status or unreadable message differs, publishes a new board: a change costs the statuses it
   * touches, not one per stored resource.
   */
  private void refreshBoard(Set<ResourceKey> dirty) {
    boolean changed = !unreadable.equals(board.unreadable());
    for (ResourceKey key : dirty) {
      ResourceStatus before = store.get(key).isPresent() || submissions.containsKey(key)
          ? statuses.put(key, statusOf(key))
          : statuses.remove(key);
      changed |= !Objects.equals(before, statuses.get(key));
    }
    if (changed) {
      board = new StatusBoard(ImmutableSortedMap.copyOfSorted(statuses), ImmutableSortedMap.copyOfSorted(unreadable));
      onStatusChange.accept(board);
    }
  }

  private ResourceStatus statusOf(ResourceKey key) {
    Submission submission = submissions.get(key);
    Optional<Resource> stored = store.get(key);
    String origin = submission == null ? FROM_STATE : submission.origin();
    boolean applied = stored.isPresent() && stored.get().equals(appliedInputs.resources().get(key));
    Optional<String> version = applied ? Optional.ofNullable(appliedIn.get(key)) : Optional.empty();
    ImmutableList<Diagnostic> translated = diagnosticsByResource.get(key);
    ImmutableList<String> warnings = ImmutableList.<String>builder()
        .addAll(submission == null || submission.rejected() ? ImmutableList.of() : submission.warnings())
        .addAll(texts(translated, false))
        .build();
    if (submission != null && submission.rejected()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED, origin, submission.reasons(), warnings, version,
          stored.isPresent());
    }
    Optional<Quarantine.Held> held = quarantine.held(key).filter(h -> stored.isPresent() && h.resource().equals(stored.get()));
    if (held.isPresent()) {
      boolean previousServed = acknowledgedVersion(key).isPresent();
      return new ResourceStatus(key, ResourceStatus.State.REJECTED_BY_ENVOY, origin,
          ImmutableList.of("rejected by Envoy: " + held.get().message()), warnings, Optional.empty(), previousServed);
    }
    ImmutableList<String> errors = texts(translated, true);
    if (!errors.isEmpty()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED, origin, errors, warnings, Optional.empty(), false);
    }
    return new ResourceStatus(key, applied ? ResourceStatus.State.APPLIED : ResourceStatus.State.ACCEPTED, origin,
        ImmutableList.of(), warnings, version, false);
  }

  private static ImmutableList<String> texts(ImmutableList<Diagnostic> diagnostics, boolean errors) {
    return diagnostics.stream().filter(d -> d.isError() == errors).map(ConfigLoop::text)
        .collect(ImmutableList.toImmutableList());
  }

  /** {@code spec.http[0].route: message}, the form used in logs and the admin view. */
  static String text(Diagnostic d) {
    return d.field().isEmpty() ? d.message() : d.field() + ": " + d.message();
  }
}
