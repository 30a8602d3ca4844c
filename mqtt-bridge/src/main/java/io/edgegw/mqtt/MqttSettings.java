package io.edgegw.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the node's broker.
 *
 * @param serverUri {@code tcp://host:port}, or {@code ssl://host:port} together with {@code caFile}
 * @param clientId stable per gateway: the broker keeps the sidecar's session (and queues QoS 1
 *     messages, deletes included) under this id while the sidecar is away
 * @param username optional broker user
 * @param password optional broker password; never logged, redacted in {@link #toString()}
 * @param maxPayloadBytes larger resource payloads are rejected without being parsed
 * @param connectTimeout how long one connection attempt may take
 * @param maxReconnectDelay reconnect attempts back off from 500 ms, doubling, up to this delay,
 *     each delay drawn at random from the upper half of its step (equal jitter)
 * @param sessionExpiry how long the broker keeps the session after the sidecar goes away; zero
 *     means a clean session on every connect (then deletes made while away are missed)
 * @param caFile PEM file with the CA certificate(s) that sign the broker's certificate, for ssl://;
 *     without it the JVM's default trust store is used
 * @param clientCertFile PEM certificate (chain) the sidecar presents to a broker that requires
 *     client certificates; set together with {@code clientKeyFile}, for ssl://
 * @param clientKeyFile PEM private key of {@code clientCertFile}: PKCS#8 ({@code BEGIN PRIVATE KEY}),
 *     PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}), unencrypted
 * @param kubeedgeTopic optional topic filter (e.g. {@code $hw/events/edgegw/#}) carrying KubeEdge
 *     beehive envelopes; empty means the sidecar does not listen for them
 */
public record MqttSettings(
    String serverUri,
    String clientId,
    Optional<String> username,
    Optional<String> password,
    int maxPayloadBytes,
    Duration connectTimeout,
    Duration maxReconnectDelay,
    Duration sessionExpiry,
    Optional<Path> caFile,
    Optional<Path> clientCertFile,
    Optional<Path> clientKeyFile,
    Optional<String> kubeedgeTopic) {
  public static final String DEFAULT_SERVER_URI = "tcp://127.0.0.1:1883";
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  public MqttSettings {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay");
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(clientCertFile, "clientCertFile");
    Objects.requireNonNull(clientKeyFile, "clientKeyFile");
    Objects.requireNonNull(kubeedgeTopic, "kubeedgeTopic");
    if (clientCertFile.isPresent() != clientKeyFile.isPresent()) {
      throw new IllegalArgumentException("clientCertFile and clientKeyFile: set both or neither");
    }
    if (kubeedgeTopic.isPresent() && kubeedgeTopic.get().isBlank()) {
      throw new IllegalArgumentException("kubeedgeTopic: a topic filter, or absent to not listen for KubeEdge");
    }
    if (clientId.isEmpty()) {
      throw new IllegalArgumentException("clientId: required (a stable id lets the broker keep the session)");
    }
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes: must be positive, got " + maxPayloadBytes);
    }
    if (connectTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException("connectTimeout: at least 1s (MQTT clients count whole seconds)");
    }
    if (maxReconnectDelay.toMillis() < 1 || sessionExpiry.isNegative()) {
      throw new IllegalArgumentException("maxReconnectDelay must be positive and sessionExpiry not negative");
    }
  }

  /** Local broker, anonymous, 1 MiB payloads, 10 s connect timeout and reconnect cap, one-day session. */
  public static MqttSettings defaults(String clientId) {
    return new MqttSettings(DEFAULT_SERVER_URI, clientId, Optional.empty(), Optional.empty(),
        DEFAULT_MAX_PAYLOAD_BYTES, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofDays(1),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public MqttSettings withServerUri(String uri) {
    return new MqttSettings(uri, clientId, username, password, maxPayloadBytes, connectTimeout,
        maxReconnectDelay, sessionExpiry, caFile, clientCertFile, clientKeyFile, kubeedgeTopic);
  }

  public MqttSettings withClientId(String id) {
    return new MqttSettings(serverUri, id, username, password, maxPayloadBytes, connectTimeout,
        maxReconnectDelay, sessionExpiry, caFile, clientCertFile, clientKeyFile, kubeedgeTopic);
  }

  public MqttSettings withCredentials(String user, String secret) {
    return new MqttSettings(serverUri, clientId, Optional.of(user), Optional.of(secret), maxPayloadBytes,
        connectTimeout, maxReconnectDelay, sessionExpiry, caFile, clientCertFile, clientKeyFile, kubeedgeTopic);
  }

  public MqttSettings withMaxPayloadBytes(int bytes) {
    return new MqttSettings(serverUri, clientId, username, password, bytes, connectTimeout,
        maxReconnectDelay, sessionExpiry, caFile, clientCertFile, clientKeyFile, kubeedgeTopic);
  }

  public MqttSettings withMaxReconnectDelay(Duration delay) {
    return new MqttSettings(serverUri, clientId, username, password, maxPayloadBytes, connectTimeout,
        delay, sessionExpiry, caFile, clientCertFile, clientKeyFile, kubeedgeTopic);
  }

  public MqttSettings withSessionExpiry(Duration expiry) {
    return new MqttSettings(serverUri, clientId, username, password, maxPayloadBytes, connectTimeout,
        maxReconnectDelay, expiry, caFile, clientCertFile, clientKeyFile, kubeedgeTopic);
  }

  public MqttSettings withCaFile(Path file) {
    return new MqttSettings(serverUri, clientId, username, password, maxPayloadBytes, connectTimeout,
        maxReconnectDelay, sessionExpiry, Optional.of(file), clientCertFile, clientKeyFile,
        kubeedgeTopic);
  }

  /** The node-local broker at another address, otherwise {@link #defaults(String)}. */
  public static MqttSettings defaults(String serverUri, String clientId) {
    return defaults(clientId).withServerUri(serverUri);
  }

  /** Presents {@code cert} (PEM) with its private key {@code key} (PEM) to the broker. */
  public MqttSettings withClientCertificate(Path cert, Path key) {
    return new MqttSettings(serverUri, clientId, username, password, maxPayloadBytes, connectTimeout,
        maxReconnectDelay, sessionExpiry, caFile, Optional.of(cert), Optional.of(key), kubeedgeTopic);
  }

  /** Also listens for KubeEdge envelopes on {@code topicFilter}. */
  public MqttSettings withKubeedgeTopic(String topicFilter) {
    return new MqttSettings(serverUri, clientId, username, password, maxPayloadBytes, connectTimeout,
        maxReconnectDelay, sessionExpiry, caFile, clientCertFile, clientKeyFile, Optional.of(topicFilter));
  }

  /** True when the connection needs TLS material of ours (a CA file or a client certificate). */
  boolean hasTlsFiles() {
    return caFile.isPresent() || clientCertFile.isPresent();
  }

  /** Redacts the password: settings end up in startup logs. */
  @Override
  public String toString() {
    return "MqttSettings[serverUri=" + serverUri + ", clientId=" + clientId
        + ", username=" + username.orElse("<none>")
        + ", password=" + (password.isPresent() ? "<redacted>" : "<none>")
        + ", maxPayloadBytes=" + maxPayloadBytes + ", connectTimeout=" + connectTimeout
        + ", maxReconnectDelay=" + maxReconnectDelay + ", sessionExpiry=" + sessionExpiry
        + ", caFile=" + caFile.map(Path::toString).orElse("<none>")
        + ", clientCertFile=" + clientCertFile.map(Path::toString).orElse("<none>")
        + ", clientKeyFile=" + clientKeyFile.map(Path::toString).orElse("<none>")
        + ", kubeedgeTopic=" + kubeedgeTopic.orElse("<none>") + "]";
  }
}
