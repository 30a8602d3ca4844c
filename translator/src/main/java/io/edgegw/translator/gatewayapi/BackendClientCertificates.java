package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.List;
import java.util.Optional;

/**
 * The client certificates Gateways present to their backends ({@code spec.tls.backend.clientCertificateRef}),
 * where a BackendTLSPolicy makes Envoy speak TLS to them (applied by {@link BackendTlsPolicies}).
 * A reference that cannot be used is reported on the Gateway's field and its ResolvedRefs condition
 * (RefNotPermitted for another namespace without ReferenceGrant, InvalidClientCertificateRef for
 * anything else: not a core Secret, missing, no {@code tls.crt}/{@code tls.key}); the Gateway stays
 * Accepted and its backends get TLS without a client certificate, as without the field.
 */
final class BackendClientCertificates {
  private BackendClientCertificates() {}

  /** Per served Gateway with a usable reference: the Secret it names. */
  static ImmutableMap<ResourceKey, ResourceKey> resolve(
      List<ApiGateway> served,
      ReferenceGrants grants,
      Credentials credentials,
      StatusCollector status,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableMap.Builder<ResourceKey, ResourceKey> out = ImmutableMap.builder();
    for (ApiGateway gateway : served) {
      if (gateway.backendClientCertificate().isEmpty()) {
        continue;
      }
      ApiGateway.CertificateRef ref = gateway.backendClientCertificate().get();
      StatusCollector.Conditions conditions = status.gatewayRefs(gateway.key());
      Optional<String> trouble = Optional.empty();
      Reason reason = Reason.INVALID_CLIENT_CERTIFICATE_REF;
      if (!ref.group().isEmpty() || !ref.kind().equals("Secret")) {
        trouble = Optional.of("a client certificate must be a core Secret, not "
            + (ref.group().isEmpty() ? "core" : ref.group()) + "/" + ref.kind());
      } else {
        Optional<String> refused = grants.refused(
            gateway.key().kind(), gateway.key().namespace(), "", "Secret", ref.namespace(), ref.name());
        if (refused.isPresent()) {
          reason = Reason.REF_NOT_PERMITTED;
          trouble = Optional.of(ReferenceGrants.withoutReason(refused.get()));
        } else {
          trouble = credentials.missing(ref.namespace(), ref.name(), false);
        }
      }
      if (trouble.isPresent()) {
        String message = trouble.get() + "; backends get no client certificate from this Gateway ("
            + reason.wire() + ")";
        diagnostics.add(Diagnostic.warning(gateway.key(), ApiGateway.BACKEND_CLIENT_CERTIFICATE, message));
        conditions.resolvedRefs(false, reason, ApiGateway.BACKEND_CLIENT_CERTIFICATE + ": " + message);
        continue;
      }
      out.put(gateway.key(), ResourceKey.of(Kind.SECRET, ref.namespace(), ref.name()));
    }
    return out.buildOrThrow();
  }
}
