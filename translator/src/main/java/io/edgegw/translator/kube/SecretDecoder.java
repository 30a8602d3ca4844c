package io.edgegw.translator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.model.Resource;
import java.io.ByteArrayInputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes the TLS keys of a Secret ({@code tls.crt}/{@code tls.key}/{@code ca.crt}/{@code ca.crl},
 * or istiod's generic {@code cert}/{@code key}/{@code cacert}/{@code crl}) from {@code data}
 * (base64) and {@code stringData}, which wins as in Kubernetes. Every value must be what Envoy will
 * load: a certificate chain that parses, an unencrypted key that belongs to it, CAs and CRLs that
 * parse. Diagnostics name the key, never its value.
 */
public final class SecretDecoder {
  private record Names(String cert, String key, String ca, String crl) {}

  /** istiod looks for the generic names first. */
  private static final List<Names> LAYOUTS =
      List.of(
          new Names("cert", "key", "cacert", "crl"),
          new Names("tls.crt", "tls.key", "ca.crt", "ca.crl"));

  public Secret decode(Resource resource, Problems problems) {
    Map<String, Value> values = new LinkedHashMap<>();
    read(resource.manifest().path("data"), "data", true, values, problems);
    read(resource.manifest().path("stringData"), "stringData", false, values, problems);

    Names names = LAYOUTS.stream().filter(n -> values.containsKey(n.cert()) || values.containsKey(n.key()))
        .findFirst().orElse(LAYOUTS.get(1));
    Optional<Value> cert = Optional.ofNullable(values.get(names.cert()));
    Optional<Value> key = Optional.ofNullable(values.get(names.key()));
    Optional<Value> ca = Optional.ofNullable(values.get(names.ca()))
        .or(() -> Optional.ofNullable(values.get(names == LAYOUTS.get(0) ? "ca.crt" : "cacert")));
    Optional<Value> crl = Optional.ofNullable(values.get(names.crl()));

    if (cert.isPresent() != key.isPresent()) {
      Value present = cert.orElseGet(key::get);
      problems.error(present.field(), "a certificate needs its private key and a key its certificate: set both "
          + names.cert() + " and " + names.key());
    }
    Optional<List<X509Certificate>> chain = cert.flatMap(v -> certificates(v, problems));
    Optional<PrivateKey> privateKey = key.flatMap(v -> privateKey(v, problems));
    if (chain.isPresent() && privateKey.isPresent() && !PrivateKeys.matches(privateKey.get(), chain.get().get(0))) {
      problems.error(key.get().field(), "the private key does not belong to the first certificate of " + names.cert());
    }
    ca.ifPresent(v -> certificates(v, problems));
    crl.ifPresent(v -> crl(v, problems));
    return new Secret(
        resource.key(),
        cert.map(Value::text),
        key.map(Value::text),
        ca.map(Value::text),
        crl.map(Value::text));
  }

  /** One value and the field it came from, e.g. {@code data.tls.key}. */
  private record Value(String field, String text) {
    @Override
    public String toString() {
      return field;
    }
  }

  /** Reads an object of strings without ever quoting a value: type errors name only the field. */
  private static void read(JsonNode node, String field, boolean base64, Map<String, Value> out, Problems problems) {
    if (node.isMissingNode() || node.isNull()) {
      return;
    }
    if (!node.isObject()) {
      problems.error(field, "expected an object of keys to values");
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String path = field + "." + e.getKey();
      if (!e.getValue().isTextual()) {
        problems.error(path, "expected a string");
        continue;
      }
      if (!base64) {
        out.put(e.getKey(), new Value(path, e.getValue().textValue()));
        continue;
      }
      try {
        byte[] bytes = Base64.getMimeDecoder().decode(e.getValue().textValue());
        out.put(e.getKey(), new Value(path, StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString()));
      } catch (IllegalArgumentException ex) {
        problems.error(path, "not valid base64 (values under data are base64; use stringData for plain text)");
      } catch (CharacterCodingException ex) {
        // Binary (DER) values are of no use to Envoy, which reads PEM; report them only when they matter.
        out.put(e.getKey(), new Value(path, ""));
      }
    }
  }

  private static Optional<List<X509Certificate>> certificates(Value value, Problems problems) {
    ImmutableList<Pem.Block> blocks;
    try {
      blocks = Pem.blocks(value.text());
    } catch (IllegalArgumentException e) {
      problems.error(value.field(), "not a PEM certificate: " + e.getMessage());
      return Optional.empty();
    }
    List<Pem.Block> certs = blocks.stream().filter(b -> b.label().equals("CERTIFICATE")).toList();
    if (certs.isEmpty()) {
      problems.error(value.field(), "no PEM certificate (-----BEGIN CERTIFICATE-----) found");
      return Optional.empty();
    }
    ImmutableList.Builder<X509Certificate> out = ImmutableList.builder();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Pem.Block b : certs) {
        out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
      }
    } catch (CertificateException e) {
      problems.error(value.field(), "a certificate cannot be parsed: " + e.getMessage());
      return Optional.empty();
    }
    return Optional.of(out.build());
  }

  private static Optional<PrivateKey> privateKey(Value value, Problems problems) {
    ImmutableList<Pem.Block> blocks;
    try {
      blocks = Pem.blocks(value.text());
    } catch (IllegalArgumentException e) {
      problems.error(value.field(), "not a PEM private key: " + e.getMessage());
      return Optional.empty();
    }
    if (value.text().contains("Proc-Type: 4,ENCRYPTED")
        || blocks.stream().anyMatch(b -> b.label().equals("ENCRYPTED PRIVATE KEY"))) {
      problems.error(
          value.field(),
          "encrypted private keys are not supported: Envoy needs the key without a passphrase");
      return Optional.empty();
    }
    // Other blocks (EC PARAMETERS before an EC key) are skipped, as OpenSSL skips them.
    List<Pem.Block> keys = blocks.stream().filter(b -> b.label().endsWith("PRIVATE KEY")).toList();
    if (keys.size() != 1) {
      problems.error(value.field(), keys.isEmpty()
          ? "no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY) found"
          : "more than one private key");
      return Optional.empty();
    }
    Optional<PrivateKey> key = PrivateKeys.parse(keys.get(0));
    if (key.isEmpty()) {
      problems.error(
          value.field(),
          "the "
              + keys.get(0).label()
              + " cannot be read (expected unencrypted PKCS#8, PKCS#1 RSA or SEC1 EC)");
    }
    return key;
  }

  private static void crl(Value value, Problems problems) {
    try {
      List<Pem.Block> crls = Pem.blocks(value.text()).stream().filter(b -> b.label().equals("X509 CRL")).toList();
      if (crls.isEmpty()) {
        problems.error(value.field(), "no PEM CRL (-----BEGIN X509 CRL-----) found");
        return;
      }
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Pem.Block b : crls) {
        factory.generateCRL(new ByteArrayInputStream(b.der()));
      }
    } catch (IllegalArgumentException | java.security.cert.CRLException | CertificateException e) {
      problems.error(value.field(), "not a PEM CRL: " + e.getMessage());
    }
  }
}
