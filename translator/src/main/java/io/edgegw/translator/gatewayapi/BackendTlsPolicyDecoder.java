package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.decode.Problems;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decodes BackendTLSPolicy ({@code v1}) with the CRD's own validation: targetRefs (1 to 16), a
 * precise {@code validation.hostname}, exactly one of {@code caCertificateRefs} and
 * {@code wellKnownCACertificates: System}, each subjectAltName with the field its type names.
 * Unknown fields are ERRORs; {@code options} (implementation specific) is ignored with a WARNING.
 */
public final class BackendTlsPolicyDecoder {
  private static final ImmutableSet<String> SPEC = ImmutableSet.of("targetRefs", "validation", "options");
  private static final ImmutableSet<String> VALIDATION =
      ImmutableSet.of("caCertificateRefs", "wellKnownCACertificates", "hostname", "subjectAltNames");
  private static final Pattern PRECISE_HOSTNAME =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final int MAX_TARGETS = 16;

  public BackendTlsPolicy backendTlsPolicy(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(SPEC);
    if (spec.get("options").present()) {
      spec.get("options").warning("no implementation-specific options are known here; ignored");
    }
    ImmutableList.Builder<BackendTlsPolicy.Target> targets = ImmutableList.builder();
    ImmutableList<Field> targetItems = spec.get("targetRefs").items();
    if (targetItems.isEmpty()) {
      spec.get("targetRefs").error("required: at least one Service");
    } else if (targetItems.size() > MAX_TARGETS) {
      spec.get("targetRefs").error("at most " + MAX_TARGETS + " targets");
    }
    for (int i = 0; i < targetItems.size(); i++) {
      Field t = targetItems.get(i);
      if (!t.isObject()) {
        t.error("required");
        continue;
      }
      t.allowOnly(ImmutableSet.of("group", "kind", "name", "sectionName"));
      Optional<String> name = required(t.get("name"));
      Optional<String> kind = required(t.get("kind"));
      if (name.isPresent() && kind.isPresent()) {
        targets.add(new BackendTlsPolicy.Target(i, t.get("group").string(""), kind.get(), name.get(),
            t.get("sectionName").string().filter(s -> !s.isEmpty())));
      }
    }
    Field validation = spec.get("validation");
    if (!validation.isObject()) {
      validation.error("required");
      return null;
    }
    validation.allowOnly(VALIDATION);
    Optional<String> hostname = required(validation.get("hostname"));
    hostname.filter(h -> !PRECISE_HOSTNAME.matcher(h).matches())
        .ifPresent(h -> validation.get("hostname").error("not a precise hostname (no wildcard): " + h));
    ImmutableList.Builder<BackendTlsPolicy.CaRef> caRefs = ImmutableList.builder();
    ImmutableList<Field> refItems = validation.get("caCertificateRefs").items();
    for (int i = 0; i < refItems.size(); i++) {
      Field r = refItems.get(i);
      if (!r.isObject()) {
        r.error("required");
        continue;
      }
      r.allowOnly(ImmutableSet.of("group", "kind", "name"));
      Optional<String> name = required(r.get("name"));
      Optional<String> kind = required(r.get("kind"));
      if (name.isPresent() && kind.isPresent()) {
        caRefs.add(new BackendTlsPolicy.CaRef(i, r.get("group").string(""), kind.get(), name.get()));
      }
    }
    Optional<String> wellKnown = validation.get("wellKnownCACertificates").string();
    wellKnown.filter(w -> !w.equals("System"))
        .ifPresent(w -> validation.get("wellKnownCACertificates").error("must be System, not " + w));
    if (refItems.isEmpty() == wellKnown.isEmpty()) {
      validation.error("exactly one of caCertificateRefs and wellKnownCACertificates must be set");
    }
    ImmutableList.Builder<BackendTlsPolicy.SubjectAltName> sans = ImmutableList.builder();
    for (Field s : validation.get("subjectAltNames").items()) {
      if (!s.isObject()) {
        s.error("required");
        continue;
      }
      s.allowOnly(ImmutableSet.of("type", "hostname", "uri"));
      String type = s.get("type").string("");
      switch (type) {
        case "Hostname" -> {
          s.get("uri").string().ifPresent(u -> s.get("uri").error("not allowed with type Hostname"));
          required(s.get("hostname")).ifPresent(h -> sans.add(new BackendTlsPolicy.SubjectAltName(false, h)));
        }
        case "URI" -> {
          s.get("hostname").string().ifPresent(u -> s.get("hostname").error("not allowed with type URI"));
          required(s.get("uri")).ifPresent(u -> sans.add(new BackendTlsPolicy.SubjectAltName(true, u)));
        }
        default -> s.get("type").error("must be Hostname or URI" + (type.isEmpty() ? "" : ", not " + type));
      }
    }
    return problems.hasErrors()
        ? null
        : new BackendTlsPolicy(resource.key(), GatewayApiDecoder.created(resource), targets.build(),
            hostname.orElseThrow(), caRefs.build(), wellKnown.isPresent(), sans.build());
  }

  private static Optional<String> required(Field field) {
    Optional<String> value = field.string().filter(s -> !s.isEmpty());
    if (value.isEmpty() && !problemsAlreadyNamed(field)) {
      field.error("required");
    }
    return value;
  }

  /** A present non-string value was already reported by {@link Field#string()}. */
  private static boolean problemsAlreadyNamed(Field field) {
    return field.present() && !field.isTextual();
  }
}
