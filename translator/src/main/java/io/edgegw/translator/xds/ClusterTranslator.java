package io.edgegw.translator.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.util.Durations;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.ClusterPolicy;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.EdsClusterConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LeastRequestLbConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.MaglevLbConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.RingHashLbConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.RoundRobinLbConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.SlowStartConfig;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Percent;
import java.time.Duration;
import java.util.Optional;

/** IR clusters to Envoy Clusters, plus the ClusterLoadAssignment of each EDS cluster. */
public final class ClusterTranslator {
  /** Runtime key of the slow-start aggression; Envoy requires one, operators rarely override it. */
  private static final String SLOW_START_AGGRESSION_KEY = "upstream.slow_start.aggression";
  /** Envoy's default ring size; istiod always sets the ring hash config. */
  private static final long DEFAULT_MINIMUM_RING_SIZE = 1024;
  /** istiod enforces every consecutive-error ejection it configures. */
  private static final UInt32Value ENFORCED = UInt32Value.of(100);

  public io.envoyproxy.envoy.config.cluster.v3.Cluster cluster(Cluster cluster) {
    ClusterPolicy policy = cluster.policy();
    var out = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
        .setName(cluster.name())
        .setConnectTimeout(duration(policy.connectTimeout()));
    switch (cluster.discovery()) {
      case EDS ->
          out.setType(DiscoveryType.EDS)
              .setEdsClusterConfig(
                  EdsClusterConfig.newBuilder()
                      .setEdsConfig(EnvoyTypes.ads())
                      .setServiceName(cluster.name()));
      case STRICT_DNS, LOGICAL_DNS ->
          out.setType(
                  cluster.discovery() == Cluster.Discovery.STRICT_DNS
                      ? DiscoveryType.STRICT_DNS
                      : DiscoveryType.LOGICAL_DNS)
              // Prefer IPv4 like an IPv4 istio proxy, but still reach IPv6-only names.
              .setDnsLookupFamily(
                  io.envoyproxy.envoy.config.cluster.v3.Cluster.DnsLookupFamily.V4_PREFERRED)
              .setLoadAssignment(loadAssignment(cluster));
    }
    loadBalancer(policy, out);
    ClusterPolicy.Thresholds t = policy.thresholds();
    out.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
        .setPriority(RoutingPriority.DEFAULT)
        .setMaxConnections(uint32(t.maxConnections()))
        .setMaxPendingRequests(uint32(t.maxPendingRequests()))
        .setMaxRequests(uint32(t.maxRequests()))
        .setMaxRetries(uint32(t.maxRetries()))
        // Remaining budgets as stats (remaining_cx, remaining_pending...), as istiod enables.
        .setTrackRemaining(true)));
    policy
        .http()
        .ifPresent(
            http ->
                out.putTypedExtensionProtocolOptions(
                    EnvoyTypes.UPSTREAM_HTTP_PROTOCOL_OPTIONS, Any.pack(http(http))));
    policy
        .keepalive()
        .ifPresent(
            k ->
                out.setUpstreamConnectionOptions(
                    UpstreamConnectionOptions.newBuilder().setTcpKeepalive(keepalive(k))));
    policy
        .outlier()
        .ifPresent(
            o -> {
              out.setOutlierDetection(outlier(o));
              // Envoy's default panic threshold (50%) would send traffic to ejected hosts once half
              // are out;
              // istiod sets minHealthPercent, 0 (never panic) when unset.
              out.setCommonLbConfig(
                  CommonLbConfig.newBuilder()
                      .setHealthyPanicThreshold(
                          Percent.newBuilder().setValue(o.healthyPanicThreshold())));
            });
    policy.tls().ifPresent(tls -> out.setTransportSocket(TransportSocket.newBuilder()
        .setName(EnvoyTypes.TLS_TRANSPORT_SOCKET).setTypedConfig(Any.pack(upstreamTls(tls)))));
    return out.build();
  }

  /** The EDS resource for an EDS cluster (possibly without endpoints: Envoy then answers 503). */
  public Optional<ClusterLoadAssignment> endpoints(Cluster cluster) {
    return cluster.discovery() == Cluster.Discovery.EDS ? Optional.of(loadAssignment(cluster)) : Optional.empty();
  }

  private static void loadBalancer(ClusterPolicy policy, io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder out) {
    Optional<SlowStartConfig> slowStart = policy.slowStart().map(ClusterTranslator::slowStart);
    switch (policy.lbPolicy()) {
      case LEAST_REQUEST -> {
        out.setLbPolicy(LbPolicy.LEAST_REQUEST);
        slowStart.ifPresent(s -> out.setLeastRequestLbConfig(LeastRequestLbConfig.newBuilder().setSlowStartConfig(s)));
      }
      case ROUND_ROBIN -> {
        out.setLbPolicy(LbPolicy.ROUND_ROBIN);
        slowStart.ifPresent(s -> out.setRoundRobinLbConfig(RoundRobinLbConfig.newBuilder().setSlowStartConfig(s)));
      }
      case RANDOM -> out.setLbPolicy(LbPolicy.RANDOM);
      case RING_HASH -> out.setLbPolicy(LbPolicy.RING_HASH).setRingHashLbConfig(RingHashLbConfig.newBuilder()
          .setMinimumRingSize(UInt64Value.of(policy.ringHashMinimumSize().orElse((int) DEFAULT_MINIMUM_RING_SIZE))));
      case MAGLEV -> {
        out.setLbPolicy(LbPolicy.MAGLEV);
        policy
            .maglevTableSize()
            .ifPresent(
                size ->
                    out.setMaglevLbConfig(
                        MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(size))));
      }
    }
  }

  private static SlowStartConfig slowStart(ClusterPolicy.SlowStart slowStart) {
    SlowStartConfig.Builder out = SlowStartConfig.newBuilder().setSlowStartWindow(duration(slowStart.window()));
    slowStart.aggression().ifPresent(a -> out.setAggression(
        RuntimeDouble.newBuilder().setDefaultValue(a).setRuntimeKey(SLOW_START_AGGRESSION_KEY)));
    slowStart.minWeightPercent().ifPresent(p -> out.setMinWeightPercent(Percent.newBuilder().setValue(p)));
    return out.build();
  }

  private static io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions http(
      ClusterPolicy.HttpOptions http) {
    var out = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder();
    if (http.idleTimeout().isPresent() || http.maxRequestsPerConnection().isPresent()) {
      HttpProtocolOptions.Builder common = HttpProtocolOptions.newBuilder();
      http.idleTimeout().ifPresent(d -> common.setIdleTimeout(duration(d)));
      http.maxRequestsPerConnection().ifPresent(n -> common.setMaxRequestsPerConnection(UInt32Value.of(n)));
      out.setCommonHttpProtocolOptions(common);
    }
    switch (http.protocol()) {
      case HTTP1 ->
          out.setExplicitHttpConfig(
              ExplicitHttpConfig.newBuilder()
                  .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()));
      case HTTP2 ->
          out.setExplicitHttpConfig(
              ExplicitHttpConfig.newBuilder()
                  .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
      case DOWNSTREAM -> out.setUseDownstreamProtocolConfig(UseDownstreamHttpConfig.newBuilder()
          .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
          .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
    }
    return out.build();
  }

  private static TcpKeepalive keepalive(ClusterPolicy.Keepalive keepalive) {
    TcpKeepalive.Builder out = TcpKeepalive.newBuilder();
    keepalive.probes().ifPresent(p -> out.setKeepaliveProbes(UInt32Value.of(p)));
    // Envoy counts keepalive time and interval in whole seconds.
    keepalive.time().ifPresent(d -> out.setKeepaliveTime(UInt32Value.of(seconds(d))));
    keepalive.interval().ifPresent(d -> out.setKeepaliveInterval(UInt32Value.of(seconds(d))));
    return out.build();
  }

  /** istiod's applyOutlierDetection: each consecutive-error detector it sets is enforced; success rate stays off. */
  private static OutlierDetection outlier(ClusterPolicy.Outlier outlier) {
    OutlierDetection.Builder out = OutlierDetection.newBuilder().setEnforcingSuccessRate(UInt32Value.of(0));
    outlier.consecutive5xx().ifPresent(n -> out.setConsecutive5Xx(UInt32Value.of(n))
        .setEnforcingConsecutive5Xx(n > 0 ? ENFORCED : UInt32Value.of(0)));
    outlier.consecutiveGatewayFailure().ifPresent(n -> out.setConsecutiveGatewayFailure(UInt32Value.of(n))
        .setEnforcingConsecutiveGatewayFailure(n > 0 ? ENFORCED : UInt32Value.of(0)));
    outlier.interval().ifPresent(d -> out.setInterval(duration(d)));
    outlier.baseEjectionTime().ifPresent(d -> out.setBaseEjectionTime(duration(d)));
    outlier.maxEjectionPercent().ifPresent(p -> out.setMaxEjectionPercent(UInt32Value.of(p)));
    if (outlier.splitExternalLocalOriginErrors()) {
      out.setSplitExternalLocalOriginErrors(true).setEnforcingLocalOriginSuccessRate(UInt32Value.of(0));
      outlier.consecutiveLocalOriginFailure().ifPresent(n -> {
        if (n > 0) {
          out.setConsecutiveLocalOriginFailure(UInt32Value.of(n)).setEnforcingConsecutiveLocalOriginFailure(ENFORCED);
        }
      });
    }
    return out.build();
  }

  private static UpstreamTlsContext upstreamTls(ClusterPolicy.UpstreamTls tls) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    tls.clientCertificate().ifPresent(name -> common.addTlsCertificateSdsSecretConfigs(sds(name)));
    tls.trustedCa().ifPresent(name -> {
      if (tls.subjectAltNames().isEmpty()) {
        common.setValidationContextSdsSecretConfig(sds(name));
      } else {
        CertificateValidationContext.Builder sans = CertificateValidationContext.newBuilder();
        for (String san : tls.subjectAltNames()) {
          for (SubjectAltNameMatcher.SanType type : new SubjectAltNameMatcher.SanType[] {
              SubjectAltNameMatcher.SanType.DNS, SubjectAltNameMatcher.SanType.URI}) {
            sans.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                .setSanType(type).setMatcher(StringMatcher.newBuilder().setExact(san)));
          }
        }
        common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(sans).setValidationContextSdsSecretConfig(sds(name)));
      }
    });
    UpstreamTlsContext.Builder out = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    tls.sni().ifPresent(out::setSni);
    return out.build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(EnvoyTypes.ads()).build();
  }

  private static ClusterLoadAssignment loadAssignment(Cluster cluster) {
    ClusterLoadAssignment.Builder out = ClusterLoadAssignment.newBuilder().setClusterName(cluster.name());
    if (!cluster.endpoints().isEmpty()) {
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
      for (Cluster.Endpoint e : cluster.endpoints()) {
        locality.addLbEndpoints(
            LbEndpoint.newBuilder()
                .setEndpoint(
                    Endpoint.newBuilder()
                        .setAddress(
                            Address.newBuilder()
                                .setSocketAddress(
                                    SocketAddress.newBuilder()
                                        .setAddress(e.address())
                                        .setPortValue(e.port())))));
      }
      out.addEndpoints(locality);
    }
    return out.build();
  }

  private static com.google.protobuf.Duration duration(Duration d) {
    return Durations.fromNanos(d.toNanos());
  }

  private static UInt32Value uint32(long value) {
    return UInt32Value.of((int) value);
  }

  /** At least one second: Envoy takes keepalive timings in seconds and 0 would mean the OS default. */
  private static int seconds(Duration d) {
    return (int) Math.max(1, d.getSeconds());
  }
}
