package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/**
 * TLS terminated for clients: the certificate and (to verify clients) the CA come by SDS secret
 * name. With a CA, a client certificate is requested; {@code requireClientCertificate} refuses clients
 * without one, {@code acceptUntrustedClientCertificate} lets a certificate that does not chain to the CA
 * through (Gateway API mode AllowInsecureFallback: the backend decides). Versions are Envoy's names
 * ({@code TLSv1_2}); empty means Envoy's default.
 */
public record DownstreamTls(
    String certificateSecret,
    Optional<String> validationSecret,
    boolean requireClientCertificate,
    boolean acceptUntrustedClientCertificate,
    ImmutableList<String> alpn,
    Optional<String> minVersion,
    Optional<String> maxVersion,
    ImmutableList<String> cipherSuites) {}
