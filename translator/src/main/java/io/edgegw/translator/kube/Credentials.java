package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Secrets a translation may hand to Envoy, looked up by {@code credentialName} as istiod does:
 * the certificate of Secret {@code X} is SDS secret {@code kubernetes://X}; the CA to verify peers
 * is {@code kubernetes://X-cacert}, from Secret {@code X-cacert} if it exists, else from {@code
 * ca.crt} inside {@code X}. Only a Secret in the namespace of the referring resource is used.
 *
 * <p>Any part of the front end that references a secret asks here: a found secret is recorded and
 * {@link #requested()} is exactly what goes into the snapshot, so every SDS name in a listener or
 * cluster is served, and no Secret nobody references is. One instance per translation.
 */
public final class Credentials {
  private static final String PREFIX = "kubernetes://";

  private final Map<ResourceKey, Secret> secrets = new HashMap<>();
  private final ImmutableSet<ResourceKey> rejected;
  private final Map<String, TlsSecret> requested = new TreeMap<>();
  private final Map<String, ResourceKey> sources = new HashMap<>();

  public Credentials(List<Secret> secrets, ImmutableSet<ResourceKey> rejected) {
    secrets.forEach(s -> this.secrets.put(s.key(), s));
    this.rejected = rejected;
  }

  /** A secret found (its SDS name), or why there is none, as a sentence naming the Secret. */
  public sealed interface Lookup {
    record Found(String sdsName) implements Lookup {}

    record Missing(String reason) implements Lookup {}
  }

  /**
   * Why Secret {@code credentialName} in {@code namespace} cannot serve a certificate (and, with
   * {@code withCa}, a CA), or empty when it can. Records nothing: ask before {@link #certificate}.
   */
  public Optional<String> missing(String namespace, String credentialName, boolean withCa) {
    ResourceKey key = ResourceKey.of(Kind.SECRET, namespace, credentialName);
    Secret secret = secrets.get(key);
    if (secret == null) {
      return Optional.of(absent(key));
    }
    if (!secret.hasCertificate()) {
      return Optional.of(
          "Secret "
              + namespace
              + "/"
              + credentialName
              + " has no certificate and key (tls.crt and tls.key, or cert and key)");
    }
    return withCa
        ? caSource(namespace, credentialName).isPresent()
            ? Optional.empty()
            : Optional.of(noCa(namespace, credentialName))
        : Optional.empty();
  }

  /**
   * The certificate and key of Secret {@code credentialName} in {@code namespace}, recorded for the
   * snapshot.
   */
  public Lookup certificate(String namespace, String credentialName) {
    Optional<String> missing = missing(namespace, credentialName, false);
    if (missing.isPresent()) {
      return new Lookup.Missing(missing.get());
    }
    Secret secret = secrets.get(ResourceKey.of(Kind.SECRET, namespace, credentialName));
    String name = sdsName(namespace, credentialName, secret.key());
    requested.put(
        name,
        new TlsSecret.Certificate(
            name, secret.certificateChain().get(), secret.privateKey().get()));
    return new Lookup.Found(name);
  }

  /**
   * The CAs (and CRL) to verify peers with, for {@code credentialName} in {@code namespace},
   * recorded for the snapshot.
   */
  public Lookup trustedCa(String namespace, String credentialName) {
    Optional<Secret> source = caSource(namespace, credentialName);
    if (source.isEmpty()) {
      return new Lookup.Missing(noCa(namespace, credentialName));
    }
    String name = sdsName(namespace, credentialName + "-cacert", source.get().key());
    requested.put(
        name,
        new TlsSecret.TrustedCa(name, source.get().caCertificates().get(), source.get().caCrl()));
    return new Lookup.Found(name);
  }

  private Optional<Secret> caSource(String namespace, String credentialName) {
    ResourceKey own = ResourceKey.of(Kind.SECRET, namespace, credentialName + "-cacert");
    ResourceKey main = ResourceKey.of(Kind.SECRET, namespace, credentialName);
    return Optional.ofNullable(secrets.get(own))
        .filter(s -> s.caCertificates().isPresent())
        .or(
            () ->
                Optional.ofNullable(secrets.get(main)).filter(s -> s.caCertificates().isPresent()));
  }

  private String noCa(String namespace, String credentialName) {
    ResourceKey own = ResourceKey.of(Kind.SECRET, namespace, credentialName + "-cacert");
    if (rejected.contains(own)) {
      return absent(own);
    }
    return "no CA certificate: neither Secret "
        + namespace
        + "/"
        + own.name()
        + " nor ca.crt (or cacert) in Secret "
        + namespace
        + "/"
        + credentialName;
  }

  /** Every secret found so far, sorted by SDS name. */
  public ImmutableList<TlsSecret> requested() {
    return requested.values().stream()
        .sorted(Comparator.comparing(TlsSecret::name))
        .collect(ImmutableList.toImmutableList());
  }

  private String absent(ResourceKey key) {
    return "Secret "
        + key.namespace()
        + "/"
        + key.name()
        + (rejected.contains(key)
            ? " is rejected (see its diagnostics)"
            : " not found (only Secrets in the namespace of the referring resource are used)");
  }

  /**
   * istiod's {@code kubernetes://name}. One Envoy here serves Gateways of several namespaces, so
   * when another namespace's Secret already holds that name, this one is {@code
   * kubernetes://namespace/name} (istiod's form for a namespaced reference).
   */
  private String sdsName(String namespace, String name, ResourceKey source) {
    String shortName = PREFIX + name;
    ResourceKey holder = sources.putIfAbsent(shortName, source);
    if (holder == null || holder.namespace().equals(source.namespace())) {
      return shortName;
    }
    String qualified = PREFIX + namespace + "/" + name;
    sources.putIfAbsent(qualified, source);
    return qualified;
  }
}
