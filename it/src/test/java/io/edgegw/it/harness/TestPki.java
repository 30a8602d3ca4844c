package io.edgegw.it.harness;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A throwaway CA made with the {@code openssl} CLI, issuing EC P-256 server and client certificates
 * for one test class. Nothing is kept after the test: the files live in the given directory.
 */
public final class TestPki {
  private final Path dir;
  private final AtomicInteger serial = new AtomicInteger(1000);
  private final String caPem;

  private TestPki(Path dir) {
    this.dir = dir;
    this.caPem = read("ca.crt");
  }

  /** A certificate with its key, as PEM text (what goes into a Kubernetes Secret). */
  public record Issued(String name, String certificatePem, String privateKeyPem) {
    public X509Certificate certificate() {
      return TestPki.certificate(certificatePem);
    }

    @Override
    public String toString() {
      return "Issued[" + name + "]";
    }
  }

  public static TestPki create(Path dir, String caName) {
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", "/CN=" + caName, "-keyout", "ca.key", "-out", "ca.crt");
    return new TestPki(dir);
  }

  public String caPem() {
    return caPem;
  }

  /** A server certificate for {@code hosts} (the first is the CN); each call gives a new serial. */
  public Issued server(String name, String... hosts) {
    StringBuilder san = new StringBuilder("subjectAltName=");
    for (int i = 0; i < hosts.length; i++) {
      san.append(i == 0 ? "" : ",").append("DNS:").append(hosts[i]);
    }
    return issue(name, hosts[0], san + "\nextendedKeyUsage=serverAuth\n");
  }

  /**
   * A server certificate with exactly the subjectAltNames given, in openssl's spelling ({@code
   * DNS:abc.example.com}, {@code URI:spiffe://abc.example.com/id}); {@code commonName} is the CN.
   */
  public Issued serverWithSans(String name, String commonName, String... subjectAltNames) {
    return issue(name, commonName, "subjectAltName=" + String.join(",", subjectAltNames)
        + "\nextendedKeyUsage=serverAuth\n");
  }

  public Issued client(String name) {
    return issue(name, name, "extendedKeyUsage=clientAuth\n");
  }

  private Issued issue(String name, String commonName, String extensions) {
    String file = name + "-" + serial.incrementAndGet();
    write(file + ".ext", extensions);
    openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=" + commonName, "-keyout", file + ".key", "-out", file + ".csr");
    openssl(dir, "x509", "-req", "-in", file + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", String.valueOf(serial.get()),
        "-days", "2", "-extfile", file + ".ext", "-out", file + ".crt");
    return new Issued(name, read(file + ".crt"), read(file + ".key"));
  }

  /** A client context that trusts this CA only, presenting {@code identity} when the server asks. */
  public SSLContext clientContext(Optional<Issued> identity) {
    return context(identity);
  }

  /** A server context presenting {@code identity} (a backend that terminates its own TLS). */
  public SSLContext serverContext(Issued identity) {
    return context(Optional.of(identity));
  }

  /**
   * A client context presenting {@code identity} (issued by this CA) to a server whose certificate
   * chains to {@code serverCaPem}: a client certificate from another CA than the server's.
   */
  public SSLContext clientContextTrusting(String serverCaPem, Issued identity) {
    return context(serverCaPem, Optional.of(identity));
  }

  /**
   * As {@link #clientContextTrusting}, but the certificate is sent whenever the server asks for one,
   * whichever CAs the request names (as curl and openssl do; Java's own key manager sends only a
   * certificate issued by a named CA).
   */
  public SSLContext clientContextAlwaysPresenting(String serverCaPem, Issued identity) {
    return context(serverCaPem, Optional.of(identity), true);
  }

  private SSLContext context(Optional<Issued> identity) {
    return context(caPem, identity);
  }

  private SSLContext context(String trustedPem, Optional<Issued> identity) {
    return context(trustedPem, identity, false);
  }

  private SSLContext context(String trustedPem, Optional<Issued> identity, boolean alwaysPresent) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", certificate(trustedPem));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      if (identity.isPresent()) {
        keys.setKeyEntry("me", privateKey(identity.get().privateKeyPem()), new char[0],
            new X509Certificate[] {identity.get().certificate(), certificate(caPem)});
      }
      kmf.init(keys, new char[0]);
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManager[] keyManagers = kmf.getKeyManagers();
      if (alwaysPresent) {
        keyManagers = new KeyManager[] {new AnyIssuer((X509ExtendedKeyManager) keyManagers[0])};
      }
      context.init(keyManagers, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an SSLContext", e);
    }
  }

  /** Offers the one key entry ("me") for any client certificate request. */
  private static final class AnyIssuer extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;

    AnyIssuer(X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "me";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return "me";
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"me"};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  /**
   * A Kubernetes Secret for {@code issued}: type kubernetes.io/tls with base64 {@code data}, plus
   * {@code ca.crt} when {@code ca} is given.
   */
  public static String secretYaml(String name, String namespace, Issued issued, Optional<String> ca) {
    Base64.Encoder b64 = Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Secret
        metadata:
          name: %s
          namespace: %s
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        """.formatted(name, namespace, b64.encodeToString(issued.certificatePem().getBytes(StandardCharsets.UTF_8)),
            b64.encodeToString(issued.privateKeyPem().getBytes(StandardCharsets.UTF_8)))
        + ca.map(pem -> "  ca.crt: " + b64.encodeToString(pem.getBytes(StandardCharsets.UTF_8)) + "\n").orElse("");
  }

  static X509Certificate certificate(String pem) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("not a certificate", e);
    }
  }

  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  private String read(String file) {
    try {
      return Files.readString(dir.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String file, String text) {
    try {
      Files.writeString(dir.resolve(file), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Path log = dir.resolve("openssl.log");
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + Files.readString(log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
