package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Versions added in name order read as the sorted map a TreeMap of them is. */
class InNameOrderTest {
  @Test
  void readsAsATreeMapOfTheSameEntries() {
    InNameOrder versions = new InNameOrder(3);
    TreeMap<String, String> expected = new TreeMap<>();
    for (String name : List.of("a", "c", "e")) {
      versions.add(name, "v-" + name);
      expected.put(name, "v-" + name);
    }
    assertEquals(expected, versions.toMap());
    assertEquals(expected, versions);
    assertEquals("a", versions.firstKey());
    assertEquals("e", versions.lastKey());
    for (String from : List.of("", "a", "b", "c", "e", "f")) {
      assertEquals(expected.headMap(from), versions.headMap(from), "head " + from);
      assertEquals(expected.tailMap(from), versions.tailMap(from), "tail " + from);
      for (String to : List.of("b", "c", "f")) {
        if (from.compareTo(to) <= 0) {
          assertEquals(expected.subMap(from, to), versions.subMap(from, to), from + " to " + to);
        }
      }
    }
    SortedMap<String, String> none = versions.tailMap("f");
    assertThrows(NoSuchElementException.class, none::firstKey);
    assertThrows(NoSuchElementException.class, none::lastKey);
  }

  @Test
  void aRepeatedNameIsRefused() {
    InNameOrder versions = new InNameOrder(2);
    versions.add("a", "1");
    assertThrows(IllegalArgumentException.class, () -> versions.add("a", "2"));
  }
}
