package io.edgegw.server;

import com.google.common.collect.ImmutableSortedMap;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;

/**
 * Resource versions added in name order (as {@link ByName#walk} visits them), made into an {@link
 * ImmutableSortedMap} without sorting them again: {@code ImmutableSortedMap.copyOfSorted} trusts a
 * {@link SortedMap}'s order, where a builder sorts what it is given, comparing names of long common prefixes
 * (5 % of a change's CPU at 10,000 hosts with route scopes). As a map it is read-only: names are only
 * added, in order, through {@link #add}.
 */
final class InNameOrder extends AbstractMap<String, String> implements SortedMap<String, String> {
  private final List<Map.Entry<String, String>> entries;

  InNameOrder(int expectedSize) {
    entries = new ArrayList<>(expectedSize);
  }

  /** A read-only view of some of another's entries, in order (its head, tail or a part). */
  private InNameOrder(List<Map.Entry<String, String>> entries) {
    this.entries = Collections.unmodifiableList(entries);
  }

  /** {@code name} must follow the last one added; a repeated name (a translator bug) is refused. */
  void add(String name, String version) {
    if (!entries.isEmpty()) {
      String last = entries.get(entries.size() - 1).getKey();
      // Names are hashed once (String caches it): equal names are caught without comparing unequal ones.
      if (last.hashCode() == name.hashCode() && last.equals(name)) {
        throw new IllegalArgumentException("two resources are named " + name);
      }
    }
    entries.add(Map.entry(name, version));
  }

  ImmutableSortedMap<String, String> toMap() {
    return ImmutableSortedMap.copyOfSorted(this);
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return entries.iterator();
      }

      @Override
      public int size() {
        return entries.size();
      }
    };
  }

  @Override
  public Comparator<? super String> comparator() {
    return null; // natural order
  }

  @Override
  public SortedMap<String, String> subMap(String fromKey, String toKey) {
    if (fromKey.compareTo(toKey) > 0) {
      throw new IllegalArgumentException(fromKey + " after " + toKey);
    }
    return new InNameOrder(entries.subList(firstAtOrAfter(fromKey), firstAtOrAfter(toKey)));
  }

  @Override
  public SortedMap<String, String> headMap(String toKey) {
    return new InNameOrder(entries.subList(0, firstAtOrAfter(toKey)));
  }

  @Override
  public SortedMap<String, String> tailMap(String fromKey) {
    return new InNameOrder(entries.subList(firstAtOrAfter(fromKey), entries.size()));
  }

  @Override
  public String firstKey() {
    if (entries.isEmpty()) {
      throw new NoSuchElementException();
    }
    return entries.get(0).getKey();
  }

  @Override
  public String lastKey() {
    if (entries.isEmpty()) {
      throw new NoSuchElementException();
    }
    return entries.get(entries.size() - 1).getKey();
  }

  /** Where the first name not before {@code name} is (the size when there is none). */
  private int firstAtOrAfter(String name) {
    int low = 0;
    int high = entries.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (entries.get(middle).getKey().compareTo(name) < 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }
}
