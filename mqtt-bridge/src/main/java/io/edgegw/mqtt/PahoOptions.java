package io.edgegw.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Turns {@link MqttSettings} into Paho connection options, the same way for source and publisher. */
final class PahoOptions {
  private static final int KEEP_ALIVE_SECONDS = 30;

  private PahoOptions() {}

  /**
   * @param keepSession true for the sidecar: the broker keeps its subscription and queues QoS 1
   *     messages (deletes too) while it is away; false for one-shot publishers
   */
  static MqttConnectionOptions of(MqttSettings settings, boolean keepSession) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    boolean persistent = keepSession && !settings.sessionExpiry().isZero();
    options.setCleanStart(!persistent);
    options.setSessionExpiryInterval(persistent ? settings.sessionExpiry().toSeconds() : 0L);
    options.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toSeconds()));
    options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
    // Reconnects are ours (MqttResourceSource): Paho's own retry only starts after a first
    // successful connect and runs on non-daemon Timer threads that outlive close().
    options.setAutomaticReconnect(false);
    settings.username().ifPresent(options::setUserName);
    settings.password().ifPresent(p -> options.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    settings.caFile().ifPresent(ca -> {
      if (!settings.serverUri().startsWith("ssl://")) {
        throw new IllegalArgumentException("caFile is set, so serverUri must be ssl://, got " + settings.serverUri());
      }
      options.setSocketFactory(trusting(ca));
    });
    return options;
  }

  /** A TLS socket factory that trusts exactly the CA certificates in a PEM file. */
  static SSLSocketFactory trusting(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (cas.isEmpty()) {
        throw new IllegalArgumentException("caFile " + caFile + ": no certificate found");
      }
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate ca : cas) {
        trusted.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return tls.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("caFile " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** Paho's own text, e.g. {@code Unable to connect to server (32103) - java.net.ConnectException: ...}. */
  static String describe(Throwable e) {
    return e instanceof MqttException ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
