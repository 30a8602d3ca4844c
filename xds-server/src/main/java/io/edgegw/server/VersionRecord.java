package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Sets;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One snapshot put into the xDS cache, for {@code /versions}: its versions, when, what changed against
 * the snapshot served before it (per type URL; unchanged types are left out), why (the input keys whose
 * change triggered it, when known), and what became of it.
 */
public record VersionRecord(
    SnapshotVersions versions,
    Instant at,
    Cause cause,
    ImmutableList<String> trigger,
    ImmutableSortedMap<String, Changes> changes,
    Outcome outcome,
    Optional<String> rejection) {

  public enum Cause {
    /** New content: translated inputs (or a test's raw publish). */
    UPDATE,
    /** An older snapshot put back after Envoy rejected a newer one. */
    ROLLBACK,
    /** The snapshot Envoy last acknowledged before a restart, served before the first translation. */
    RESTORE
  }

  public enum Outcome {
    /** In the cache now. */
    SERVING,
    /** Was in the cache, replaced by a newer snapshot. */
    SERVED,
    /** Envoy NACKed it; an older snapshot was put back ({@link #rejection()} says why). */
    ROLLED_BACK
  }

  /** Resource names added, removed and changed (same name, other content) in one type. */
  public record Changes(ImmutableSortedSet<String> added, ImmutableSortedSet<String> removed,
      ImmutableSortedSet<String> changed) {
    public Changes {
      Objects.requireNonNull(added, "added");
      Objects.requireNonNull(removed, "removed");
      Objects.requireNonNull(changed, "changed");
    }

    boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }
  }

  public VersionRecord {
    Objects.requireNonNull(versions, "versions");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(changes, "changes");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(rejection, "rejection");
  }

  VersionRecord withOutcome(Outcome newOutcome, Optional<String> why) {
    return new VersionRecord(versions, at, cause, trigger, changes, newOutcome, why);
  }

  /** Per type URL, what differs from {@code before} to {@code after}. */
  static ImmutableSortedMap<String, Changes> diff(EnvoyResources before, EnvoyResources after) {
    ImmutableSortedMap.Builder<String, Changes> out = ImmutableSortedMap.naturalOrder();
    put(out, SnapshotVersions.LISTENERS, before.listeners(), after.listeners());
    put(out, SnapshotVersions.ROUTES, before.routes(), after.routes());
    put(out, SnapshotVersions.CLUSTERS, before.clusters(), after.clusters());
    put(out, SnapshotVersions.ENDPOINTS, before.endpoints(), after.endpoints());
    put(out, SnapshotVersions.SECRETS, before.secrets(), after.secrets());
    put(out, SnapshotVersions.SCOPES, before.scopes(), after.scopes());
    return out.build();
  }

  private static void put(ImmutableSortedMap.Builder<String, Changes> out, String typeUrl,
      List<? extends Message> before, List<? extends Message> after) {
    Map<String, Message> old = byName(before);
    Map<String, Message> now = byName(after);
    Changes changes = new Changes(
        ImmutableSortedSet.copyOf(Sets.difference(now.keySet(), old.keySet())),
        ImmutableSortedSet.copyOf(Sets.difference(old.keySet(), now.keySet())),
        Sets.intersection(old.keySet(), now.keySet()).stream()
            .filter(name -> !old.get(name).equals(now.get(name)))
            .collect(ImmutableSortedSet.toImmutableSortedSet(String::compareTo)));
    if (!changes.isEmpty()) {
      out.put(typeUrl, changes);
    }
  }

  private static Map<String, Message> byName(List<? extends Message> messages) {
    return messages.stream()
        .collect(Collectors.toMap(SnapshotVersions::nameOf, Function.identity(), (a, b) -> b));
  }
}
