package io.edgegw.translator.ir;

import java.util.Optional;

/** A secret Envoy gets by SDS: a certificate with its key, or CAs (and a CRL) to verify peers. PEM text. */
public sealed interface TlsSecret {
  String name();

  record Certificate(String name, String certificateChain, String privateKey) implements TlsSecret {
    @Override
    public String toString() {
      return "Certificate[" + name + ", privateKey=[redacted]]";
    }
  }

  record TrustedCa(String name, String caCertificates, Optional<String> crl) implements TlsSecret {}

  /** The CAs of the system Envoy runs on: a CA bundle file Envoy reads ({@code file}), not PEM text of ours. */
  record SystemCa(String name, String file) implements TlsSecret {}
}
