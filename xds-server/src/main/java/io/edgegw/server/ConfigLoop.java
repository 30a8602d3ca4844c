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

  private void apply(ResourceEvent event) {
    owner.check();
    ResourceKey key = event.key();
    statuses.unreadable(event.origin(), Optional.empty());
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
      changed = store.put(resource);
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
