package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.ClusterPolicy;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/** The cluster a route references: the service's endpoints (a subset's only), under the DestinationRule policy. */
final class ClusterBuilder {
  private static final String TLS_FIELD = "spec.trafficPolicy.tls.credentialName";

  private final ServiceRegistry registry;
  private final DestinationPolicies policies;
  private final Credentials credentials;

  ClusterBuilder(ServiceRegistry registry, DestinationPolicies policies, Credentials credentials) {
    this.registry = registry;
    this.policies = policies;
    this.credentials = credentials;
  }

  /**
   * Unknown services and subsets get an empty EDS cluster: Envoy answers 503 (istiod sends no
   * cluster at all, which also gives 503). So does a cluster whose upstream TLS lacks its Secrets:
   * failing closed, never connecting without the verification the rule asked for.
   */
  Cluster cluster(ClusterRef ref, ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableMap<String, String> labels = ImmutableMap.of();
    if (!ref.subset().isEmpty()) {
      Optional<DestinationRule.Subset> subset = policies.subset(ref.host(), ref.subset());
      if (subset.isEmpty()) {
        return empty(ref);
      }
      labels = subset.get().labels();
    }
    ImmutableMap<String, String> selector = labels;
    Cluster cluster = registry.find(ref.host())
        .map(backend -> backend.cluster(ref.name(), ref.port(), selector))
        .orElseGet(() -> empty(ref));
    TrafficPolicy policy = policies.policy(ref.host(), ref.port(), ref.subset());
    ClusterPolicy clusterPolicy = ClusterPolicies.of(policy);
    if (policy.tls().isEmpty()) {
      return cluster.withPolicy(clusterPolicy);
    }
    ResourceKey rule = policies.governingRule(ref.host()).orElseThrow();
    Optional<Optional<ClusterPolicy.UpstreamTls>> tls = upstreamTls(policy.tls().get(), rule, ref, diagnostics);
    return tls.isEmpty() ? empty(ref).withPolicy(clusterPolicy) : cluster.withPolicy(clusterPolicy.withTls(tls.get()));
  }

  /**
   * istiod's ApplyCustomSDSToClientCommonTLSContext: the client certificate (MUTUAL) from Secret
   * {@code credentialName}, the CA from {@code <credentialName>-cacert} or its {@code ca.crt}, both in
   * the rule's namespace. Empty when a Secret it needs is missing; an empty inner value: no TLS.
   */
  private Optional<Optional<ClusterPolicy.UpstreamTls>> upstreamTls(
      TrafficPolicy.ClientTls tls, ResourceKey rule, ClusterRef ref, ImmutableList.Builder<Diagnostic> diagnostics) {
    if (tls.mode() != TrafficPolicy.TlsMode.SIMPLE && tls.mode() != TrafficPolicy.TlsMode.MUTUAL) {
      return Optional.of(Optional.empty());
    }
    Optional<String> certificate = Optional.empty();
    Optional<String> ca = Optional.empty();
    if (tls.credentialName().isPresent()) {
      String name = tls.credentialName().get();
      if (tls.mode() == TrafficPolicy.TlsMode.MUTUAL) {
        Credentials.Lookup found = credentials.certificate(rule.namespace(), name);
        if (found instanceof Credentials.Lookup.Missing missing) {
          return failClosed(rule, ref, missing, diagnostics);
        }
        certificate = Optional.of(((Credentials.Lookup.Found) found).sdsName());
      }
      if (!tls.insecureSkipVerify()) {
        Credentials.Lookup found = credentials.trustedCa(rule.namespace(), name);
        if (found instanceof Credentials.Lookup.Missing missing) {
          return failClosed(rule, ref, missing, diagnostics);
        }
        ca = Optional.of(((Credentials.Lookup.Found) found).sdsName());
      }
    }
    return Optional.of(Optional.of(new ClusterPolicy.UpstreamTls(
        tls.sni(), certificate, ca, ca.isPresent() ? tls.subjectAltNames() : ImmutableList.of())));
  }

  private static Optional<Optional<ClusterPolicy.UpstreamTls>> failClosed(
      ResourceKey rule,
      ClusterRef ref,
      Credentials.Lookup.Missing missing,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    diagnostics.add(Diagnostic.warning(rule, TLS_FIELD, missing.reason() + "; requests to " + ref.name() + " get 503"));
    return Optional.empty();
  }

  private static Cluster empty(ClusterRef ref) {
    return new Cluster(ref.name(), Cluster.Discovery.EDS, ImmutableList.of());
  }
}
