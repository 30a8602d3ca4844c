package io.edgegw.server;

import io.edgegw.mqtt.ThreadOwner;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Inputs Envoy refused, held out of what is served so that one bad resource cannot freeze every later
 * change. A NACK makes every input changed since Envoy's last full acknowledgement a suspect. Suspects
 * are held back (their acknowledged version, if any, keeps being served) and tried in halves on top of
 * everything else (group testing): a half Envoy accepts is released, a half it refuses is split again,
 * and a suspect refused alone is quarantined with Envoy's message until a new version of it arrives.
 * With k suspects that costs about 2·log2(k) Envoy round trips; meanwhile every other change flows.
 *
 * <p>Owned by the config loop thread, which {@link ThreadOwner} asserts.
 */
final class Quarantine {
  /** A resource Envoy refused on its own: held out until a new version (or a delete) arrives. */
  record Held(Resource resource, String message) {
    Held {
      Objects.requireNonNull(resource, "resource");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Suspects tried together; {@code refused}: Envoy refused them together on top of acknowledged inputs. */
  private record Group(ImmutableList<ResourceKey> keys, boolean refused, String message) {}

  private final ThreadOwner owner = new ThreadOwner("quarantine");
  private final TreeMap<ResourceKey, Held> held = new TreeMap<>();
  private final ArrayDeque<Group> suspects = new ArrayDeque<>();
  private Group trying; // served on top of the rest, awaiting Envoy's answer

  /** Quarantined resources, by key. */
  ImmutableSortedMap<ResourceKey, Held> held() {
    owner.check();
    return ImmutableSortedMap.copyOfSorted(held);
  }

  Optional<Held> held(ResourceKey key) {
    owner.check();
    return Optional.ofNullable(held.get(key));
  }

  /** Suspects not yet cleared (including those being tried now). */
  ImmutableSet<ResourceKey> suspects() {
    owner.check();
    ImmutableSet.Builder<ResourceKey> keys = ImmutableSet.builder();
    if (trying != null) {
      keys.addAll(trying.keys());
    }
    suspects.forEach(g -> keys.addAll(g.keys()));
    return keys.build();
  }

  boolean isTrying() {
    owner.check();
    return trying != null;
  }

  /** Quarantines {@code resource} directly (a quarantine saved by an earlier run, for the same content). */
  void hold(Resource resource, String message) {
    owner.check();
    held.put(resource.key(), new Held(resource, message));
  }

  /**
   * What to translate: {@code stored}, except that a held or untried suspect resource is replaced by
   * the version Envoy last acknowledged ({@code acked}), or left out when Envoy never had one.
   */
  InputSet effective(InputSet stored, Function<ResourceKey, Optional<Resource>> acked) {
    owner.check();
    Set<ResourceKey> out = new java.util.HashSet<>(held.keySet());
    suspects.forEach(g -> out.addAll(g.keys()));
    out.retainAll(stored.resources().keySet());
    if (out.isEmpty()) {
      return stored;
    }
    TreeMap<ResourceKey, Resource> inputs = new TreeMap<>(stored.resources());
    for (ResourceKey key : out) {
      Resource current = inputs.remove(key);
      acked.apply(key).filter(r -> !r.equals(current)).ifPresent(r -> inputs.put(key, r));
    }
    return new InputSet(ImmutableSortedMap.copyOfSorted(inputs));
  }

  /**
   * Envoy refused a snapshot made from {@code refused}; {@code changed} are its inputs that differ from
   * what Envoy last acknowledged. Returns the keys whose state changed (for their statuses).
   */
  ImmutableSet<ResourceKey> refused(InputSet refused, Set<ResourceKey> changed, String message) {
    owner.check();
    ImmutableList<ResourceKey> keys = changed.stream()
        .filter(k -> refused.resources().containsKey(k) && !held.containsKey(k))
        .sorted()
        .collect(ImmutableList.toImmutableList());
    ImmutableSet.Builder<ResourceKey> touched = ImmutableSet.<ResourceKey>builder().addAll(keys);
    if (trying != null) {
      touched.addAll(trying.keys());
      trying = null;
    }
    if (keys.isEmpty()) {
      return touched.build();
    }
    for (Iterator<Group> it = suspects.iterator(); it.hasNext(); ) {
      Group g = it.next();
      if (keys.containsAll(g.keys())) {
        it.remove();
      }
    }
    if (keys.size() == 1) {
      held.put(keys.get(0), new Held(refused.resources().get(keys.get(0)), message));
    } else {
      // Other groups may still share keys with this one: a key is tried with its first group only.
      suspects.addFirst(new Group(keys, true, message));
      dropSharedKeys();
    }
    return touched.build();
  }

  /**
   * Envoy acknowledged a snapshot made from {@code acked}. The suspects being tried are cleared if they
   * were in it as stored. Returns the cleared keys.
   */
  ImmutableSet<ResourceKey> acknowledged(InputSet acked, InputSet stored) {
    owner.check();
    if (trying == null) {
      return ImmutableSet.of();
    }
    boolean included = trying.keys().stream().allMatch(k ->
        Objects.equals(acked.resources().get(k), stored.resources().get(k)));
    if (!included) {
      return ImmutableSet.of();
    }
    ImmutableSet<ResourceKey> cleared = ImmutableSet.copyOf(trying.keys());
    trying = null;
    return cleared;
  }

  /**
   * Picks the next suspects to try, if none are being tried: a refused group is split and its first
   * half tried; a refused single suspect is quarantined. Keys no longer stored are dropped. Returns the
   * keys whose state changed.
   */
  ImmutableSet<ResourceKey> nextTry(InputSet stored) {
    owner.check();
    ImmutableSet.Builder<ResourceKey> touched = ImmutableSet.builder();
    while (trying == null && !suspects.isEmpty()) {
      Group g = suspects.pollFirst();
      ImmutableList<ResourceKey> keys = g.keys().stream().filter(stored.resources()::containsKey)
          .collect(ImmutableList.toImmutableList());
      if (keys.isEmpty()) {
        continue;
      }
      touched.addAll(keys);
      if (!g.refused()) {
        trying = new Group(keys, false, g.message());
      } else if (keys.size() == 1) {
        held.put(keys.get(0), new Held(stored.resources().get(keys.get(0)), g.message()));
      } else {
        int half = keys.size() / 2;
        suspects.addFirst(new Group(keys.subList(half, keys.size()), false, g.message()));
        trying = new Group(keys.subList(0, half), false, g.message());
      }
    }
    return touched.build();
  }

  /** A new version of {@code key}, or its delete, arrived: it is no longer held or suspected. */
  boolean lift(ResourceKey key) {
    owner.check();
    boolean lifted = held.remove(key) != null;
    if (trying != null && trying.keys().contains(key)) {
      trying = without(trying, key);
      lifted = true;
    }
    ArrayDeque<Group> kept = new ArrayDeque<>();
    for (Group g : suspects) {
      lifted |= g.keys().contains(key);
      Group rest = without(g, key);
      if (rest != null) {
        kept.addLast(rest);
      }
    }
    suspects.clear();
    suspects.addAll(kept);
    return lifted;
  }

  private static Group without(Group g, ResourceKey key) {
    ImmutableList<ResourceKey> rest = g.keys().stream().filter(k -> !k.equals(key))
        .collect(ImmutableList.toImmutableList());
    return rest.isEmpty() ? null : new Group(rest, g.refused() && rest.size() == g.keys().size(), g.message());
  }

  /** A key belongs to one group: the newest (first) one that names it. */
  private void dropSharedKeys() {
    Set<ResourceKey> seen = new java.util.HashSet<>();
    ArrayDeque<Group> kept = new ArrayDeque<>();
    for (Group g : suspects) {
      ImmutableList<ResourceKey> rest = g.keys().stream().filter(seen::add).collect(ImmutableList.toImmutableList());
      if (!rest.isEmpty()) {
        kept.addLast(new Group(rest, g.refused() && rest.size() == g.keys().size(), g.message()));
      }
    }
    suspects.clear();
    suspects.addAll(kept);
  }
}
