package io.edgegw.translator.kube;

import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * The TLS material of a Kubernetes Secret, as validated PEM text: a certificate chain with its
 * private key (both or neither), CA certificates and a CRL. {@link #toString()} never shows the key.
 */
public record Secret(
    ResourceKey key,
    Optional<String> certificateChain,
    Optional<String> privateKey,
    Optional<String> caCertificates,
    Optional<String> caCrl) {

  public boolean hasCertificate() {
    return certificateChain.isPresent() && privateKey.isPresent();
  }

  @Override
  public String toString() {
    return "Secret[" + key + ", certificate=" + certificateChain.isPresent() + ", privateKey="
        + (privateKey.isPresent() ? "[redacted]" : "none") + ", ca=" + caCertificates.isPresent()
        + ", crl=" + caCrl.isPresent() + "]";
  }
}
