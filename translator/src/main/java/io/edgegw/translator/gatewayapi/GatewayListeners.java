package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimaps;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which listeners of the served Gateways are really served, and how they share the node's one
 * address (docs/gateway-api.md, "One node, several Gateways"): listeners of any Gateways with the
 * same port and protocol share Envoy's listener for that port. A real conflict is reported on every
 * listener in it, each ending {@code (HostnameConflict)} or {@code (ProtocolConflict)}, and none of
 * them is served: HTTP and HTTPS on one
 * port; two listeners of one Gateway with the same port and hostname; two HTTPS listeners with the
 * same port and hostname but different certificates. An HTTPS listener whose certificate cannot be
 * used is not served ({@code InvalidCertificateRef}, {@code RefNotPermitted}).
 */
final class GatewayListeners {

  /**
   * A served listener: {@code port} is Envoy's; {@code secret} the certificate's Secret (HTTPS);
   * {@code clientCa} the CA that client certificates must chain to (HTTPS with client validation),
   * {@code insecureFallback} when clients without such a certificate are let through all the same.
   */
  record Live(
      ApiGateway gateway,
      ApiGateway.Listener listener,
      int port,
      Optional<ResourceKey> secret,
      Optional<TlsSecret.TrustedCa> clientCa,
      boolean insecureFallback) {
    String host() {
      return listener.hostname().orElse("*");
    }
  }

  private final ImmutableList<Live> live;
  private final ImmutableListMultimap<Integer, Live> byPort;

  GatewayListeners(
      List<ApiGateway> served,
      GatewayIdentity identity,
      ReferenceGrants grants,
      Credentials credentials,
      FrontendValidations validations,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Map<Integer, List<Live>> candidates = new TreeMap<>();
    for (ApiGateway gateway : served) {
      for (ApiGateway.Listener listener : gateway.listeners()) {
        if (!listener.protocol().served() || listener.protocol().connections()) {
          continue; // reported by the decoder, or TCP/TLS: L4Routes
        }
        Optional<ResourceKey> secret = Optional.empty();
        Optional<TlsSecret.TrustedCa> clientCa = Optional.empty();
        boolean insecureFallback = false;
        if (listener.protocol() == ApiGateway.Protocol.HTTPS) {
          secret = certificate(gateway, listener, grants, credentials, diagnostics);
          FrontendValidations.Verdict validation = validations.of(gateway, listener);
          if (secret.isEmpty() || !validation.usable()) {
            continue;
          }
          clientCa = validation.ca();
          insecureFallback = validation.insecureFallback();
        }
        int port = identity.listenerPort(listener.port());
        candidates
            .computeIfAbsent(port, p -> new ArrayList<>())
            .add(new Live(gateway, listener, port, secret, clientCa, insecureFallback));
      }
    }
    List<Live> out = new ArrayList<>();
    candidates.forEach((port, onPort) -> out.addAll(withoutConflicts(onPort, diagnostics)));
    this.live = ImmutableList.copyOf(out);
    this.byPort = Multimaps.index(live, Live::port);
  }

  ImmutableList<Live> all() {
    return live;
  }

  ImmutableListMultimap<Integer, Live> byPort() {
    return byPort;
  }

  /**
   * Listener isolation: whether a request for {@code domain} on {@code owner}'s port reaches
   * {@code owner}, i.e. no other listener there has a more specific hostname matching it (a request
   * goes to the most specific listener hostname, and only its routes answer).
   */
  boolean owns(Live owner, String domain) {
    String best = "";
    int bestRank = -1;
    for (Live other : byPort.get(owner.port())) {
      int rank = rank(other.listener().hostname(), domain);
      if (rank > bestRank) {
        bestRank = rank;
        best = other.host();
      }
    }
    return best.equals(owner.host());
  }

  /**
   * How specifically {@code hostname} matches {@code domain} (a host or a wildcard): -1 not at
   * all, 0 no hostname, then wildcards by suffix length, and an equal hostname above all.
   */
  static int rank(Optional<String> hostname, String domain) {
    if (hostname.isEmpty()) {
      return 0;
    }
    String h = hostname.get();
    if (h.equals(domain)) {
      return Integer.MAX_VALUE;
    }
    if (h.startsWith("*.")) {
      String suffix = h.substring(1);
      boolean covered =
          domain.startsWith("*.")
              ? domain.length() > h.length() && domain.endsWith(suffix)
              : domain.length() > suffix.length() && domain.endsWith(suffix);
      return covered ? h.length() : -1;
    }
    return -1;
  }

