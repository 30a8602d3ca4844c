package io.edgegw.server;

import io.edgegw.mqtt.ThreadOwner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Multimaps;
import com.google.common.collect.Sets;
import io.edgegw.translator.gatewayapi.status.ObjectStatus;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The per-resource status board: what each submission, translation and snapshot meant for each input,
 * kept key by key so that a change costs the statuses it touches, not one per stored resource. Owned by
 * the config loop thread; other threads read {@link #board()}, an immutable board behind a volatile.
 */
final class StatusKeeper {
  private static final String FROM_STATE = "state";

  /**
   * The latest submission of a key: accepted (with validation warnings) or rejected (with reasons);
   * {@code resourceVersion}: its {@code metadata.resourceVersion}, echoed in its status for publishers.
   */
  private record Submission(
      String origin,
      boolean rejected,
      ImmutableList<String> reasons,
      ImmutableList<String> warnings,
      Optional<String> resourceVersion) {}

  private final ConfigStore store;
  private final EnvoyVerdicts verdicts;
  private final Consumer<StatusBoard> onChange;
  private final Clock clock;
  private final ThreadOwner owner = new ThreadOwner("the status board");
  private final Map<ResourceKey, Submission> submissions = new HashMap<>();
  private final TreeMap<String, String> unreadable = new TreeMap<>();
  /** Keys another source also sends, with the text naming both sources (a warning in the status). */
  private final Map<ResourceKey, String> conflicts = new HashMap<>();
  private final TreeMap<ResourceKey, ResourceStatus> statuses = new TreeMap<>();
  /** The last translation's diagnostics by resource: each status reads its own without scanning all. */
  private ImmutableListMultimap<ResourceKey, Diagnostic> diagnostics = ImmutableListMultimap.of();
  /**
   * The last translation's Gateway API object statuses, rendered: a condition keeps its
   * lastTransitionTime from here while its status stays, so an unchanged status renders equal and is not
   * published again.
   */
  private final Map<ResourceKey, ObjectNode> objectStatuses = new HashMap<>();
  /**
   * The snapshot that first served each applied resource as it is now: later snapshots keep serving it,
   * so its status stays the same and is not sent again for every other resource's change.
   */
  private final Map<ResourceKey, String> appliedIn = new HashMap<>();
  private InputSet applied = InputSet.EMPTY;
  private volatile StatusBoard board = StatusBoard.EMPTY;

  /** {@code onChange} runs on the loop thread with each new board; it must not block. */
  StatusKeeper(ConfigStore store, EnvoyVerdicts verdicts, Consumer<StatusBoard> onChange, Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = Objects.requireNonNull(store, "store");
    this.verdicts = Objects.requireNonNull(verdicts, "verdicts");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  /** Safe from any thread. */
  StatusBoard board() {
    return board;
  }

  /** The inputs of the snapshot served now. */
  InputSet applied() {
    owner.check();
    return applied;
  }

  void accepted(ResourceKey key, String origin, ImmutableList<String> warnings, Optional<String> resourceVersion) {
    owner.check();
    submissions.put(key, new Submission(origin, false, ImmutableList.of(), warnings, resourceVersion));
  }

  void rejected(ResourceKey key, String origin, ImmutableList<String> reasons, Optional<String> resourceVersion) {
    owner.check();
    submissions.put(key, new Submission(origin, true, reasons, ImmutableList.of(), resourceVersion));
  }

  void deleted(ResourceKey key) {
    owner.check();
    submissions.remove(key);
  }

  /** Another source sends {@code key} too ({@code text} names both), or no longer does (empty). */
  void conflict(ResourceKey key, Optional<String> text) {
    owner.check();
    if (text.isPresent()) {
      conflicts.put(key, text.get());
    } else {
      conflicts.remove(key);
    }
  }

  /** Where the latest submission of {@code key} came from, if one was made in this run. */
  Optional<String> origin(ResourceKey key) {
    owner.check();
    return Optional.ofNullable(submissions.get(key)).map(Submission::origin);
  }

  /** A message that names no resource could not be read ({@code reason}); a later one from there may. */
  void unreadable(String origin, Optional<String> reason) {
    owner.check();
    if (reason.isPresent()) {
      unreadable.put(origin, reason.get());
    } else {
      unreadable.remove(origin);
    }
  }

  /** A new translation's diagnostics; returns the keys whose diagnostics changed. */
  Set<ResourceKey> translated(ImmutableList<Diagnostic> all) {
    owner.check();
    ImmutableListMultimap<ResourceKey, Diagnostic> previous = diagnostics;
    diagnostics = Multimaps.index(all, Diagnostic::resource);
    Set<ResourceKey> changed = new HashSet<>();
    for (ResourceKey key : Sets.union(previous.keySet(), diagnostics.keySet())) {
      if (!previous.get(key).equals(diagnostics.get(key))) {
        changed.add(key);
      }
    }
    return changed;
  }

  /**
   * A new translation's Gateway API object statuses, stamped with the time a condition changes; returns
   * the keys whose rendered status changed.
   */
  Set<ResourceKey> objectStatuses(ImmutableMap<ResourceKey, ObjectStatus> all) {
    owner.check();
    Set<ResourceKey> changed = new HashSet<>();
    for (ResourceKey gone : Sets.difference(ImmutableSet.copyOf(objectStatuses.keySet()), all.keySet())) {
      objectStatuses.remove(gone);
      changed.add(gone);
    }
    all.forEach((key, status) -> {
      ObjectNode before = objectStatuses.get(key);
      ObjectNode now = status.toJson(clock.instant(), Optional.<JsonNode>ofNullable(before));
      if (!now.equals(before)) {
        objectStatuses.put(key, now);
        changed.add(key);
      }
    });
    return changed;
  }

  /** The inputs that differ between what is served and {@code next}, in key order. */
  ImmutableList<ResourceKey> changedFromApplied(InputSet next) {
    owner.check();
    return changedKeys(applied, next);
  }

  /** {@code inputs} are served in snapshot {@code version}; {@code changed} (from the last) are applied there. */
  void served(ImmutableList<ResourceKey> changed, InputSet inputs, String version) {
    owner.check();
    for (ResourceKey key : changed) {
      if (inputs.resources().containsKey(key)) {
        appliedIn.put(key, version);
      } else {
        appliedIn.remove(key);
      }
    }
    applied = inputs;
  }

  /**
   * Recomputes the statuses of {@code dirty} (the only ones that can have changed) and, when any
   * status or unreadable message differs, publishes a new board.
   */
  void refresh(Set<ResourceKey> dirty) {
    owner.check();
    boolean changed = !unreadable.equals(board.unreadable());
    for (ResourceKey key : dirty) {
      ResourceStatus before = store.get(key).isPresent() || submissions.containsKey(key)
          ? statuses.put(key, statusOf(key))
          : statuses.remove(key);
      changed |= !Objects.equals(before, statuses.get(key));
    }
    if (changed) {
      board = new StatusBoard(ImmutableSortedMap.copyOfSorted(statuses), ImmutableSortedMap.copyOfSorted(unreadable));
      onChange.accept(board);
    }
  }

  /** The inputs added, removed or changed from {@code before} to {@code after}, in key order. */
  static ImmutableList<ResourceKey> changedKeys(InputSet before, InputSet after) {
    // One merge of the two sorted maps: a lookup per key cost a binary search of string comparisons
    // each, a fifth of a change's loop time at 1000 inputs. Unchanged entries are the same key and
    // resource instances, so most steps are two reference checks.
    Comparator<? super ResourceKey> order = after.resources().comparator();
    ImmutableList.Builder<ResourceKey> out = ImmutableList.builder();
    Iterator<Map.Entry<ResourceKey, Resource>> was = before.resources().entrySet().iterator();
    Iterator<Map.Entry<ResourceKey, Resource>> is = after.resources().entrySet().iterator();
    Map.Entry<ResourceKey, Resource> a = was.hasNext() ? was.next() : null;
    Map.Entry<ResourceKey, Resource> b = is.hasNext() ? is.next() : null;
    while (a != null || b != null) {
      int c = a == null ? 1 : b == null ? -1 : a.getKey() == b.getKey() ? 0 : order.compare(a.getKey(), b.getKey());
      if (c < 0 || c > 0 || !Objects.equals(a.getValue(), b.getValue())) {
        out.add(c <= 0 ? a.getKey() : b.getKey());
      }
      if (c <= 0) {
        a = was.hasNext() ? was.next() : null;
      }
      if (c >= 0) {
        b = is.hasNext() ? is.next() : null;
      }
    }
    return out.build();
  }

  private ResourceStatus statusOf(ResourceKey key) {
    return edgegwStatusOf(key).withObjectStatus(Optional.ofNullable(objectStatuses.get(key)));
  }

  private ResourceStatus edgegwStatusOf(ResourceKey key) {
    Submission submission = submissions.get(key);
    Optional<Resource> stored = store.get(key);
    String origin = submission == null ? FROM_STATE : submission.origin();
    boolean isApplied = stored.isPresent() && stored.get().equals(applied.resources().get(key));
    Optional<String> version = isApplied ? Optional.ofNullable(appliedIn.get(key)) : Optional.empty();
    Optional<String> resourceVersion = submission != null && submission.rejected()
        ? submission.resourceVersion()
        : stored.flatMap(StatusKeeper::resourceVersion);
    ImmutableList<Diagnostic> translated = diagnostics.get(key);
    ImmutableList<String> warnings = ImmutableList.<String>builder()
        .addAll(Optional.ofNullable(conflicts.get(key)).stream().iterator())
        .addAll(submission == null || submission.rejected() ? ImmutableList.of() : submission.warnings())
        .addAll(texts(translated, false))
        .build();
    if (submission != null && submission.rejected()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED, origin, submission.reasons(), warnings, version,
          stored.isPresent(), resourceVersion);
    }
    Optional<String> quarantined = verdicts.quarantined(key, stored);
    if (quarantined.isPresent()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED_BY_ENVOY, origin,
          ImmutableList.of("rejected by Envoy: " + quarantined.get()), warnings, Optional.empty(),
          verdicts.acknowledgedVersion(key).isPresent(), resourceVersion);
    }
    ImmutableList<String> errors = texts(translated, true);
    if (!errors.isEmpty()) {
      return new ResourceStatus(key, ResourceStatus.State.REJECTED, origin, errors, warnings, Optional.empty(), false,
          resourceVersion);
    }
    return new ResourceStatus(key, isApplied ? ResourceStatus.State.APPLIED : ResourceStatus.State.ACCEPTED, origin,
        ImmutableList.of(), warnings, version, false, resourceVersion);
  }

  /** The submission's {@code metadata.resourceVersion}, echoed in its status for publishers (edgegw fleet). */
  static Optional<String> resourceVersion(Resource resource) {
    String version = resource.metadata().path("resourceVersion").asText("");
    return version.isEmpty() ? Optional.empty() : Optional.of(version);
  }

  static ImmutableList<String> texts(ImmutableList<Diagnostic> diagnostics, boolean errors) {
    return diagnostics.stream().filter(d -> d.isError() == errors).map(StatusKeeper::text)
        .collect(ImmutableList.toImmutableList());
  }

  /** {@code spec.http[0].route: message}, the form used in logs and the admin view. */
  static String text(Diagnostic d) {
    return d.field().isEmpty() ? d.message() : d.field() + ": " + d.message();
  }
}
