package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimaps;
import io.edgegw.translator.model.Kind;
import java.util.List;
import java.util.Optional;

/**
 * The cross-namespace reference check every Gateway API kind shares (backendRefs of HTTPRoute,
 * GRPCRoute, TLSRoute, TCPRoute; a Gateway's certificateRefs): a reference within the referrer's
 * own namespace is always allowed; one into another namespace only when a ReferenceGrant there lets
 * the referrer's kind and namespace refer to the target's kind (and name, if the grant names one).
 * Groups as in manifests: {@code ""} is the core group (Service, Secret).
 */
public final class ReferenceGrants {
  /** What a reference leaves out when not permitted; ends with the specification's reason. */
  public static final String REASON = "(RefNotPermitted)";

  private final ImmutableListMultimap<String, ReferenceGrant> byNamespace;

  public ReferenceGrants(List<ReferenceGrant> grants) {
    this.byNamespace = Multimaps.index(grants, g -> g.key().namespace());
  }

  /**
   * Whether an object of kind {@code from} in {@code fromNamespace} may refer to {@code toGroup}
   * {@code toKind} {@code toNamespace}/{@code toName}.
   */
  public boolean permits(
      Kind from, String fromNamespace, String toGroup, String toKind, String toNamespace, String toName) {
    return permits(from.group(), from.kubernetesKind(), fromNamespace, toGroup, toKind, toNamespace, toName);
  }

  /** As {@link #permits(Kind, String, String, String, String, String)} for a referrer given by group and kind. */
  public boolean permits(
      String fromGroup,
      String fromKind,
      String fromNamespace,
      String toGroup,
      String toKind,
      String toNamespace,
      String toName) {
    if (fromNamespace.equals(toNamespace)) {
      return true;
    }
    for (ReferenceGrant grant : byNamespace.get(toNamespace)) {
      boolean fromOk =
          grant.from().stream()
              .anyMatch(
                  f ->
                      f.group().equals(fromGroup)
                          && f.kind().equals(fromKind)
                          && f.namespace().equals(fromNamespace));
      boolean toOk =
          grant.to().stream()
              .anyMatch(
                  t ->
                      t.group().equals(toGroup)
                          && t.kind().equals(toKind)
                          && t.name().map(toName::equals).orElse(true));
      if (fromOk && toOk) {
        return true;
      }
    }
    return false;
  }

  /**
   * Empty when permitted, else the sentence for a diagnostic, ending with {@value #REASON}; e.g.
   * "Service web/backend is in another namespace and no ReferenceGrant there allows HTTPRoute of
   * namespace infra to refer to it (RefNotPermitted)".
   */
  public Optional<String> refused(
      Kind from, String fromNamespace, String toGroup, String toKind, String toNamespace, String toName) {
    if (permits(from, fromNamespace, toGroup, toKind, toNamespace, toName)) {
      return Optional.empty();
    }
    return Optional.of(
        toKind
            + " "
            + toNamespace
            + "/"
            + toName
            + " is in another namespace and no ReferenceGrant there allows "
            + from.kubernetesKind()
            + " of namespace "
            + fromNamespace
            + " to refer to it "
            + REASON);
  }

  /** A {@link #refused} sentence without its closing {@value #REASON}, to go on in other words. */
  static String withoutReason(String sentence) {
    return sentence.substring(0, sentence.length() - REASON.length()).trim();
  }
}
