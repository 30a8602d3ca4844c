package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The merge in {@link StatusKeeper#changedKeys} against the plain definition, on random edits. */
class StatusKeeperChangedKeysTest {
  @Test
  void reportsExactlyTheAddedRemovedAndChangedKeysInOrder() {
    Random random = new Random(16);
    for (int round = 0; round < 300; round++) {
      TreeMap<ResourceKey, Resource> before = new TreeMap<>();
      int size = random.nextInt(40);
      for (int i = 0; i < size; i++) {
        Resource r = Fixtures.virtualService("vs-" + random.nextInt(60), "h" + i + ".example.com");
        before.put(r.key(), r);
      }
      TreeMap<ResourceKey, Resource> after = new TreeMap<>(before);
      for (int edit = random.nextInt(6); edit > 0; edit--) {
        String name = "vs-" + random.nextInt(60);
        switch (random.nextInt(4)) {
          case 0 -> after.remove(Fixtures.virtualService(name, "x").key());
          case 1 -> { // added or replaced by different content
            Resource r = Fixtures.virtualService(name, "edited-" + edit + ".example.com");
            after.put(r.key(), r);
          }
          case 2 -> { // an equal copy: a new instance (and key instance), not a change
            Resource old = after.get(Fixtures.virtualService(name, "x").key());
            if (old != null) {
              Resource copy = new Resource(ResourceKey.of(old.key().kind(), old.key().namespace(), old.key().name()),
                  old.manifest().deepCopy());
              after.remove(old.key());
              after.put(copy.key(), copy);
            }
          }
          default -> { }
        }
      }
      InputSet was = new InputSet(ImmutableSortedMap.copyOfSorted(before));
      InputSet is = new InputSet(ImmutableSortedMap.copyOfSorted(after));

      assertEquals(plainDefinition(was, is), StatusKeeper.changedKeys(was, is));
      assertEquals(plainDefinition(is, was), StatusKeeper.changedKeys(is, was));
      assertTrue(StatusKeeper.changedKeys(was, was).isEmpty());
      assertEquals(ImmutableList.copyOf(is.resources().keySet()), StatusKeeper.changedKeys(InputSet.EMPTY, is));
    }
  }

  private static ImmutableList<ResourceKey> plainDefinition(InputSet before, InputSet after) {
    TreeSet<ResourceKey> keys = new TreeSet<>();
    before.resources().forEach((k, v) -> {
      if (!Objects.equals(v, after.resources().get(k))) {
        keys.add(k);
      }
    });
    after.resources().keySet().stream().filter(k -> !before.resources().containsKey(k)).forEach(keys::add);
    return ImmutableList.copyOf(keys);
  }
}
