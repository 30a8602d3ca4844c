package io.edgegw.translator.istio;

import io.edgegw.translator.ir.ClusterPolicy;
import io.edgegw.translator.ir.ClusterPolicy.LbPolicy;
import io.edgegw.translator.ir.ClusterPolicy.Thresholds;
import io.edgegw.translator.ir.ClusterPolicy.UpstreamProtocol;
import io.edgegw.translator.ir.HashPolicy;
import io.edgegw.translator.istio.TrafficPolicy.ConnectionPool;
import io.edgegw.translator.istio.TrafficPolicy.ConsistentHash;
import io.edgegw.translator.istio.TrafficPolicy.LoadBalancer;
import java.util.Optional;
import java.util.OptionalInt;

/** A DestinationRule traffic policy (already resolved for one port and subset) as istiod applies it to a cluster. */
final class ClusterPolicies {
  private ClusterPolicies() {}

  static ClusterPolicy of(TrafficPolicy policy) {
    ClusterPolicy defaults = ClusterPolicy.DEFAULT;
    Optional<LoadBalancer> lb = policy.loadBalancer();
    Optional<ConsistentHash> hash = lb.flatMap(LoadBalancer::consistentHash);
    LbPolicy lbPolicy = hash.map(h -> h.maglev() ? LbPolicy.MAGLEV : LbPolicy.RING_HASH)
        .orElseGet(() -> switch (lb.map(LoadBalancer::simple).orElse(TrafficPolicy.Simple.UNSPECIFIED)) {
          case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
          case RANDOM -> LbPolicy.RANDOM;
          default -> LbPolicy.LEAST_REQUEST;
        });
    Optional<ClusterPolicy.SlowStart> slowStart = lb.flatMap(LoadBalancer::warmup)
        .filter(w -> lbPolicy == LbPolicy.ROUND_ROBIN || lbPolicy == LbPolicy.LEAST_REQUEST)
        .map(w -> new ClusterPolicy.SlowStart(w.duration(), w.aggression(), w.minimumPercent()));
    Optional<ConnectionPool> pool = policy.connectionPool();
    return new ClusterPolicy(
        lbPolicy,
        hash.filter(h -> !h.maglev())
            .map(ConsistentHash::minimumRingSize)
            .orElse(OptionalInt.empty()),
        hash.filter(ConsistentHash::maglev)
            .map(ConsistentHash::maglevTableSize)
            .orElse(OptionalInt.empty()),
        slowStart,
        pool.flatMap(ConnectionPool::connectTimeout).orElse(defaults.connectTimeout()),
        pool.map(ClusterPolicies::thresholds).orElse(Thresholds.UNLIMITED),
        pool.flatMap(ClusterPolicies::http),
        pool.flatMap(ConnectionPool::tcpKeepalive)
            .map(k -> new ClusterPolicy.Keepalive(k.probes(), k.time(), k.interval())),
        policy
            .outlierDetection()
            .map(
                o ->
                    new ClusterPolicy.Outlier(
                        o.consecutive5xxErrors(),
                        o.consecutiveGatewayErrors(),
                        o.consecutiveLocalOriginFailures(),
                        o.splitExternalLocalOriginErrors(),
                        o.interval(),
                        o.baseEjectionTime(),
                        o.maxEjectionPercent(),
                        o.minHealthPercent())),
        // Upstream TLS needs the Secrets: ClusterBuilder adds it with Credentials.
        Optional.empty());
  }

  /** The route's hash policy for a consistent-hash cluster. */
  static Optional<HashPolicy> hashPolicy(TrafficPolicy policy) {
    return policy
        .loadBalancer()
        .flatMap(LoadBalancer::consistentHash)
        .map(
            h -> {
              if (h.httpHeaderName().isPresent()) {
                return new HashPolicy(
                    HashPolicy.Kind.HEADER,
                    h.httpHeaderName().get(),
                    Optional.empty(),
                    Optional.empty());
              }
              if (h.httpCookie().isPresent()) {
                var c = h.httpCookie().get();
                return new HashPolicy(HashPolicy.Kind.COOKIE, c.name(), c.path(), c.ttl());
              }
              if (h.httpQueryParameterName().isPresent()) {
                return new HashPolicy(
                    HashPolicy.Kind.QUERY_PARAMETER,
                    h.httpQueryParameterName().get(),
                    Optional.empty(),
                    Optional.empty());
              }
              return new HashPolicy(
                  HashPolicy.Kind.SOURCE_IP, "", Optional.empty(), Optional.empty());
            });
  }

  /** Only positive values replace istiod's unlimited defaults: 0 means unset in Istio's API. */
  private static Thresholds thresholds(ConnectionPool pool) {
    return new Thresholds(
        positiveOr(pool.maxConnections()),
        positiveOr(pool.http1MaxPendingRequests()),
        positiveOr(pool.http2MaxRequests()),
        positiveOr(pool.maxRetries()));
  }

  private static long positiveOr(OptionalInt value) {
    return value.isPresent() && value.getAsInt() > 0 ? value.getAsInt() : Thresholds.UNLIMITED_VALUE;
  }

  private static Optional<ClusterPolicy.HttpOptions> http(ConnectionPool pool) {
    UpstreamProtocol protocol =
        pool.useClientProtocol()
            ? UpstreamProtocol.DOWNSTREAM
            : pool.h2UpgradePolicy() == TrafficPolicy.H2UpgradePolicy.UPGRADE
                ? UpstreamProtocol.HTTP2
                : UpstreamProtocol.HTTP1;
    OptionalInt perConnection =
        pool.maxRequestsPerConnection().isPresent()
                && pool.maxRequestsPerConnection().getAsInt() > 0
            ? pool.maxRequestsPerConnection()
            : OptionalInt.empty();
    if (protocol == UpstreamProtocol.HTTP1 && pool.idleTimeout().isEmpty() && perConnection.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ClusterPolicy.HttpOptions(protocol, pool.idleTimeout(), perConnection));
  }

}
