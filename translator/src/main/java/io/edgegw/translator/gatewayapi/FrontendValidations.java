package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.kube.ConfigMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Client certificate validation of HTTPS listeners ({@code spec.tls.frontend} of their Gateway): the
 * CA bundle of the ConfigMaps a listener's port names, as a secret its TLS verifies clients against.
 * A reference that cannot be used is reported on the Gateway's field and on each listener of that port
 * (ResolvedRefs false: InvalidCACertificateKind, RefNotPermitted, InvalidCACertificateRef); without any
 * usable CA the listener is not Accepted (NoValidCACertificate) and not served, rather than served
 * without the validation it asks for.
 */
final class FrontendValidations {

  /**
   * What a listener verifies: {@code ca} the trusted CA secret, empty for no validation configured;
   * {@code insecureFallback} for mode AllowInsecureFallback: the certificate is requested, but clients
   * without one or with one that does not chain to the CA are let through.
   */
  record Verdict(boolean usable, Optional<TlsSecret.TrustedCa> ca, boolean insecureFallback) {
    static final Verdict NONE = new Verdict(true, Optional.empty(), false);
  }

  private final Map<ResourceKey, ConfigMap> configMaps = new HashMap<>();
  private final ReferenceGrants grants;
  private final StatusCollector status;
  private final ImmutableList.Builder<Diagnostic> diagnostics;
  private final Set<String> reported = new HashSet<>();

  FrontendValidations(
      List<ConfigMap> configMaps,
      ReferenceGrants grants,
      StatusCollector status,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    configMaps.forEach(c -> this.configMaps.put(c.key(), c));
    this.grants = grants;
    this.status = status;
    this.diagnostics = diagnostics;
  }

  /** The validation of an HTTPS listener of {@code gateway}; its trouble reported. */
  Verdict of(ApiGateway gateway, ApiGateway.Listener listener) {
    Optional<ApiGateway.ClientValidation> validation = gateway.frontendTls().forPort(listener.port());
    if (validation.isEmpty()) {
      return Verdict.NONE;
    }
    StringBuilder pem = new StringBuilder();
    for (ApiGateway.CertificateRef ref : validation.get().caRefs()) {
      String field = validation.get().field() + ".caCertificateRefs[" + ref.index() + "]";
      Optional<String> trouble = Optional.empty();
      Reason reason = Reason.INVALID_CA_CERTIFICATE_REF;
      if (!ref.group().isEmpty() || !ref.kind().equals("ConfigMap")) {
        reason = Reason.INVALID_CA_CERTIFICATE_KIND;
        trouble = Optional.of("only ConfigMaps (group \"\") hold CA certificates here, not "
            + (ref.group().isEmpty() ? "" : ref.group() + "/") + ref.kind());
      } else {
        Optional<String> refused = grants.refused(
            gateway.key().kind(), gateway.key().namespace(), "", "ConfigMap", ref.namespace(), ref.name());
        ConfigMap map = configMaps.get(ResourceKey.of(Kind.CONFIG_MAP, ref.namespace(), ref.name()));
        if (refused.isPresent()) {
          reason = Reason.REF_NOT_PERMITTED;
          trouble = Optional.of(ReferenceGrants.withoutReason(refused.get()));
        } else if (map == null) {
          trouble = Optional.of("no ConfigMap " + ref.namespace() + "/" + ref.name());
        } else if (map.caCertificates().isEmpty()) {
          trouble = Optional.of("ConfigMap " + ref.namespace() + "/" + ref.name() + " "
              + map.caProblem().orElse("has no CA certificate"));
        } else {
          pem.append(map.caCertificates().get().strip()).append('\n');
        }
      }
      if (trouble.isPresent()) {
        String message = trouble.get() + "; this CA reference is ignored (" + reason.wire() + ")";
        if (reported.add(gateway.key() + "#" + field)) {
          diagnostics.add(Diagnostic.warning(gateway.key(), field, message));
        }
        status.listener(gateway.key(), listener.name()).resolvedRefs(false, reason, field + ": " + message);
      }
    }
    if (pem.length() == 0) {
      String message = "no valid CA certificate to verify clients with; listener " + listener.name()
          + " is not served (NoValidCACertificate)";
      diagnostics.add(Diagnostic.warning(gateway.key(), listener.field(), message));
      status.listener(gateway.key(), listener.name()).accepted(false, Reason.NO_VALID_CA_CERTIFICATE, message);
      return new Verdict(false, Optional.empty(), false);
    }
    boolean insecureFallback = validation.get().insecureFallback();
    if (insecureFallback) {
      status.insecureFrontendValidation(gateway.key());
    }
    String name = "clientca://" + gateway.key().namespace() + "/" + gateway.key().name() + "/" + listener.port();
    return new Verdict(true, Optional.of(new TlsSecret.TrustedCa(name, pem.toString(), Optional.empty())),
        insecureFallback);
  }
}
