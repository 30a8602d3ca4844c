package io.edgegw.server;

import io.edgegw.mqtt.ThreadOwner;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns every change (see architecture.md): sources only enqueue; here each event is
 * validated and stored, then a rebuild translates the input set (incrementally: the translator keeps a
 * memo) and publishes it. When it rebuilds is the {@link Coalescer}'s business, what Envoy said of the
 * inputs the {@link EnvoyVerdicts}', and what it all means per resource the {@link StatusKeeper}'s.
 */
public final class ConfigLoop implements StoringSink {
  private static final Logger log = LoggerFactory.getLogger(ConfigLoop.class);
  private static final int VERSIONS_REMEMBERED = 16;

  private final ScheduledExecutorService loop;
  private final ConfigStore store;
  private final ResourceValidator validator;
  private final ResourceTranslator translator;
  private final GatewayIdentity identity;
  private final SnapshotPublisher publisher;
  private final Metrics metrics;
  private final Coalescer coalescer;
  private final EnvoyVerdicts verdicts;
  private final StatusKeeper statuses;

  // Owned by the loop thread.
  private final ThreadOwner owner = new ThreadOwner("the config loop");
  private final LinkedHashMap<String, InputSet> inputsByVersion = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, InputSet> eldest) {
      return size() > VERSIONS_REMEMBERED;
    }
  };
  /**
   * Per key owned by one source, the latest upsert another source sent for it (a conflict): refused
   * while the owner keeps it, applied if the owner deletes it, so neither source silently overwrites
   * the other and nothing is lost when one lets go.
   */
  private final Map<ResourceKey, ResourceEvent> shadowed = new HashMap<>();
  private Translation lastTranslation = new Translation(io.edgegw.translator.EnvoyResources.EMPTY, ImmutableList.of());
  private InputSet translatedInputs; // what lastTranslation was made from; null before the first

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
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.store = Objects.requireNonNull(store, "store");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.translator = Objects.requireNonNull(translator, "translator");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.coalescer = new Coalescer(loop, debounce, this::rebuildLogged);
    this.verdicts = new EnvoyVerdicts(quarantineFile);
    this.statuses = new StatusKeeper(store, verdicts, onStatusChange, java.time.Clock.systemUTC());
    publisher.addAckListener(this::envoyAcked);
  }

  /**
   * At a start with a saved snapshot: the digests of the inputs it was made from, so that a NACK before
   * anything is acknowledged suspects only what changed since.
   */
  public void previousRunInputs(ImmutableMap<String, String> digestsByPath) {
    call(() -> {
      verdicts.previousRun(digestsByPath);
      return null;
    });
  }

  /** Safe from any thread. */
  public StatusBoard statuses() {
    return statuses.board();
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
    coalescer.execute(() -> {
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
    coalescer.execute(() -> unreadable(origin, key, reason));
  }

  @Override
  public void reconcile(String source, Predicate<ResourceKey> scope, Set<ResourceKey> present) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(scope, "scope");
    ImmutableSet<ResourceKey> listed = ImmutableSet.copyOf(present);
    coalescer.execute(() -> reconciled(source, scope, listed));
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
    coalescer.execute(this::rebuildLogged);
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
    owner.check();
    InputSet bad = inputsByVersion.get(rollback.rejected().version());
    InputSet restored = inputsByVersion.getOrDefault(rollback.restored().version(), InputSet.EMPTY);
    Set<ResourceKey> dirty = new HashSet<>();
    if (bad == null) {
      log.warn("Envoy rejected snapshot {}, which was not translated from inputs (published directly)",
          rollback.rejected().versions().shortOverall());
    } else {
      dirty.addAll(verdicts.refused(bad, rollback.message()));
    }
    ImmutableList<ResourceKey> changed = StatusKeeper.changedKeys(bad == null ? statuses.applied() : bad, restored);
    statuses.served(changed, restored, rollback.restored().version());
    dirty.addAll(changed);
    statuses.refresh(dirty);
    if (bad != null) {
      coalescer.execute(this::rebuildLogged); // everything but the suspects, served again now
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
    statuses.refresh(verdicts.acknowledged(inputs, store.inputSet()));
    if (verdicts.untried()) {
      coalescer.execute(this::rebuildLogged); // try the next suspects
    }
  }

  private void reconciled(String source, Predicate<ResourceKey> scope, ImmutableSet<ResourceKey> present) {
    owner.check();
    for (ResourceKey key : store.ownedBy(source)) {
      if (scope.test(key) && !present.contains(key)) {
        log.info("{} no longer lists {}: deleted while it was away", source, key);
        apply(ResourceEvent.delete(key, source + ":reconcile"));
      }
    }
    for (ResourceEvent pending : ImmutableList.copyOf(shadowed.values())) {
      if (pending.source().equals(source) && scope.test(pending.key()) && !present.contains(pending.key())) {
        apply(ResourceEvent.delete(pending.key(), source + ":reconcile"));
      }
    }
  }

  /**
   * Whether {@code event} is for a key another source owns: then it is the conflict's business (kept
   * aside, reported in the key's status) and nothing is stored or deleted.
   */
  private boolean conflicting(ResourceEvent event) {
    ResourceKey key = event.key();
    Optional<String> owning = store.owner(key).filter(o -> !o.equals(event.source()));
    if (owning.isEmpty()) {
      return false;
    }
    ResourceEvent previous = shadowed.get(key);
    if (event.type() == ResourceEvent.Type.DELETE) {
      if (previous != null && previous.source().equals(event.source())) {
        shadowed.remove(key);
        statuses.conflict(key, Optional.empty());
        log.info("{}: the conflicting copy from {} was deleted", key, event.origin());
        statuses.refresh(ImmutableSet.of(key));
      }
      return true; // a delete from a source that does not own it never removes another's resource
    }
    shadowed.put(key, event);
    String ownerOrigin = statuses.origin(key).orElse(owning.get());
    String text = "conflict: " + event.origin() + " sends this resource too, but it belongs to " + ownerOrigin
        + "; the " + owning.get() + " version is kept until " + owning.get() + " deletes it (Conflicted)";
    statuses.conflict(key, Optional.of(text));
    if (previous == null || !previous.origin().equals(event.origin())) {
      log.warn("{}: {}", key, text);
    }
    statuses.refresh(ImmutableSet.of(key));
    return true;
  }

  private void apply(ResourceEvent event) {
    owner.check();
    ResourceKey key = event.key();
    statuses.unreadable(event.origin(), Optional.empty());
    if (conflicting(event)) {
      return;
    }
    if (event.type() == ResourceEvent.Type.DELETE) {
      statuses.deleted(key);
      verdicts.lift(key);
      try {
        if (store.remove(key)) {
          log.info("deleted {} ({})", key, event.origin());
          coalescer.changed();
        }
      } catch (IOException e) {
        log.error("cannot delete {} from the state directory: {}", key, e.toString());
      }
      statuses.refresh(ImmutableSet.of(key));
      ResourceEvent waiting = shadowed.remove(key);
      if (waiting != null && store.get(key).isEmpty()) {
        statuses.conflict(key, Optional.empty());
        log.info("{}: now from {}, its owner having deleted it", key, waiting.origin());
        apply(waiting);
      }
      return;
    }
    Resource resource = event.resource().orElseThrow();
    ImmutableList<Diagnostic> diagnostics = validate(resource);
    ImmutableList<String> errors = StatusKeeper.texts(diagnostics, true);
    if (!errors.isEmpty()) {
      rejected(key, event.origin(), errors, StatusKeeper.resourceVersion(resource));
      return;
    }
    boolean changed;
    try {
      changed = store.put(resource, event.source());
    } catch (IOException | IllegalArgumentException e) {
      rejected(
          key,
          event.origin(),
          ImmutableList.of("could not be stored: " + e.getMessage()),
          StatusKeeper.resourceVersion(resource));
      return;
    }
    statuses.accepted(key, event.origin(), StatusKeeper.texts(diagnostics, false),
        StatusKeeper.resourceVersion(resource));
    if (changed) {
      verdicts.lift(key);
      log.info("accepted {} ({})", key, event.origin());
      coalescer.changed();
    }
    statuses.refresh(ImmutableSet.of(key));
  }

  private ImmutableList<Diagnostic> validate(Resource resource) {
    try {
      return validator.validate(resource);
    } catch (RuntimeException e) {
      log.error("validator failed on {}", resource.key(), e);
      return ImmutableList.of(Diagnostic.error(resource.key(), "", "validation failed: " + e));
    }
  }

  private void rejected(
      ResourceKey key,
      String origin,
      ImmutableList<String> reasons,
      Optional<String> resourceVersion) {
    metrics.messageRejected();
    statuses.rejected(key, origin, reasons, resourceVersion);
    log.warn("rejected {}: {}{}", key, String.join("; ", reasons),
        store.get(key).isPresent() ? " (still serving the previous version)" : "");
    statuses.refresh(ImmutableSet.of(key));
  }

  private void unreadable(String origin, Optional<ResourceKey> key, String reason) {
    if (key.isPresent()) {
      rejected(key.get(), origin, ImmutableList.of(reason), Optional.empty());
      return;
    }
    metrics.messageRejected();
    statuses.unreadable(origin, Optional.of(reason));
    log.warn("rejected {}: {}", origin, reason);
    statuses.refresh(ImmutableSet.of());
  }

  private void rebuildLogged() {
    try {
      rebuild();
    } catch (RuntimeException e) {
      log.error("rebuild failed", e);
    }
  }

  private void rebuild() {
    owner.check();
    coalescer.rebuilding();
    EnvoyVerdicts.Plan plan = verdicts.plan(store.inputSet());
    InputSet inputs = plan.inputs();
    Set<ResourceKey> dirty = new HashSet<>(plan.touched());
    if (inputs.equals(translatedInputs)
        && publisher.current().map(p -> p.resources() == lastTranslation.resources()).orElse(false)) {
      afterServed(inputs);
      statuses.refresh(dirty);
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
    translatedInputs = inputs;
    ImmutableList<ResourceKey> changed = statuses.changedFromApplied(inputs);
    // Statuses that can differ: resources served anew, and those whose translation diagnostics changed.
    dirty.addAll(changed);
    dirty.addAll(statuses.translated(translation.diagnostics()));
    dirty.addAll(statuses.objectStatuses(translation.statuses()));
    SnapshotPublisher.Outcome outcome = publisher.publish(translation.resources(),
        changed.stream().map(ResourceKey::toString).collect(ImmutableList.toImmutableList()), Optional.of(inputs));
    if (outcome == SnapshotPublisher.Outcome.PUBLISHED || outcome == SnapshotPublisher.Outcome.UNCHANGED) {
      String version = publisher.current().orElseThrow().version();
      inputsByVersion.put(version, inputs);
      statuses.served(changed, inputs, version);
      afterServed(inputs);
    } else if (verdicts.trying() || outcome == SnapshotPublisher.Outcome.SKIPPED_REJECTED) {
      // Content Envoy already refused (or a snapshot we cannot serve): as good as refused again.
      dirty.addAll(verdicts.refused(inputs, outcome == SnapshotPublisher.Outcome.SKIPPED_REJECTED
          ? publisher.skippedBecause() : "not servable: " + outcome));
      coalescer.execute(this::rebuildLogged);
    }
    statuses.refresh(dirty);
  }

  /** {@code inputs} are served: when Envoy already acknowledged that content, they count as acknowledged now. */
  private void afterServed(InputSet inputs) {
    if (publisher.current().map(publisher::fullyAcked).orElse(false)) {
      acknowledged(inputs);
    }
  }

  private void logNewDiagnostics(Translation translation) {
    Sets.SetView<Diagnostic> fresh = Sets.difference(
        ImmutableSet.copyOf(translation.diagnostics()), ImmutableSet.copyOf(lastTranslation.diagnostics()));
    for (Diagnostic d : fresh) {
      if (d.isError()) {
        log.warn("rejected {}: {}", d.resource(), StatusKeeper.text(d));
      } else {
        log.info("warning {}: {}", d.resource(), StatusKeeper.text(d));
      }
    }
  }
}
