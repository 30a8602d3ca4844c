package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** How Envoy balances, limits, ejects and secures traffic to one cluster. */
public record ClusterPolicy(
    LbPolicy lbPolicy,
    OptionalInt ringHashMinimumSize,
    OptionalInt maglevTableSize,
    Optional<SlowStart> slowStart,
    Duration connectTimeout,
    Thresholds thresholds,
    Optional<HttpOptions> http,
    Optional<Keepalive> keepalive,
    Optional<Outlier> outlier,
    Optional<UpstreamTls> tls) {

  public ClusterPolicy withTls(Optional<UpstreamTls> upstreamTls) {
    return new ClusterPolicy(
        lbPolicy,
        ringHashMinimumSize,
        maglevTableSize,
        slowStart,
        connectTimeout,
        thresholds,
        http,
        keepalive,
        outlier,
        upstreamTls);
  }

  /** istiod's defaults: LEAST_REQUEST, 10s connect timeout, circuit breakers that never trip. */
  public static final ClusterPolicy DEFAULT =
      new ClusterPolicy(
          LbPolicy.LEAST_REQUEST,
          OptionalInt.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          Duration.ofSeconds(10),
          Thresholds.UNLIMITED,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  public enum LbPolicy {
    LEAST_REQUEST,
    ROUND_ROBIN,
    RANDOM,
    RING_HASH,
    MAGLEV
  }

  public record SlowStart(Duration window, OptionalDouble aggression, OptionalDouble minWeightPercent) {}

  /** Envoy circuit breaker thresholds of the default priority. */
  public record Thresholds(long maxConnections, long maxPendingRequests, long maxRequests, long maxRetries) {
    /** istiod sets every threshold to 2^32-1: Envoy's own defaults (1024, 3) trip far too early for a gateway. */
    public static final long UNLIMITED_VALUE = 4_294_967_295L;

    public static final Thresholds UNLIMITED =
        new Thresholds(UNLIMITED_VALUE, UNLIMITED_VALUE, UNLIMITED_VALUE, UNLIMITED_VALUE);
  }

  public enum UpstreamProtocol {
    HTTP1,
    HTTP2,
    /** The protocol the client used. */
    DOWNSTREAM
  }

  public record HttpOptions(
      UpstreamProtocol protocol,
      Optional<Duration> idleTimeout,
      OptionalInt maxRequestsPerConnection) {}

  public record Keepalive(OptionalInt probes, Optional<Duration> time, Optional<Duration> interval) {}

  /** Outlier detection; success-rate ejection stays off, as istiod leaves it. */
  public record Outlier(
      OptionalInt consecutive5xx,
      OptionalInt consecutiveGatewayFailure,
      OptionalInt consecutiveLocalOriginFailure,
      boolean splitExternalLocalOriginErrors,
      Optional<Duration> interval,
      Optional<Duration> baseEjectionTime,
      OptionalInt maxEjectionPercent,
      int healthyPanicThreshold) {}

  /**
   * TLS towards the upstream. Certificates are SDS secret names: {@code clientCertificate} for
   * mutual TLS, {@code trustedCa} to verify the server (none: the server is not verified).
   */
  public record UpstreamTls(
      Optional<String> sni,
      Optional<String> clientCertificate,
      Optional<String> trustedCa,
      ImmutableList<String> subjectAltNames) {}
}
