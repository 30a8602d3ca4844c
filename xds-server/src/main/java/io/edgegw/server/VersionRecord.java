package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
    ImmutableSortedSet.Builder<String> added = ImmutableSortedSet.naturalOrder();
    ImmutableSortedSet.Builder<String> removed = ImmutableSortedSet.naturalOrder();
    ImmutableSortedSet.Builder<String> changed = ImmutableSortedSet.naturalOrder();
    ByName.walk(before, after, new ByName.Visitor() {
      @Override
      public void added(String name, Message now) {
        added.add(name);
      }

      @Override
      public void removed(String name, Message old) {
        removed.add(name);
      }

      @Override
      public void both(String name, int index, Message old, Message now) {
        if (!old.equals(now)) {
          changed.add(name);
        }
      }

      @Override
      public void same(int index, Message message) {}
    });
    Changes changes = new Changes(added.build(), removed.build(), changed.build());
    if (!changes.isEmpty()) {
      out.put(typeUrl, changes);
    }
  }
}
