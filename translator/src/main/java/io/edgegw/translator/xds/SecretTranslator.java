package io.edgegw.translator.xds;

import com.google.protobuf.ByteString;
import io.edgegw.translator.ir.TlsSecret;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;

/** IR secrets to SDS Secrets, PEM carried inline (Envoy reads no files of ours; only the system's CA bundle). */
public final class SecretTranslator {

  public Secret secret(TlsSecret secret) {
    Secret.Builder out = Secret.newBuilder().setName(secret.name());
    if (secret instanceof TlsSecret.Certificate c) {
      out.setTlsCertificate(TlsCertificate.newBuilder()
          .setCertificateChain(bytes(c.certificateChain()))
          .setPrivateKey(bytes(c.privateKey())));
    } else if (secret instanceof TlsSecret.TrustedCa ca) {
      CertificateValidationContext.Builder validation =
          CertificateValidationContext.newBuilder().setTrustedCa(bytes(ca.caCertificates()));
      ca.crl().ifPresent(crl -> validation.setCrl(bytes(crl)));
      out.setValidationContext(validation);
    } else if (secret instanceof TlsSecret.SystemCa system) {
      out.setValidationContext(CertificateValidationContext.newBuilder()
          .setTrustedCa(DataSource.newBuilder().setFilename(system.file())));
    }
    return out.build();
  }

  private static DataSource bytes(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(pem)).build();
  }
}
