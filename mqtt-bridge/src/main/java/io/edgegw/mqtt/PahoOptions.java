package io.edgegw.mqtt;

import io.edgegw.translator.kube.PemPrivateKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Turns {@link MqttSettings} into Paho connection options, the same way for source and publisher. */
public final class PahoOptions {
  private static final int KEEP_ALIVE_SECONDS = 30;
  /**
   * Room in a packet for what is not payload: fixed header, topic (short in practice, at most 64 KiB),
   * packet id and properties. A payload under the cap on a long topic still arrives (and is read);
   * one that only fits the headroom arrives and is rejected by size with a reason.
   */
  static final long PACKET_HEADROOM_BYTES = 64 * 1024;
  /**
   * At most this many QoS 1 messages in flight to the sidecar. A message is acknowledged only once
   * stored, so this bounds what waits in memory for the config loop: this many payloads at the cap
   * with their parsed forms (docs/resilience.md, "Bounded memory").
   */
  static final int RECEIVE_MAXIMUM = 4;

  private PahoOptions() {}

  /**
   * @param keepSession true for the sidecar: the broker keeps its subscription and queues QoS 1
   *     messages (deletes too) while it is away; false for one-shot publishers
   */
  public static MqttConnectionOptions of(MqttSettings settings, boolean keepSession) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    boolean persistent = keepSession && !settings.sessionExpiry().isZero();
    options.setCleanStart(!persistent);
    options.setSessionExpiryInterval(persistent ? settings.sessionExpiry().toSeconds() : 0L);
    options.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toSeconds()));
    options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
    // MQTT 5 (3.1.2.11.4): the broker must not send a packet larger than this; mosquitto drops such a
    // message for this client. So a payload over the cap is never read into the heap (Paho would read
    // it whole before the payload check could refuse it).
    options.setMaximumPacketSize(maximumPacketSize(settings));
    options.setReceiveMaximum(RECEIVE_MAXIMUM);
    // Reconnects are ours (MqttResourceSource): Paho's own retry only starts after a first
    // successful connect and runs on non-daemon Timer threads that outlive close().
    options.setAutomaticReconnect(false);
    settings.username().ifPresent(options::setUserName);
    settings.password().ifPresent(p -> options.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    if (settings.hasTlsFiles()) {
      if (!settings.serverUri().startsWith("ssl://")) {
        throw new IllegalArgumentException(
            "caFile or a client certificate is set, so serverUri must be ssl://, got " + settings.serverUri());
      }
      options.setSocketFactory(NoDelaySockets.tls(tls(settings)));
    } else if (settings.serverUri().startsWith("ssl://")) {
      options.setSocketFactory(NoDelaySockets.tls((SSLSocketFactory) SSLSocketFactory.getDefault()));
    } else if (settings.serverUri().startsWith("tcp://")) {
      options.setSocketFactory(NoDelaySockets.plain(SocketFactory.getDefault()));
    }
    return options;
  }

  /** The largest packet the broker may send us: the payload cap plus {@link #PACKET_HEADROOM_BYTES}. */
  static long maximumPacketSize(MqttSettings settings) {
    return settings.maxPayloadBytes() + PACKET_HEADROOM_BYTES;
  }

  /**
   * A TLS socket factory that trusts the CA certificates in {@code caFile} (the JVM's defaults
   * without it) and presents the client certificate when one is configured.
   */
  static SSLSocketFactory tls(MqttSettings settings) {
    try {
      TrustManager[] trust = settings.caFile().isPresent() ? trusting(settings.caFile().get()) : null;
      KeyManager[] keys = settings.clientCertFile().isPresent()
          ? presenting(settings.clientCertFile().get(), settings.clientKeyFile().orElseThrow())
          : null;
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keys, trust, null);
      return tls.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static TrustManager[] trusting(Path caFile) {
    try {
      List<X509Certificate> cas = certificates(caFile, "caFile");
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate ca : cas) {
        trusted.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      return trust.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("caFile " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** Key material stays in memory; messages name the files, never their content. */
  private static KeyManager[] presenting(Path certFile, Path keyFile) {
    List<X509Certificate> chain = certificates(certFile, "clientCertFile");
    PrivateKey key;
    try {
      key = PemPrivateKeys.read(Files.readString(keyFile, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IllegalArgumentException("clientKeyFile " + keyFile + ": cannot read: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("clientKeyFile " + keyFile + ": " + e.getMessage(), e);
    }
    if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
      throw new IllegalArgumentException(
          "clientKeyFile "
              + keyFile
              + " holds a "
              + key.getAlgorithm()
              + " key but clientCertFile "
              + certFile
              + " certifies a "
              + chain.get(0).getPublicKey().getAlgorithm()
              + " key");
    }
    try {
      // An in-memory store; the password only satisfies the KeyStore API.
      char[] password = "edgegw".toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      return keys.getKeyManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("clientCertFile " + certFile + " / clientKeyFile " + keyFile
          + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private static List<X509Certificate> certificates(Path file, String setting) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certs = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certs.add((X509Certificate) c);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(setting + " " + file + ": no certificate found");
      }
      return certs;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(setting + " " + file + ": " + e.getMessage(), e);
    }
  }

  /** Paho's own text, e.g. {@code Unable to connect to server (32103) - java.net.ConnectException: ...}. */
  public static String describe(Throwable e) {
    return e instanceof MqttException ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
