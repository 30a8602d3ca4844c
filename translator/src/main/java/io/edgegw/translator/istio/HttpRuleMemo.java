package io.edgegw.translator.istio;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.edgegw.translator.istio.VirtualService.HttpRoute;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The http rules each big VirtualService's last decode gave, keyed by the rule's JSON and position, so
 * that republishing a VirtualService of a thousand rules with one rule edited decodes that one rule: the
 * others are equal JSON at the same index (their field paths name the index), and decoding a rule
 * reads nothing but the rule. Only VirtualServices of {@link #MIN_RULES} to {@link #MAX_RULES} rules
 * are remembered: below, comparing costs about what decoding does; above, the remembered JSON trees of
 * a few near-maximum VirtualServices would take a large share of the sidecar's 160 MB heap.
 *
 * <p>Not thread-safe: one per caller that decodes repeatedly (the config loop's translation memo).
 */
public final class HttpRuleMemo {
  static final int MIN_RULES = 8;
  static final int MAX_RULES = 2048;

  /** Remembers nothing: for one-off decodes. */
  public static HttpRuleMemo none() {
    return new HttpRuleMemo(false);
  }

  public static HttpRuleMemo remembering() {
    return new HttpRuleMemo(true);
  }

  record Key(int index, boolean inDelegate, JsonNode json) {}

  record Rule(Optional<HttpRoute> rule, ImmutableList<Diagnostic> diagnostics) {}

  private final boolean enabled;
  private final Map<ResourceKey, Map<Key, Rule>> byResource = new HashMap<>();

  private HttpRuleMemo(boolean enabled) {
    this.enabled = enabled;
  }

  boolean applies(int rules) {
    return enabled && rules >= MIN_RULES && rules <= MAX_RULES;
  }

  Map<Key, Rule> previous(ResourceKey resource) {
    return byResource.getOrDefault(resource, Map.of());
  }

  void remember(ResourceKey resource, Map<Key, Rule> rules) {
    byResource.put(resource, rules);
  }

  void forget(ResourceKey resource) {
    if (enabled) {
      byResource.remove(resource);
    }
  }

  /** Forgets the resources not in {@code present} (deleted or replaced by a small one). */
  public void retainOnly(Set<ResourceKey> present) {
    if (!byResource.isEmpty()) {
      byResource.keySet().retainAll(present);
    }
  }
}
