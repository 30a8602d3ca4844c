package io.edgegw.translator.memo;

import com.google.common.collect.Maps;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Values computed by the previous translation, by key: what this translation asks for again is
 * answered from there, and whatever it does not ask for is forgotten when it ends. Memory stays at
 * about one translation's worth, and a value is only ever reused for an equal (or, for
 * {@link #byIdentity()}, the same) key, so the results are those of a fresh translation.
 *
 * <p>Not thread-safe: one translation at a time.
 */
public final class Memo<K, V> {
  private final boolean identity;
  private Map<K, V> previous;
  private Map<K, V> current;

  private Memo(boolean identity) {
    this.identity = identity;
    this.previous = newMap();
    this.current = newMap();
  }

  /** Keys compared with {@code equals}: for small value types (records, protobuf messages). */
  public static <K, V> Memo<K, V> byEquality() {
    return new Memo<>(false);
  }

  /**
   * Keys compared by reference: for large inputs whose unchanged instances are handed in again (the
   * store keeps the same {@code Resource} object until it changes), where a deep {@code equals} or
   * {@code hashCode} would cost as much as the work saved.
   */
  public static <K, V> Memo<K, V> byIdentity() {
    return new Memo<>(true);
  }

  public V get(K key, Function<? super K, ? extends V> compute) {
    V value = current.get(key);
    if (value != null) {
      return value;
    }
    value = previous.get(key);
    if (value == null) {
      value = compute.apply(key);
    }
    current.put(key, value);
    return value;
  }

  /** What the previous translation had for {@code key}, if anything, whatever this one will have. */
  public java.util.Optional<V> previous(K key) {
    return java.util.Optional.ofNullable(previous.get(key));
  }

  /** Sets what this translation has for {@code key}. */
  public void put(K key, V value) {
    current.put(key, value);
  }

  /** Ends one translation: what it did not use is dropped. */
  public void endTranslation() {
    int size = current.size();
    previous = current;
    current = newMap(size);
  }

  /** Forgets everything, e.g. when something every value depends on changed. */
  public void clear() {
    previous = newMap();
    current = newMap();
  }

  private Map<K, V> newMap() {
    return newMap(0);
  }

  /** Sized for {@code expected} entries, as many as the last translation used: no rehashing on the way. */
  private Map<K, V> newMap(int expected) {
    return identity ? new IdentityHashMap<>(expected) : Maps.newHashMapWithExpectedSize(expected);
  }
}
