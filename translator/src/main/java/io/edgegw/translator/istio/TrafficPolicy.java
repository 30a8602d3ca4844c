package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A DestinationRule {@code trafficPolicy}. Its four blocks are the units istiod merges: a subset's
 * block replaces the rule's block, and a matching {@code portLevelSettings} entry replaces all four.
 */
public record TrafficPolicy(
    Optional<LoadBalancer> loadBalancer,
    Optional<ConnectionPool> connectionPool,
    Optional<OutlierDetection> outlierDetection,
    Optional<ClientTls> tls,
    ImmutableMap<Integer, TrafficPolicy> portLevelSettings) {

  public static final TrafficPolicy NONE =
      new TrafficPolicy(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), ImmutableMap.of());

  /** This policy as it applies to {@code port}: a port-level entry, when one matches, replaces every block. */
  public TrafficPolicy forPort(int port) {
    TrafficPolicy portLevel = portLevelSettings.get(port);
    return portLevel != null
        ? portLevel
        : new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, ImmutableMap.of());
  }

  /** istiod's MergeTrafficPolicies: each block the subset sets replaces the rule's, then the subset's port level. */
  public TrafficPolicy overriddenBy(TrafficPolicy subset, int port) {
    TrafficPolicy base = forPort(port);
    TrafficPolicy merged = new TrafficPolicy(
        subset.loadBalancer.or(base::loadBalancer),
        subset.connectionPool.or(base::connectionPool),
        subset.outlierDetection.or(base::outlierDetection),
        subset.tls.or(base::tls),
        ImmutableMap.of());
    TrafficPolicy subsetPort = subset.portLevelSettings.get(port);
    return subsetPort != null ? subsetPort : merged;
  }

  /** {@code loadBalancer.simple}; UNSPECIFIED means istiod's default, LEAST_REQUEST. */
  public enum Simple {
    UNSPECIFIED,
    LEAST_CONN,
    RANDOM,
    PASSTHROUGH,
    ROUND_ROBIN,
    LEAST_REQUEST
  }

  /** {@code loadBalancer}: a simple policy or a consistent hash, plus warm-up. */
  public record LoadBalancer(Simple simple, Optional<ConsistentHash> consistentHash, Optional<Warmup> warmup) {}

  /** The hash key (exactly one of the four) and the algorithm: ring hash unless {@code maglev} is set. */
  public record ConsistentHash(
      Optional<String> httpHeaderName,
      Optional<HttpCookie> httpCookie,
      boolean useSourceIp,
      Optional<String> httpQueryParameterName,
      boolean maglev,
      OptionalInt minimumRingSize,
      OptionalInt maglevTableSize) {}

  public record HttpCookie(String name, Optional<String> path, Optional<Duration> ttl) {}

  public record Warmup(Duration duration, OptionalDouble minimumPercent, OptionalDouble aggression) {}

  /** Absent values are unset (Envoy's or istiod's default applies). */
  public record ConnectionPool(
      OptionalInt maxConnections,
      Optional<Duration> connectTimeout,
      Optional<TcpKeepalive> tcpKeepalive,
      OptionalInt http1MaxPendingRequests,
      OptionalInt http2MaxRequests,
      OptionalInt maxRequestsPerConnection,
      OptionalInt maxRetries,
      Optional<Duration> idleTimeout,
      H2UpgradePolicy h2UpgradePolicy,
      boolean useClientProtocol) {}

  public enum H2UpgradePolicy {
    DEFAULT,
    DO_NOT_UPGRADE,
    UPGRADE
  }

  public record TcpKeepalive(OptionalInt probes, Optional<Duration> time, Optional<Duration> interval) {}

  public record OutlierDetection(
      OptionalInt consecutive5xxErrors,
      OptionalInt consecutiveGatewayErrors,
      OptionalInt consecutiveLocalOriginFailures,
      boolean splitExternalLocalOriginErrors,
      Optional<Duration> interval,
      Optional<Duration> baseEjectionTime,
      OptionalInt maxEjectionPercent,
      int minHealthPercent) {}

  public enum TlsMode {
    DISABLE,
    SIMPLE,
    MUTUAL,
    ISTIO_MUTUAL
  }

  /** Upstream TLS origination; certificates come only by {@code credentialName} (SDS), never from files. */
  public record ClientTls(
      TlsMode mode,
      Optional<String> credentialName,
      Optional<String> sni,
      ImmutableList<String> subjectAltNames,
      boolean insecureSkipVerify) {}
}
