package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * A BackendTLSPolicy ({@code v1}): Envoy speaks TLS to the targeted Services' backends, sending
 * {@code hostname} as SNI and verifying the server's certificate against the CAs of the referenced
 * ConfigMaps (or the system's), and its name against {@code subjectAltNames} (or {@code hostname}).
 */
public record BackendTlsPolicy(
    ResourceKey key,
    String created,
    ImmutableList<Target> targets,
    String hostname,
    ImmutableList<CaRef> caRefs,
    boolean systemCas,
    ImmutableList<SubjectAltName> subjectAltNames) {

  /** {@code spec.targetRefs[index]}; only group {@code ""} kind {@code Service} is applied. */
  public record Target(int index, String group, String kind, String name, Optional<String> sectionName) {
    public boolean isService() {
      return group.isEmpty() && kind.equals("Service");
    }
  }

  /** {@code spec.validation.caCertificateRefs[index]}, in the policy's namespace. */
  public record CaRef(int index, String group, String kind, String name) {}

  /** A name the server's certificate must carry: a DNS name ({@code Hostname}) or a {@code URI}. */
  public record SubjectAltName(boolean uri, String value) {}
}
