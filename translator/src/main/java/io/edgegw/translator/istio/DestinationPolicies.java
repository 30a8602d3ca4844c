package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DestinationRules by the host they apply to, merged as istiod merges rules for one host: subsets
 * concatenated (a name already defined by an older rule is ignored), and the oldest rule that has a
 * top-level {@code trafficPolicy} provides it.
 */
public final class DestinationPolicies {
  /**
   * Every rule for one host, merged; {@code owner} is the rule whose top-level policy applies,
   * {@code oldest} the oldest rule for the host.
   */
  private record Merged(
      Optional<TrafficPolicy> policy,
      Optional<ResourceKey> owner,
      ResourceKey oldest,
      Map<String, DestinationRule.Subset> subsets) {}

  private final ImmutableMap<String, Merged> byHost;

  /** {@code rules} oldest first; hosts resolve like route destinations, short names in the rule's namespace. */
  public DestinationPolicies(
      List<DestinationRule> rules,
      ServiceRegistry registry,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Map<String, Merged> hosts = new LinkedHashMap<>();
    for (DestinationRule rule : rules) {
      String host = registry.fqdn(rule.host(), rule.key().namespace());
      Merged merged =
          hosts.computeIfAbsent(
              host,
              h ->
                  new Merged(
                      Optional.empty(), Optional.empty(), rule.key(), new LinkedHashMap<>()));
      if (rule.trafficPolicy().isPresent()) {
        if (merged.policy().isEmpty()) {
          merged = new Merged(rule.trafficPolicy(), Optional.of(rule.key()), merged.oldest(), merged.subsets());
          hosts.put(host, merged);
        } else {
          diagnostics.add(Diagnostic.warning(rule.key(), "spec.trafficPolicy",
              "DestinationRule " + merged.owner().get().namespace() + "/" + merged.owner().get().name()
                  + " is older and already sets the traffic policy of " + host + "; this one is ignored"));
        }
      }
      for (int i = 0; i < rule.subsets().size(); i++) {
        DestinationRule.Subset subset = rule.subsets().get(i);
        if (merged.subsets().putIfAbsent(subset.name(), subset) != null) {
          diagnostics.add(
              Diagnostic.warning(
                  rule.key(),
                  "spec.subsets[" + i + "].name",
                  "an older DestinationRule for "
                      + host
                      + " already defines subset "
                      + subset.name()
                      + "; this one is ignored"));
        }
      }
    }
    this.byHost = ImmutableMap.copyOf(hosts);
  }

  /** The subset named {@code name} of the rules for {@code fqdn}. */
  public Optional<DestinationRule.Subset> subset(String fqdn, String name) {
    return rules(fqdn).map(m -> m.subsets().get(name));
  }

  /** The policy for one cluster: the rule's, resolved for the port, with the subset's blocks on top. */
  public TrafficPolicy policy(String fqdn, int port, String subsetName) {
    Optional<Merged> merged = rules(fqdn);
    if (merged.isEmpty()) {
      return TrafficPolicy.NONE;
    }
    TrafficPolicy base = merged.get().policy().orElse(TrafficPolicy.NONE);
    Optional<TrafficPolicy> subsetPolicy = Optional.ofNullable(merged.get().subsets().get(subsetName))
        .flatMap(DestinationRule.Subset::trafficPolicy);
    return subsetPolicy.map(s -> base.overriddenBy(s, port)).orElseGet(() -> base.forPort(port));
  }

  /**
   * The rule that speaks for {@code fqdn}'s policy: the owner of its top-level policy, else the oldest
   * rule. Its namespace is where the Secrets of a {@code credentialName} are looked up.
   */
  public Optional<ResourceKey> governingRule(String fqdn) {
    return rules(fqdn).map(m -> m.owner().orElse(m.oldest()));
  }

  /** Rules for exactly this host, else for the most specific wildcard host covering it. */
  private Optional<Merged> rules(String fqdn) {
    Merged exact = byHost.get(fqdn);
    if (exact != null) {
      return Optional.of(exact);
    }
    List<String> wildcards = new ArrayList<>();
    byHost.keySet().stream().filter(h -> Hosts.isWildcard(h) && Hosts.subsetOf(fqdn, h)).forEach(wildcards::add);
    return wildcards.stream().max(Comparator.comparingInt(String::length)).map(byHost::get);
  }
}