  /**
   * The certificate Secret of an HTTPS listener (or a TLS one in mode Terminate), or empty (reported)
   * when it cannot be used.
   */
  static Optional<ResourceKey> certificate(
      ApiGateway gateway,
      ApiGateway.Listener listener,
      ReferenceGrants grants,
      Credentials credentials,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    if (listener.certificateRefs().isEmpty()) {
      return Optional.empty(); // the decoder refused the Gateway already
    }
    for (ApiGateway.CertificateRef extra :
        listener.certificateRefs().subList(1, listener.certificateRefs().size())) {
      diagnostics.add(
          Diagnostic.warning(
              gateway.key(),
              listener.field() + ".tls.certificateRefs[" + extra.index() + "]",
              "only the first certificateRef is used; this one is ignored"));
    }
    ApiGateway.CertificateRef ref = listener.certificateRefs().get(0);
    String field = listener.field() + ".tls.certificateRefs[0]";
    String notServed = "; listener " + listener.name() + " is not served";
    if (!ref.group().isEmpty() || !ref.kind().equals("Secret")) {
      diagnostics.add(
          Diagnostic.warning(
              gateway.key(),
              field,
              "a certificate must be a core Secret, not "
                  + (ref.group().isEmpty() ? "core" : ref.group())
                  + "/"
                  + ref.kind()
                  + notServed
                  + " (InvalidCertificateRef)"));
      return Optional.empty();
    }
    Optional<String> refused =
        grants.refused(
            gateway.key().kind(), gateway.key().namespace(), "", "Secret", ref.namespace(), ref.name());
    if (refused.isPresent()) {
      diagnostics.add(
          Diagnostic.warning(
              gateway.key(),
              field + ".namespace",
              ReferenceGrants.withoutReason(refused.get())
                  + notServed
                  + " "
                  + ReferenceGrants.REASON));
      return Optional.empty();
    }
    Optional<String> missing = credentials.missing(ref.namespace(), ref.name(), false);
    if (missing.isPresent()) {
      diagnostics.add(
          Diagnostic.warning(
              gateway.key(), field, missing.get() + notServed + " (InvalidCertificateRef)"));
      return Optional.empty();
    }
    return Optional.of(ResourceKey.of(Kind.SECRET, ref.namespace(), ref.name()));
  }

  /** The listeners of one port that are not in a conflict; the others are reported. */
  private static List<Live> withoutConflicts(
      List<Live> onPort, ImmutableList.Builder<Diagnostic> diagnostics) {
    Set<Live> conflicted = new HashSet<>();
    Map<Live, String> why = new LinkedHashMap<>();
    Map<Live, String> code = new HashMap<>();
    Set<ApiGateway.Protocol> protocols = new HashSet<>();
    onPort.forEach(l -> protocols.add(l.listener().protocol()));
    if (protocols.size() > 1) {
      for (Live l : onPort) {
        why.putIfAbsent(
            l,
            "port "
                + l.listener().port()
                + " has both HTTP and HTTPS listeners ("
                + describe(onPort, o -> true)
                + "), which cannot share the node's one address");
        code.putIfAbsent(l, "ProtocolConflict");
      }
    }
    for (int i = 0; i < onPort.size(); i++) {
      for (int j = i + 1; j < onPort.size(); j++) {
        Live a = onPort.get(i);
        Live b = onPort.get(j);
        if (!a.host().equals(b.host())) {
          continue;
        }
        if (a.gateway().key().equals(b.gateway().key())) {
          String reason = "listeners " + a.listener().name() + " and " + b.listener().name()
              + " of this " + a.gateway().key().kind().kubernetesKind() + " have the same port and hostname "
              + a.host();
          why.putIfAbsent(a, reason);
          why.putIfAbsent(b, reason);
        } else if (!a.secret().equals(b.secret()) || !a.clientCa().equals(b.clientCa())
            || a.insecureFallback() != b.insecureFallback()) {
          // One TLS handshake serves the hostname: certificate and client validation must agree.
          why.putIfAbsent(a, sameHostOtherCertificate(a, b));
          why.putIfAbsent(b, sameHostOtherCertificate(b, a));
        }
      }
    }
    why.forEach(
        (l, reason) -> {
          conflicted.add(l);
          diagnostics.add(
              Diagnostic.warning(
                  l.gateway().key(),
                  l.listener().field(),
                  reason + "; listener " + l.listener().name() + " is not served ("
                      + code.getOrDefault(l, "HostnameConflict") + ")"));
        });
    return onPort.stream().filter(l -> !conflicted.contains(l)).toList();
  }

  private static String sameHostOtherCertificate(Live l, Live other) {
    return "hostname "
        + l.host()
        + " on port "
        + l.listener().port()
        + " is also served by "
        + describe(other)
        + " with another certificate ("
        + other.secret().map(k -> k.namespace() + "/" + k.name()).orElse("none")
        + ")"
        + (l.clientCa().equals(other.clientCa()) && l.insecureFallback() == other.insecureFallback()
            ? "" : " or other client certificate validation");
  }

  private static String describe(List<Live> all, java.util.function.Predicate<Live> which) {
    return String.join(", ", all.stream().filter(which).map(GatewayListeners::describe).toList());
  }

  private static String describe(Live l) {
    return l.gateway().key().kind().kubernetesKind()
        + " "
        + l.gateway().key().namespace()
        + "/"
        + l.gateway().key().name()
        + " listener "
        + l.listener().name();
  }
}
