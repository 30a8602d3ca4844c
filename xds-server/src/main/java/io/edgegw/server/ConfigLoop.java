package io.edgegw.server;

import com.google.common.collect.ImmutableList;
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
  private final Map<ResourceKey, String> rejectedByEnvoy = new HashMap<>();
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
  /** {@code resourceVersion}: the submission's {@code metadata.resourceVersion}, echoed in its status for publishers. */
  private record Submission(
      String origin, boolean rejected, ImmutableList<String> reasons, ImmutableList<String> warnings, Optional<String> resourceVersion) {}

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
      Metrics metrics) {
    this.onStatusChange = Objects.requireNonNull(onStatusChange, "onStatusChange");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.store = Objects.requireNonNull(store, "store");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.translator = Objects.requireNonNull(translator, "translator");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.debounce = Objects.requireNonNull(debounce, "debounce");
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

  /** Envoy refused a snapshot and the publisher put an older one back; runs on the loop thread. */
  public void envoyRejected(SnapshotPublisher.Rollback rollback) {
    InputSet bad = inputsByVersion.get(rollback.rejected().version());
    InputSet restored = inputsByVersion.getOrDefault(rollback.restored().version(), InputSet.EMPTY);
    if (bad == null) {
      log.warn("Envoy rejected snapshot {}, which was not translated from inputs (published directly)",
          rollback.rejected().versions().shortOverall());
    } else {
      ImmutableSet<ResourceKey> suspects = bad.resources().keySet().stream()
          .filter(k -> !bad.resources().get(k).equals(restored.resources().get(k)))
          .collect(ImmutableSet.toImmutableSet());
      suspects.forEach(k -> rejectedByEnvoy.put(k, rollback.message()));
      if (!suspects.isEmpty()) {
        log.warn("rejected by Envoy: {}: {}", suspects.stream().map(ResourceKey::toString).collect(Collectors.joining(", ")),
            rollback.message());
      }
    }
    InputSet served = bad == null ? appliedInputs : bad;
    ImmutableList<ResourceKey> changed = changedKeys(served, restored);
    markApplied(changed, restored, rollback.restored().version());
    appliedInputs = restored;
    refreshBoard(Sets.union(ImmutableSet.copyOf(changed), rejectedByEnvoy.keySet()));
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
      rejectedByEnvoy.remove(key);
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
      rejected(key, event.origin(), errors, resourceVersion(resource));
      return;
    }
    boolean changed;
    try {
      changed = store.put(resource);
    } catch (IOException | IllegalArgumentException e) {
      rejected(key, event.origin(), ImmutableList.of("could not be stored: " + e.getMessage()), resourceVersion(resource));
      return;
    }
    submissions.put(key, new Submission(event.origin(), false, ImmutableList.of(), texts(diagnostics, false), resourceVersion(resource)));
    if (changed) {
      rejectedByEnvoy.remove(key);
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

  private static Optional<String> resourceVersion(Resource resource) {
    String version = resource.metadata().path("resourceVersion").asText("");
    return version.isEmpty() ? Optional.empty() : Optional.of(version);
  }

  private void rejected(ResourceKey key, String origin, ImmutableList<String> reasons, Optional<String> resourceVersion) {
    metrics.messageRejected();
    submissions.put(key, new Submission(origin, true, reasons, ImmutableList.of(), resourceVersion));
    log.warn("rejected {}: {}{}", key, String.join("; ", reasons),
        store.get(key).isPresent() ? " (still serving the previous version)" : "");
    refreshBoard(ImmutableSet.of(key));
  }

  private void unreadable(String origin, Optional<ResourceKey> key, String reason) {
    if (key.isPresent()) {
      rejected(key.get(), origin, ImmutableList.of(reason), Optional.empty());
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
    InputSet inputs = store.inputSet();
    if (inputs.equals(translatedInputs)
        && publisher.current().map(p -> p.resources() == lastTranslation.resources()).orElse(false)) {
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
    Set<ResourceKey> dirty = new HashSet<>(changed);
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
    }
    refreshBoard(dirty);
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
    Optional<String> resourceVersion = submission != null && submission.rejected()
        ? submission.resourceVersion()
        : stored.flatMap(ConfigLoop::resourceVersion);
    ImmutableList<Diagnostic> translated = diagnosticsByResource.get(key);
    ImmutableList<String> warnings = ImmutableList.<String>builder()
        .addAll(submission == null || submission.rejected() ? ImmutableList.of() : submission.warnings())
        .addAll(texts(translated, false))
        .build();
    if (submission != null && submission.rejected()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED, origin, submission.reasons(), warnings, version,
          stored.isPresent(), resourceVersion);
    }
    if (rejectedByEnvoy.containsKey(key)) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED_BY_ENVOY, origin,
          ImmutableList.of("rejected by Envoy: " + rejectedByEnvoy.get(key)), warnings, Optional.empty(), false, resourceVersion);
    }
    ImmutableList<String> errors = texts(translated, true);
    if (!errors.isEmpty()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED, origin, errors, warnings, Optional.empty(), false, resourceVersion);
    }
    return new ResourceStatus(key, applied ? ResourceStatus.State.APPLIED : ResourceStatus.State.ACCEPTED, origin,
        ImmutableList.of(), warnings, version, false, resourceVersion);
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
