package io.edgegw.translator.memo;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * As a {@link Memo#byIdentity()} memo, for keys met in the same order on every translation (VirtualServices
 * in conflict order): a translation walks its keys along the previous one's, so an unchanged key costs a
 * reference compare where a lookup cost two hash lookups and a put (10,000 of them, every change). A key
 * a few places from where it was (some before it gone) is found by looking a few ahead; once a translation
 * has missed more than a few, by a lookup. Each key is meant to be asked once a translation: again, it is
 * computed again.
 *
 * <p>Not thread-safe: one translation at a time.
 */
public final class WalkMemo<K, V> {
  private static final int LOOKAHEAD = 8;

  private Object[] keys = {};
  private Object[] values = {};
  private int at;
  private int misses;
  private Map<Object, Integer> index;
  private final List<Object> nextKeys = new ArrayList<>();
  private final List<Object> nextValues = new ArrayList<>();

  @SuppressWarnings("unchecked")
  public V get(K key, Function<? super K, ? extends V> compute) {
    int k = -1;
    for (int d = 0; d < LOOKAHEAD && at + d < keys.length; d++) {
      if (keys[at + d] == key) {
        k = at + d;
        break;
      }
    }
    // After more misses than a change or two makes, look up: the order may not be the last one's.
    if (k < 0 && misses > LOOKAHEAD) {
      index = index != null ? index : index(keys);
      k = index.getOrDefault(key, -1);
    }
    V value;
    if (k >= 0) {
      value = (V) values[k];
      at = Math.max(at, k + 1);
    } else {
      value = compute.apply(key);
      misses++;
    }
    nextKeys.add(key);
    nextValues.add(value);
    return value;
  }

  /** Ends one translation: what it did not ask for is dropped. */
  public void endTranslation() {
    keys = nextKeys.toArray();
    values = nextValues.toArray();
    restart();
  }

  /** Forgets everything, e.g. when something every value depends on changed. */
  public void clear() {
    keys = new Object[0];
    values = new Object[0];
    restart();
  }

  private void restart() {
    nextKeys.clear();
    nextValues.clear();
    at = 0;
    misses = 0;
    index = null;
  }

  private static Map<Object, Integer> index(Object[] keys) {
    Map<Object, Integer> index = new IdentityHashMap<>(keys.length);
    for (int k = keys.length - 1; k >= 0; k--) {
      index.put(keys[k], k);
    }
    return index;
  }
}
