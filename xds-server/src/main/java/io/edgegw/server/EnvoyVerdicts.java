package io.edgegw.server;

import io.edgegw.mqtt.ThreadOwner;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Envoy said of the inputs, and what follows for the next translation: it remembers the inputs of
 * the last snapshot every Envoy acknowledged, turns a NACK into suspects (the inputs changed since),
 * and keeps the {@link Quarantine} and its file. Owned by the config loop thread.
 */
final class EnvoyVerdicts {
  private static final Logger log = LoggerFactory.getLogger(EnvoyVerdicts.class);

  /** What to translate next, and the keys whose status may have changed on the way. */
  record Plan(InputSet inputs, ImmutableSet<ResourceKey> touched) {}

  private final ThreadOwner owner = new ThreadOwner("the Envoy verdicts");
  private final Quarantine quarantine = new Quarantine();
  private final Optional<QuarantineFile> file;
  private boolean loaded;
  /** The inputs of the last snapshot every Envoy acknowledged; null until this run knows one. */
  private InputSet acked;
  /** Until then: the digests of the inputs of the previous run's acknowledged snapshot, by store path. */
  private ImmutableMap<String, String> previousRunDigests = ImmutableMap.of();
  /** A previous run's snapshot exists but without input digests (written by an older version). */
  private boolean previousRunUnknown;

  EnvoyVerdicts(Optional<QuarantineFile> file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The digests of the inputs of the previous run's snapshot (empty: written by an older version). */
  void previousRun(ImmutableMap<String, String> digestsByPath) {
    owner.check();
    previousRunDigests = Objects.requireNonNull(digestsByPath, "digestsByPath");
    previousRunUnknown = digestsByPath.isEmpty();
  }

  /**
   * What to translate from {@code stored}: held and untried suspect inputs replaced by the version
   * Envoy acknowledged (or left out), and the next suspects to try put in. The first call also holds out
   * what an earlier run quarantined, if it is still stored as it was.
   */
  Plan plan(InputSet stored) {
    owner.check();
    Set<ResourceKey> touched = new HashSet<>();
    if (!loaded) {
      loaded = true;
      load(stored);
      touched.addAll(quarantine.held().keySet());
    }
    touched.addAll(quarantine.nextTry(stored));
    return new Plan(quarantine.effective(stored, this::acknowledgedVersion), ImmutableSet.copyOf(touched));
  }

  /** Envoy refused the snapshot made from {@code refused}; returns the keys whose state changed. */
  ImmutableSet<ResourceKey> refused(InputSet refused, String message) {
    owner.check();
    if (acked == null && previousRunUnknown) {
      // A saved snapshot from before per-input digests: no telling what changed since Envoy had it.
      // Holding every input back would serve nothing, so keep serving that snapshot instead.
      log.warn("Envoy rejected a snapshot, and which inputs changed since its last acknowledgement is unknown"
          + " (state directory from an older version); keeping the previous run's snapshot: {}", message);
      return ImmutableSet.of();
    }
    ImmutableSet<ResourceKey> touched = quarantine.refused(refused, changedSinceAcknowledged(refused), message);
    ImmutableSet<ResourceKey> held = touched.stream().filter(k -> quarantine.held(k).isPresent())
        .collect(ImmutableSet.toImmutableSet());
    if (!held.isEmpty()) {
      log.warn("rejected by Envoy, quarantined until a new version arrives: {}: {}", describe(held), message);
      save();
    }
    ImmutableSet<ResourceKey> suspects = quarantine.suspects();
    if (!suspects.isEmpty()) {
      log.warn("held back while Envoy's rejection is narrowed down, {} suspect input(s): {}",
          suspects.size(), describe(suspects));
    }
    return touched;
  }

  /** Every Envoy acknowledged a snapshot made from {@code inputs}; returns the suspects it cleared. */
  ImmutableSet<ResourceKey> acknowledged(InputSet inputs, InputSet stored) {
    owner.check();
    acked = Objects.requireNonNull(inputs, "inputs");
    ImmutableSet<ResourceKey> cleared = quarantine.acknowledged(inputs, stored);
    if (!cleared.isEmpty()) {
      log.info("Envoy accepted {}: no longer suspected", describe(cleared));
    }
    return cleared;
  }

  /** Suspects wait to be tried and none is being tried: a rebuild is due to try them. */
  boolean untried() {
    owner.check();
    return !quarantine.suspects().isEmpty() && !quarantine.isTrying();
  }

  /** Suspects are being tried: what is served now awaits Envoy's answer. */
  boolean trying() {
    owner.check();
    return quarantine.isTrying();
  }

  /** A new version of {@code key}, or its delete, arrived: not held nor suspected any more. */
  void lift(ResourceKey key) {
    owner.check();
    if (quarantine.lift(key)) {
      save();
    }
  }

  /** Envoy's message when {@code stored} (the stored version of its key) is quarantined. */
  Optional<String> quarantined(ResourceKey key, Optional<Resource> stored) {
    owner.check();
    return quarantine.held(key).filter(h -> stored.isPresent() && h.resource().equals(stored.get()))
        .map(Quarantine.Held::message);
  }

  /** The version of {@code key} in the last snapshot every Envoy acknowledged, if known. */
  Optional<Resource> acknowledgedVersion(ResourceKey key) {
    owner.check();
    return acked == null ? Optional.empty() : Optional.ofNullable(acked.resources().get(key));
  }

  /** The inputs of {@code inputs} that Envoy has not acknowledged as they are. */
  private Set<ResourceKey> changedSinceAcknowledged(InputSet inputs) {
    if (acked != null) {
      return inputs.resources().entrySet().stream()
          .filter(e -> !e.getValue().equals(acked.resources().get(e.getKey())))
          .map(Map.Entry::getKey)
          .collect(Collectors.toSet());
    }
    // Nothing acknowledged in this run yet: compare with what the previous run's Envoy acknowledged.
    return inputs.resources().values().stream()
        .filter(r -> !digest(r).equals(previousRunDigests.get(ConfigStore.pathOf(r.key()))))
        .map(Resource::key)
        .collect(Collectors.toSet());
  }

  private void save() {
    if (file.isEmpty()) {
      return;
    }
    ImmutableMap.Builder<ResourceKey, QuarantineFile.Entry> entries = ImmutableMap.builder();
    quarantine
        .held()
        .forEach(
            (key, held) ->
                entries.put(
                    key, new QuarantineFile.Entry(digest(held.resource()), held.message())));
    try {
      file.get().save(entries.buildOrThrow());
    } catch (IOException e) {
      log.warn("cannot save the quarantine (a restart tries those resources again): {}", e.toString());
    }
  }

  private void load(InputSet stored) {
    file.ifPresent(f -> f.load().forEach((key, entry) -> {
      Resource resource = stored.resources().get(key);
      if (resource != null && digest(resource).equals(entry.digest())) {
        quarantine.hold(resource, entry.message());
        log.warn("still quarantined from an earlier run: {}: rejected by Envoy: {}", key, entry.message());
      }
    }));
  }

  private static String digest(Resource resource) {
    try {
      return ConfigStore.fileDigest(resource);
    } catch (IOException e) {
      return "";
    }
  }

  static String describe(Set<ResourceKey> keys) {
    return keys.stream().limit(20).map(ResourceKey::toString).collect(Collectors.joining(", "))
        + (keys.size() > 20 ? " and " + (keys.size() - 20) + " more" : "");
  }
}
