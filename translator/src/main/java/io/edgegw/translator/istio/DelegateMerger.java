package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.istio.VirtualService.HttpMatchRequest;
import io.edgegw.translator.istio.VirtualService.HttpRoute;
import io.edgegw.translator.istio.VirtualService.StringMatch;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Replaces a root http rule with {@code delegate} by the http rules of the delegate VirtualService,
 * as istiod's mergeHTTPRoute does: each delegate match must lie within some root match and is
 * combined with it (the delegate's conditions win, headers and query parameters are unioned); the
 * delegate rule inherits what it leaves unset (rewrite, timeout, retries, fault, mirrors, CORS,
 * headers) from the root rule.
 */
public final class DelegateMerger {
  private final Map<ResourceKey, VirtualService> delegates;
  private final ImmutableSet<ResourceKey> rejected;

  public DelegateMerger(List<VirtualService> virtualServices, ImmutableSet<ResourceKey> rejected) {
    this.delegates = virtualServices.stream().filter(VirtualService::isDelegate)
        .collect(Collectors.toMap(VirtualService::key, Function.identity()));
    this.rejected = rejected;
  }

  /** A rule to translate and the VirtualService it was written in (names resolve in its namespace). */
  public record Sourced(VirtualService source, HttpRoute rule) {}

  /** The root rule itself, or the delegate's rules merged into it; conflicting ones left out with a WARNING. */
  public ImmutableList<Sourced> expand(
      VirtualService root, HttpRoute rule, ImmutableList.Builder<Diagnostic> diagnostics) {
    if (rule.delegate().isEmpty()) {
      return ImmutableList.of(new Sourced(root, rule));
    }
    String field = rule.field() + ".delegate";
    ResourceKey key =
        ResourceKey.of(
            Kind.VIRTUAL_SERVICE, rule.delegate().get().namespace(), rule.delegate().get().name());
    VirtualService delegate = delegates.get(key);
    if (delegate == null) {
      String why =
          rejected.contains(key)
              ? "is rejected (see its diagnostics)"
              : "not found (a delegate has neither hosts nor gateways)";
      diagnostics.add(Diagnostic.warning(root.key(), field, "delegate " + key.namespace() + "/" + key.name() + " " + why
          + "; this http rule is left out"));
      return ImmutableList.of();
    }
    ImmutableList.Builder<Sourced> out = ImmutableList.builder();
    for (HttpRoute leaf : delegate.http()) {
      Optional<ImmutableList<HttpMatchRequest>> matches = mergeMatches(rule.matches(), leaf.matches());
      if (matches.isEmpty()) {
        diagnostics.add(
            Diagnostic.warning(
                delegate.key(),
                leaf.field() + ".match",
                "no match lies within a match of "
                    + root.key()
                    + " "
                    + rule.field()
                    + ": this delegated rule is left out there"));
        continue;
      }
      out.add(new Sourced(delegate, merge(rule, leaf, matches.get())));
    }
    return out.build();
  }

  private static HttpRoute merge(HttpRoute root, HttpRoute leaf, ImmutableList<HttpMatchRequest> matches) {
    return new HttpRoute(
        leaf.index(),
        joinNames(root.name(), leaf.name()),
        matches,
        leaf.route(),
        leaf.redirect(),
        leaf.directResponse().or(root::directResponse),
        leaf.rewrite().or(root::rewrite),
        leaf.timeout().or(root::timeout),
        leaf.retries().or(root::retries),
        Optional.empty(),
        leaf.headers().or(root::headers),
        leaf.fault().or(root::fault),
        leaf.mirrors().isEmpty() ? root.mirrors() : leaf.mirrors(),
        leaf.corsPolicy().or(root::corsPolicy));
  }

  /** Every leaf match combined with each root match it lies within; empty when a leaf match lies in none. */
  private static Optional<ImmutableList<HttpMatchRequest>> mergeMatches(
      ImmutableList<HttpMatchRequest> roots, ImmutableList<HttpMatchRequest> leaves) {
    if (roots.isEmpty()) {
      return Optional.of(leaves);
    }
    if (leaves.isEmpty()) {
      return Optional.of(roots);
    }
    List<HttpMatchRequest> out = new ArrayList<>();
    for (HttpMatchRequest leaf : leaves) {
      boolean found = false;
      for (HttpMatchRequest root : roots) {
        if (!conflicts(root, leaf)) {
          out.add(mergeMatch(root, leaf, out.size()));
          found = true;
        }
      }
      if (!found) {
        return Optional.empty();
      }
    }
    return Optional.of(ImmutableList.copyOf(out));
  }

  /** The delegate's source labels win over the root's for the same key, like its other conditions. */
  private static ImmutableSortedMap<String, String> sourceLabels(HttpMatchRequest root, HttpMatchRequest leaf) {
    java.util.TreeMap<String, String> merged = new java.util.TreeMap<>(root.sourceLabels());
    merged.putAll(leaf.sourceLabels());
    return ImmutableSortedMap.copyOfSorted(merged);
  }

  private static HttpMatchRequest mergeMatch(HttpMatchRequest root, HttpMatchRequest leaf, int index) {
    return new HttpMatchRequest(
        index,
        joinNames(root.name(), leaf.name()),
        leaf.uri().or(root::uri),
        leaf.scheme().or(root::scheme),
        leaf.method().or(root::method),
        leaf.authority().or(root::authority),
        union(root.headers(), leaf.headers()),
        union(root.withoutHeaders(), leaf.withoutHeaders()),
        union(root.queryParams(), leaf.queryParams()),
        leaf.port().isPresent() ? leaf.port() : root.port(),
        leaf.gateways().isEmpty() ? root.gateways() : leaf.gateways(),
        leaf.ignoreUriCase(),
        sourceLabels(root, leaf),
        leaf.sourceNamespace().or(root::sourceNamespace));
  }

  private static ImmutableSortedMap<String, Optional<StringMatch>> union(
      ImmutableSortedMap<String, Optional<StringMatch>> root, ImmutableSortedMap<String, Optional<StringMatch>> leaf) {
    TreeMap<String, Optional<StringMatch>> out = new TreeMap<>(root);
    out.putAll(leaf);
    return ImmutableSortedMap.copyOfSorted(out);
  }

  /** istiod's hasConflict: the leaf must not widen or contradict the root. */
  private static boolean conflicts(HttpMatchRequest root, HttpMatchRequest leaf) {
    if (conflicts(root.uri(), leaf.uri()) || conflicts(root.scheme(), leaf.scheme())
        || conflicts(root.method(), leaf.method()) || conflicts(root.authority(), leaf.authority())) {
      return true;
    }
    if (conflicts(root.headers(), leaf.headers()) || conflicts(root.withoutHeaders(), leaf.withoutHeaders())
        || conflicts(root.queryParams(), leaf.queryParams())) {
      return true;
    }
    if (root.ignoreUriCase() != leaf.ignoreUriCase()) {
      return true;
    }
    if (root.port().isPresent() && leaf.port().isPresent() && root.port().getAsInt() != leaf.port().getAsInt()) {
      return true;
    }
    return !root.gateways().isEmpty() && !leaf.gateways().isEmpty() && !root.gateways().containsAll(leaf.gateways());
  }

  private static boolean conflicts(
      ImmutableSortedMap<String, Optional<StringMatch>> root, ImmutableSortedMap<String, Optional<StringMatch>> leaf) {
    return leaf.entrySet().stream()
        .anyMatch(e -> conflicts(root.getOrDefault(e.getKey(), Optional.empty()), e.getValue()));
  }

  /** istiod's stringMatchConflict: regexes cannot be compared; exact must be equal; a prefix must extend the root's. */
  private static boolean conflicts(Optional<StringMatch> rootMatch, Optional<StringMatch> leafMatch) {
    if (rootMatch.isEmpty() || leafMatch.isEmpty()) {
      return false;
    }
    StringMatch root = rootMatch.get();
    StringMatch leaf = leafMatch.get();
    if (root.type() == StringMatch.Type.REGEX || leaf.type() == StringMatch.Type.REGEX) {
      return true;
    }
    if (root.type() == StringMatch.Type.EXACT) {
      return leaf.type() != StringMatch.Type.EXACT || !leaf.value().equals(root.value());
    }
    return !leaf.value().startsWith(root.value());
  }

  private static String joinNames(String root, String leaf) {
    if (leaf.isEmpty()) {
      return root;
    }
    return root.isEmpty() ? leaf : root + "-" + leaf;
  }
}
