package io.edgegw.translator.kube;

import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * A Kubernetes ConfigMap as far as the gateway cares: the CA bundle under {@code ca.crt} (what a
 * BackendTLSPolicy's {@code caCertificateRefs} point at), or why it cannot serve as one. Nothing else
 * of a ConfigMap is kept: they are often big and mostly unrelated to the gateway.
 *
 * @param caCertificates the PEM text of {@code data["ca.crt"]} when it holds at least one certificate
 *     and every one of them parses
 * @param caProblem why {@code ca.crt} is no CA bundle (absent, empty or not PEM certificates), when
 *     {@code caCertificates} is empty
 */
public record ConfigMap(ResourceKey key, Optional<String> caCertificates, Optional<String> caProblem) {
  public static final String CA_KEY = "ca.crt";
}
