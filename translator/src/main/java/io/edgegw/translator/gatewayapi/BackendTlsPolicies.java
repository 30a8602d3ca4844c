package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.ClusterName;
import io.edgegw.translator.ir.ClusterPolicy;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.kube.ConfigMap;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.kube.KubernetesServices;
import io.edgegw.translator.kube.Service;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * BackendTLSPolicies to the upstream TLS of the clusters of the Services they target (the IR's
 * {@link ClusterPolicy.UpstreamTls}, as a DestinationRule's {@code tls.mode: SIMPLE}), for every
 * HTTPRoute and GRPCRoute of ours that sends to them.
 *
 * <ul>
 *   <li>A target is a Service ({@code sectionName}: one of its ports, by name). A policy for a port
 *       wins over one for the whole Service; two for the same Service (and port) conflict: the oldest
 *       ({@code creationTimestamp}, then namespace/name) applies, the other is Accepted False
 *       Conflicted.
 *   <li>{@code hostname} is the SNI, and the name the certificate must carry unless {@code
 *       subjectAltNames} are given (then one of those, DNS or URI).
 *   <li>CAs: the {@code ca.crt} of ConfigMaps in the policy's namespace, or the system's
 *       ({@value #SYSTEM_CA_FILE}, read by Envoy). A reference that is not a ConfigMap is InvalidKind, a
 *       missing ConfigMap or one without PEM certificates InvalidCACertificateRef (ResolvedRefs
 *       False); the valid ones are used. With none left the policy is NoValidCACertificate (Accepted
 *       False) and its Services' clusters lose their endpoints: requests get 503 rather than going out
 *       unverified or in plain text.
 *   <li>Status ancestors: the Gateways we serve whose HTTPRoutes or GRPCRoutes (by their parentRefs)
 *       send to a targeted Service.
 * </ul>
 */
final class BackendTlsPolicies {
  /** The CA bundle of Debian/Ubuntu (and Envoy's own images): what {@code wellKnownCACertificates: System} uses. */
  static final String SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";
  static final String SYSTEM_CA_SECRET = "system://ca-certificates";

  /**
   * What the clusters of one Service port get: TLS with the CA secret it names, or no endpoints (the
   * policy has no valid CA).
   */
  private record Verdict(Optional<ClusterPolicy.UpstreamTls> tls, Optional<TlsSecret> ca) {}

  private final Map<String, Verdict> byCluster = new TreeMap<>();
  /** Cluster name -> the Service it belongs to. */
  private final Map<String, ResourceKey> services = new HashMap<>();
  /** Service -> the Gateways we serve whose routes send to it. */
  private Map<ResourceKey, Set<ResourceKey>> users = Map.of();
  /** The Gateways we serve, oldest first. */
  private List<ResourceKey> servedOrder = List.of();

  private BackendTlsPolicies() {}

  static BackendTlsPolicies resolve(
      GatewayApiInputs inputs,
      GatewayIdentity identity,
      List<ApiGateway> served,
      StatusCollector status,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    BackendTlsPolicies out = new BackendTlsPolicies();
    if (inputs.backendTlsPolicies().isEmpty()) {
      return out;
    }
    Map<ResourceKey, Service> services = new HashMap<>();
    inputs.services().forEach(s -> services.put(s.key(), s));
    Map<ResourceKey, ConfigMap> configMaps = new HashMap<>();
    inputs.configMaps().forEach(c -> configMaps.put(c.key(), c));
    Map<ResourceKey, Set<ResourceKey>> users = routeGateways(inputs, served);
    out.users = users;
    out.servedOrder = served.stream().map(ApiGateway::key).toList();

    List<BackendTlsPolicy> policies = new ArrayList<>(inputs.backendTlsPolicies());
    policies.sort(Comparator.comparing((BackendTlsPolicy p) -> instant(p.created()))
        .thenComparing(p -> p.key().namespace())
        .thenComparing(p -> p.key().name()));
    // Service key + "#" + port name ("" for the whole Service) -> the policy that holds it.
    Map<String, BackendTlsPolicy> claims = new LinkedHashMap<>();
    Map<BackendTlsPolicy, Verdict> verdicts = new HashMap<>();
    for (BackendTlsPolicy policy : policies) {
      Set<ResourceKey> ancestors = new LinkedHashSet<>();
      Optional<String> conflict = Optional.empty();
      for (BackendTlsPolicy.Target target : policy.targets()) {
        String field = "spec.targetRefs[" + target.index() + "]";
        if (!target.isService()) {
          diagnostics.add(Diagnostic.warning(policy.key(), field + ".kind", "only Services (group \"\") can be "
              + "targeted here, not " + target.group() + "/" + target.kind() + "; this target is ignored"));
          continue;
        }
        ResourceKey serviceKey = ResourceKey.of(Kind.SERVICE, policy.key().namespace(), target.name());
        Service service = services.get(serviceKey);
        if (service == null) {
          diagnostics.add(Diagnostic.warning(policy.key(), field + ".name", "no Service "
              + serviceKey.namespace() + "/" + target.name() + "; this target applies once it exists"));
          continue;
        }
        if (target.sectionName().isPresent()
            && service.ports().stream().noneMatch(p -> p.name().equals(target.sectionName().get()))) {
          diagnostics.add(Diagnostic.warning(policy.key(), field + ".sectionName", "Service "
              + serviceKey.namespace() + "/" + target.name() + " has no port named " + target.sectionName().get()
              + "; this target is ignored"));
          continue;
        }
        ancestors.addAll(users.getOrDefault(serviceKey, Set.of()));
        String claim = serviceKey + "#" + target.sectionName().orElse("");
        BackendTlsPolicy holder = claims.putIfAbsent(claim, policy);
        if (holder != null && holder != policy) {
          String message = "BackendTLSPolicy " + holder.key().namespace() + "/" + holder.key().name()
              + " (older, or first by namespace/name) already targets Service " + serviceKey.namespace() + "/"
              + target.name() + target.sectionName().map(s -> " port " + s).orElse("")
              + "; this target is not applied (Conflicted)";
          diagnostics.add(Diagnostic.warning(policy.key(), field, message));
          conflict = conflict.or(() -> Optional.of(field + ": " + message));
        }
      }
      Verdict verdict = verdict(policy, configMaps, ancestors, status, diagnostics);
      verdicts.put(policy, verdict);
      for (ResourceKey gateway : ancestors) {
        conflict.ifPresent(m -> status.policyAncestor(policy.key(), gateway).accepted(false, Reason.CONFLICTED, m));
      }
    }
    // Each Service port's clusters: the policy for that port, else the one for the whole Service.
    for (Service service : inputs.services()) {
      String fqdn = KubernetesServices.fqdn(service.key().name(), service.key().namespace(), identity.domainSuffix());
      for (Service.ServicePort port : service.ports()) {
        BackendTlsPolicy policy = claims.get(service.key() + "#" + port.name());
        if (policy == null || port.name().isEmpty()) {
          policy = claims.get(service.key() + "#");
        }
        if (policy != null) {
          String cluster = ClusterName.outbound(port.port(), "", fqdn);
          out.byCluster.put(cluster, verdicts.get(policy));
          out.services.put(cluster, service.key());
        }
      }
    }
    return out;
  }

  /** The TLS of one policy, its CA recorded as a secret; its ancestors' conditions recorded. */
  private static Verdict verdict(
      BackendTlsPolicy policy,
      Map<ResourceKey, ConfigMap> configMaps,
      Set<ResourceKey> ancestors,
      StatusCollector status,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableList<String> sans = policy.subjectAltNames().isEmpty()
        ? ImmutableList.of(policy.hostname())
        : policy.subjectAltNames().stream().map(BackendTlsPolicy.SubjectAltName::value)
            .collect(ImmutableList.toImmutableList());
    if (policy.systemCas()) {
      return tls(policy, new TlsSecret.SystemCa(SYSTEM_CA_SECRET, SYSTEM_CA_FILE), sans);
    }
    StringBuilder pem = new StringBuilder();
    for (BackendTlsPolicy.CaRef ref : policy.caRefs()) {
      String field = "spec.validation.caCertificateRefs[" + ref.index() + "]";
      Optional<String> trouble = Optional.empty();
      Reason reason = Reason.INVALID_CA_CERTIFICATE_REF;
      if (!ref.group().isEmpty() || !ref.kind().equals("ConfigMap")) {
        reason = Reason.INVALID_KIND;
        trouble = Optional.of("only ConfigMaps (group \"\") hold CA certificates here, not "
            + (ref.group().isEmpty() ? "" : ref.group() + "/") + ref.kind());
      } else {
        ConfigMap map = configMaps.get(ResourceKey.of(Kind.CONFIG_MAP, policy.key().namespace(), ref.name()));
        if (map == null) {
          trouble = Optional.of("no ConfigMap " + policy.key().namespace() + "/" + ref.name()
              + " (only ConfigMaps in the policy's namespace are used)");
        } else if (map.caCertificates().isEmpty()) {
          trouble = Optional.of("ConfigMap " + policy.key().namespace() + "/" + ref.name() + " "
              + map.caProblem().orElse("has no CA certificate"));
        } else {
          pem.append(map.caCertificates().get().strip()).append('\n');
        }
      }
      if (trouble.isPresent()) {
        String message = trouble.get() + "; this CA reference is ignored (" + reason.wire() + ")";
        diagnostics.add(Diagnostic.warning(policy.key(), field, message));
        for (ResourceKey gateway : ancestors) {
          status.policyAncestor(policy.key(), gateway).resolvedRefs(false, reason, field + ": " + message);
        }
      }
    }
    if (pem.length() == 0) {
      String message = "no valid CA certificate: requests to the Services it targets get 503 rather than going"
          + " out unverified (NoValidCACertificate)";
      diagnostics.add(Diagnostic.warning(policy.key(), "spec.validation.caCertificateRefs", message));
      for (ResourceKey gateway : ancestors) {
        status.policyAncestor(policy.key(), gateway).accepted(false, Reason.NO_VALID_CA_CERTIFICATE, message);
      }
      return new Verdict(Optional.empty(), Optional.empty());
    }
    String name = "backendtlspolicy://" + policy.key().namespace() + "/" + policy.key().name();
    for (ResourceKey gateway : ancestors) {
      status.policyAncestor(policy.key(), gateway);
    }
    return tls(policy, new TlsSecret.TrustedCa(name, pem.toString(), Optional.empty()), sans);
  }

  private static Verdict tls(BackendTlsPolicy policy, TlsSecret ca, ImmutableList<String> sans) {
    return new Verdict(Optional.of(new ClusterPolicy.UpstreamTls(
        Optional.of(policy.hostname()), Optional.empty(), Optional.of(ca.name()), sans)), Optional.of(ca));
  }

  /** Per Service: the Gateways we serve whose HTTPRoutes or GRPCRoutes name it in a backendRef. */
  private static Map<ResourceKey, Set<ResourceKey>> routeGateways(GatewayApiInputs inputs, List<ApiGateway> served) {
    ImmutableSet<ResourceKey> ours = served.stream().map(ApiGateway::key).collect(ImmutableSet.toImmutableSet());
    Map<ResourceKey, Set<ResourceKey>> out = new HashMap<>();
    List<List<HttpRoute.ParentRef>> parents = new ArrayList<>();
    List<List<HttpRoute.BackendRef>> backends = new ArrayList<>();
    for (HttpRoute r : inputs.routes()) {
      parents.add(r.parents());
      backends.add(r.rules().stream().flatMap(rule -> rule.backends().stream()).toList());
    }
    for (GrpcRoute r : inputs.grpcRoutes()) {
      parents.add(r.parents());
      backends.add(r.rules().stream().flatMap(rule -> rule.backends().stream()).toList());
    }
    for (int i = 0; i < parents.size(); i++) {
      for (HttpRoute.ParentRef parent : parents.get(i)) {
        ResourceKey gateway = ResourceKey.of(Kind.K8S_GATEWAY, parent.namespace(), parent.name());
        if (!ours.contains(gateway)) {
          continue;
        }
        for (HttpRoute.BackendRef backend : backends.get(i)) {
          out.computeIfAbsent(ResourceKey.of(Kind.SERVICE, backend.namespace(), backend.name()),
              k -> new java.util.TreeSet<>()).add(gateway);
        }
      }
    }
    return out;
  }

  /**
   * The clusters of targeted Services with their TLS; a cluster whose policy has no valid CA loses its
   * endpoints (503), keeping its name so the routes that send to it stay as they are. Clusters of
   * TCPRoutes and TLSRoutes ({@code l4}) are left alone: a passthrough connection carries the client's
   * own TLS, and the specification's policy is for HTTP and gRPC backends.
   *
   * <p>A TLS cluster presents the client certificate ({@code clientCertificates}: per Gateway, its
   * Secret) of the Gateways whose routes send to its Service. A cluster is per Service port, not per
   * Gateway: when those Gateways differ (another Secret, or none), the oldest one's certificate is
   * presented for all of them and each other one is told so (WARNING), rather than some traffic
   * silently going out with another Gateway's identity.
   */
  void applyTo(
      Map<String, Cluster> clusters,
      Set<String> l4,
      Map<ResourceKey, ResourceKey> clientCertificates,
      Credentials credentials,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    byCluster.keySet().removeAll(l4);
    Set<String> reported = new HashSet<>();
    byCluster.forEach((name, verdict) -> clusters.computeIfPresent(name, (n, cluster) -> {
      if (verdict.tls().isEmpty()) {
        return new Cluster(n, Cluster.Discovery.EDS, ImmutableList.of()).withPolicy(cluster.policy());
      }
      ClusterPolicy.UpstreamTls tls = verdict.tls().get();
      ResourceKey service = services.get(n);
      Set<ResourceKey> senders = users.getOrDefault(service, Set.of());
      Optional<ResourceKey> presenter =
          servedOrder.stream().filter(g -> senders.contains(g) && clientCertificates.containsKey(g)).findFirst();
      if (presenter.isPresent()) {
        ResourceKey secret = clientCertificates.get(presenter.get());
        String sds = ((Credentials.Lookup.Found) credentials.certificate(secret.namespace(), secret.name())).sdsName();
        tls = new ClusterPolicy.UpstreamTls(tls.sni(), Optional.of(sds), tls.trustedCa(), tls.subjectAltNames());
        for (ResourceKey other : senders) {
          if (!other.equals(presenter.get()) && !secret.equals(clientCertificates.get(other))
              && reported.add(other + "#" + service)) {
            diagnostics.add(sharedWarning(other, clientCertificates.containsKey(other), service, presenter.get(),
                secret));
          }
        }
      }
      return cluster.withPolicy(cluster.policy().withTls(Optional.of(tls)));
    }));
  }

  private static Diagnostic sharedWarning(
      ResourceKey gateway, boolean hasOwn, ResourceKey service, ResourceKey presenter, ResourceKey secret) {
    return Diagnostic.warning(gateway, hasOwn ? ApiGateway.BACKEND_CLIENT_CERTIFICATE : "spec.tls.backend",
        "the routes of this Gateway send to Service " + service.namespace() + "/" + service.name()
            + ", as those of the older Gateway " + presenter.namespace() + "/" + presenter.name()
            + ": one cluster per Service port here, so it is sent the client certificate of Secret "
            + secret.namespace() + "/" + secret.name() + (hasOwn ? ", not this Gateway's" : ""));
  }

  /** The CA secrets of the policies applied to {@code clusters} (after {@link #applyTo}), by name. */
  ImmutableList<TlsSecret> secrets(Map<String, Cluster> clusters) {
    Map<String, TlsSecret> out = new TreeMap<>();
    byCluster.forEach((name, verdict) -> {
      if (clusters.containsKey(name)) {
        verdict.ca().ifPresent(ca -> out.put(ca.name(), ca));
      }
    });
    return ImmutableList.copyOf(out.values());
  }

  private static Instant instant(String timestamp) {
    try {
      return timestamp.isEmpty() ? Instant.MAX : Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }
}
