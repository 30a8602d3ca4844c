package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.DownstreamTls;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The TLS listeners in mode Terminate (those with certificateRefs): each one's certificate, checked
 * as an HTTPS listener's (ReferenceGrant, InvalidCertificateRef), as the TLS its filter chains end.
 * No ALPN: what is inside the TLS is proxied as bytes.
 */
final class Terminations {
  private final ReferenceGrants grants;
  private final Credentials credentials;
  private final ImmutableList.Builder<Diagnostic> diagnostics;
  private final Map<String, DownstreamTls> byListener = new HashMap<>();

  Terminations(ReferenceGrants grants, Credentials credentials, ImmutableList.Builder<Diagnostic> diagnostics) {
    this.grants = grants;
    this.credentials = credentials;
    this.diagnostics = diagnostics;
  }

  /**
   * Resolves the certificate of a TLS listener in mode Terminate; false (reported) when it cannot be
   * used, so the listener is not served. Other listeners: true.
   */
  boolean resolve(ApiGateway gateway, ApiGateway.Listener listener) {
    if (listener.protocol() != ApiGateway.Protocol.TLS || listener.certificateRefs().isEmpty()) {
      return true;
    }
    Optional<ResourceKey> secret = GatewayListeners.certificate(gateway, listener, grants, credentials, diagnostics);
    if (secret.isEmpty()) {
      return false;
    }
    String sds =
        ((Credentials.Lookup.Found) credentials.certificate(secret.get().namespace(), secret.get().name())).sdsName();
    byListener.put(
        id(gateway.key(), listener.name()),
        new DownstreamTls(
            sds, Optional.empty(), false, false, ImmutableList.of(), Optional.empty(), Optional.empty(),
            ImmutableList.of()));
    return true;
  }

  /** The TLS a listener terminates, or empty for passthrough (and TCP). */
  Optional<DownstreamTls> of(ResourceKey gateway, String listener) {
    return Optional.ofNullable(byListener.get(id(gateway, listener)));
  }

  private static String id(ResourceKey gateway, String listener) {
    return gateway + "/" + listener;
  }
}
