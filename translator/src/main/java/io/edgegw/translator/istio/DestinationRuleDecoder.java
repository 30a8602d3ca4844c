package io.edgegw.translator.istio;

import static io.edgegw.translator.decode.Checks.duration;
import static io.edgegw.translator.decode.Checks.durationAllowingZero;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.math.LongMath;
import com.google.common.primitives.Longs;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.istio.TrafficPolicy.ClientTls;
import io.edgegw.translator.istio.TrafficPolicy.ConnectionPool;
import io.edgegw.translator.istio.TrafficPolicy.ConsistentHash;
import io.edgegw.translator.istio.TrafficPolicy.H2UpgradePolicy;
import io.edgegw.translator.istio.TrafficPolicy.HttpCookie;
import io.edgegw.translator.istio.TrafficPolicy.LoadBalancer;
import io.edgegw.translator.istio.TrafficPolicy.OutlierDetection;
import io.edgegw.translator.istio.TrafficPolicy.Simple;
import io.edgegw.translator.istio.TrafficPolicy.TcpKeepalive;
import io.edgegw.translator.istio.TrafficPolicy.TlsMode;
import io.edgegw.translator.istio.TrafficPolicy.Warmup;
import io.edgegw.translator.model.Resource;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/** Decodes and validates a DestinationRule spec (docs/istio-semantics.md sections 6 and 7). */
public final class DestinationRuleDecoder {
  private static final ImmutableSet<String> SPEC =
      ImmutableSet.of("host", "trafficPolicy", "subsets", "exportTo", "workloadSelector");
  private static final ImmutableSet<String> POLICY =
      ImmutableSet.of(
          "loadBalancer",
          "connectionPool",
          "outlierDetection",
          "tls",
          "portLevelSettings",
          "tunnel",
          "proxyProtocol",
          "retryBudget");
  private static final ImmutableSet<String> PORT_POLICY =
      ImmutableSet.of("port", "loadBalancer", "connectionPool", "outlierDetection", "tls");
  private static final ImmutableSet<String> SUBSET = ImmutableSet.of("name", "labels", "trafficPolicy");
  private static final ImmutableSet<String> LOAD_BALANCER = ImmutableSet.of(
      "simple", "consistentHash", "localityLbSetting", "warmupDurationSecs", "warmup");
  private static final ImmutableSet<String> CONSISTENT_HASH = ImmutableSet.of(
      "httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName", "ringHash", "maglev", "minimumRingSize");
  private static final ImmutableSet<String> COOKIE = ImmutableSet.of("name", "path", "ttl", "attributes");
  private static final ImmutableSet<String> WARMUP = ImmutableSet.of("duration", "minimumPercent", "aggression");
  private static final ImmutableSet<String> POOL = ImmutableSet.of("tcp", "http");
  private static final ImmutableSet<String> TCP = ImmutableSet.of(
      "maxConnections", "connectTimeout", "tcpKeepalive", "maxConnectionDuration", "idleTimeout");
  private static final ImmutableSet<String> KEEPALIVE = ImmutableSet.of("probes", "time", "interval");
  private static final ImmutableSet<String> HTTP = ImmutableSet.of(
      "http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries", "idleTimeout",
      "h2UpgradePolicy", "useClientProtocol", "maxConcurrentStreams");
  private static final ImmutableSet<String> OUTLIER =
      ImmutableSet.of(
          "consecutiveErrors",
          "splitExternalLocalOriginErrors",
          "consecutiveLocalOriginFailures",
          "consecutiveGatewayErrors",
          "consecutive5xxErrors",
          "interval",
          "baseEjectionTime",
          "maxEjectionPercent",
          "minHealthPercent");
  private static final ImmutableSet<String> TLS = ImmutableSet.of(
      "mode", "clientCertificate", "privateKey", "caCertificates", "credentialName", "subjectAltNames", "sni",
      "insecureSkipVerify", "caCrl");
  /** Envoy's limits: ring sizes up to 8M entries, Maglev tables up to 5000011 (and prime). */
  private static final long MAX_RING_SIZE = 8_388_608;
  private static final long MAX_MAGLEV_TABLE = 5_000_011;

  public DestinationRule decode(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return new DestinationRule(resource.key(), resource.creationTimestamp(), "", Optional.empty(), ImmutableList.of(),
          ExportTo.EVERYWHERE);
    }
    spec.allowOnly(SPEC);
    ExportTo exportTo = ExportTo.decode(spec.get("exportTo"));
    if (spec.get("workloadSelector").present()) {
      spec.get("workloadSelector")
          .warning(
              "selects sidecar workloads, never a gateway; this DestinationRule is ignored here");
    }
    Field hostField = spec.get("host");
    String host = hostField.string("");
    if (!hostField.present()) {
      hostField.error("required");
    } else {
      Hosts.invalidReason(host).ifPresent(hostField::error);
    }
    Optional<TrafficPolicy> policy = trafficPolicy(spec.get("trafficPolicy"), true);
    ImmutableList.Builder<DestinationRule.Subset> subsets = ImmutableList.builder();
    Set<String> names = new HashSet<>();
    for (Field item : spec.get("subsets").items()) {
      if (!item.isObject()) {
        continue;
      }
      item.allowOnly(SUBSET);
      Field nameField = item.get("name");
      String name = nameField.string("");
      if (!nameField.present()) {
        nameField.error("required");
      } else if (!Checks.isDnsLabel(name)) {
        nameField.error("invalid subset name " + name + ": must be a DNS label");
      } else if (!names.add(name)) {
        nameField.error("duplicate subset name " + name);
      }
      ImmutableSortedMap<String, String> labels = item.get("labels").stringMap();
      subsets.add(new DestinationRule.Subset(name, labels, trafficPolicy(item.get("trafficPolicy"), true)));
    }
    DestinationRule rule = new DestinationRule(
        resource.key(), resource.creationTimestamp(), host, policy, subsets.build(), exportTo);
    return spec.get("workloadSelector").present() ? null : rule;
  }

  private Optional<TrafficPolicy> trafficPolicy(Field field, boolean portLevelAllowed) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(portLevelAllowed ? POLICY : PORT_POLICY);
    if (portLevelAllowed) {
      field.notSupported("tunnel", "proxyProtocol", "retryBudget");
    }
    Map<Integer, TrafficPolicy> ports = new LinkedHashMap<>();
    if (portLevelAllowed) {
      for (Field item : field.get("portLevelSettings").items()) {
        if (!item.isObject()) {
          continue;
        }
        Field port = item.get("port");
        OptionalInt number = OptionalInt.empty();
        if (!port.isObject()) {
          port.error("required");
        } else {
          port.allowOnly(ImmutableSet.of("number"));
          number = portNumber(port.get("number"));
        }
        Optional<TrafficPolicy> policy = trafficPolicy(item, false);
        if (number.isPresent() && policy.isPresent()) {
          if (ports.containsKey(number.getAsInt())) {
            // istiod takes the first entry for a port; a second one can never apply.
            port.get("number").warning("port " + number.getAsInt() + " already has settings above; these are ignored");
          } else {
            ports.put(number.getAsInt(), policy.get());
          }
        }
      }
    }
    return Optional.of(new TrafficPolicy(
        loadBalancer(field.get("loadBalancer")),
        connectionPool(field.get("connectionPool")),
        outlierDetection(field.get("outlierDetection")),
        tls(field.get("tls")),
        ImmutableMap.copyOf(ports)));
  }

  private Optional<LoadBalancer> loadBalancer(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(LOAD_BALANCER);
    if (field.get("localityLbSetting").present()) {
      field
          .get("localityLbSetting")
          .warning(
              "locality load balancing is not supported at the edge (endpoints carry no locality); ignored");
    }
    Simple simple = enumValue(field.get("simple"), Simple.class, Simple.UNSPECIFIED);
    if (simple == Simple.PASSTHROUGH) {
      field
          .get("simple")
          .warning(
              "PASSTHROUGH sends to the original destination, which at a gateway is the gateway itself; the default"
                  + " LEAST_REQUEST is used");
    }
    Optional<ConsistentHash> hash = consistentHash(field.get("consistentHash"));
    if (field.get("simple").present() && hash.isPresent()) {
      field.error("only one of simple and consistentHash may be set");
    }
    Optional<Warmup> warmup = Optional.empty();
    if (field.get("warmupDurationSecs").present() && field.get("warmup").present()) {
      field.error("only one of warmupDurationSecs and warmup may be set");
    }
    Optional<Duration> legacy = duration(field.get("warmupDurationSecs"));
    if (legacy.isPresent()) {
      warmup = Optional.of(new Warmup(legacy.get(), OptionalDouble.empty(), OptionalDouble.empty()));
    }
    Field config = field.get("warmup");
    if (config.isObject()) {
      config.allowOnly(WARMUP);
      Optional<Duration> duration = duration(config.get("duration"));
      if (!config.get("duration").present()) {
        config.get("duration").error("required");
      }
      OptionalDouble minimum = config.get("minimumPercent").number();
      if (minimum.isPresent() && (minimum.getAsDouble() < 0 || minimum.getAsDouble() > 100)) {
        config.get("minimumPercent").error("must be within 0..100, got " + minimum.getAsDouble());
      }
      OptionalDouble aggression = config.get("aggression").number();
      if (aggression.isPresent() && aggression.getAsDouble() < 1) {
        config.get("aggression").error("must be at least 1, got " + aggression.getAsDouble());
      }
      if (duration.isPresent()) {
        warmup = Optional.of(new Warmup(duration.get(), minimum, aggression));
      }
    }
    if (warmup.isPresent() && (hash.isPresent() || simple == Simple.RANDOM)) {
      (legacy.isPresent() ? field.get("warmupDurationSecs") : config)
          .warning("warm-up applies only to ROUND_ROBIN and LEAST_REQUEST; ignored");
      warmup = Optional.empty();
    }
    return Optional.of(new LoadBalancer(simple, hash, warmup));
  }

  private Optional<ConsistentHash> consistentHash(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(CONSISTENT_HASH);
    Optional<String> header = field.get("httpHeaderName").string();
    Optional<HttpCookie> cookie = Optional.empty();
    Field cookieField = field.get("httpCookie");
    if (cookieField.isObject()) {
      cookieField.allowOnly(COOKIE);
      cookieField.notSupported("attributes");
      Optional<String> name = cookieField.get("name").string().filter(n -> !n.isEmpty());
      if (name.isEmpty()) {
        cookieField.get("name").error("required");
      }
      Optional<Duration> ttl = durationAllowingZero(cookieField.get("ttl"));
      cookie = name.map(n -> new HttpCookie(n, cookieField.get("path").string(), ttl));
    }
    boolean sourceIp = field.get("useSourceIp").bool(false);
    Optional<String> query = field.get("httpQueryParameterName").string();
    long keys =
        (header.isPresent() ? 1 : 0)
            + (cookieField.present() ? 1 : 0)
            + (sourceIp ? 1 : 0)
            + (query.isPresent() ? 1 : 0);
    if (keys != 1) {
      field.error("set exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName");
    }
    Field ring = field.get("ringHash");
    Field maglev = field.get("maglev");
    if (ring.present() && maglev.present()) {
      field.error("only one of ringHash and maglev may be set");
    }
    if (field.get("minimumRingSize").present() && (ring.present() || maglev.present())) {
      field
          .get("minimumRingSize")
          .error(
              "deprecated field; with ringHash or maglev set it here would be ambiguous, use ringHash.minimumRingSize");
    }
    OptionalInt ringSize = bounded(field.get("minimumRingSize"), MAX_RING_SIZE);
    if (ring.isObject()) {
      ring.allowOnly(ImmutableSet.of("minimumRingSize"));
      ringSize = bounded(ring.get("minimumRingSize"), MAX_RING_SIZE);
    }
    OptionalInt tableSize = OptionalInt.empty();
    if (maglev.isObject()) {
      maglev.allowOnly(ImmutableSet.of("tableSize"));
      tableSize = bounded(maglev.get("tableSize"), MAX_MAGLEV_TABLE);
      if (tableSize.isPresent() && tableSize.getAsInt() > 0 && !LongMath.isPrime(tableSize.getAsInt())) {
        maglev.get("tableSize").error("the Maglev table size must be a prime number, got " + tableSize.getAsInt());
        tableSize = OptionalInt.empty();
      }
    }
    return Optional.of(new ConsistentHash(header, cookie, sourceIp, query, maglev.present(), ringSize, tableSize));
  }

  private Optional<ConnectionPool> connectionPool(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(POOL);
    Field tcp = field.get("tcp");
    Field http = field.get("http");
    if (!tcp.present() && !http.present()) {
      field.error("set tcp or http");
    }
    if (tcp.isObject()) {
      tcp.allowOnly(TCP);
      tcp.notSupported("maxConnectionDuration", "idleTimeout");
    }
    Optional<TcpKeepalive> keepalive = Optional.empty();
    Field keepaliveField = tcp.get("tcpKeepalive");
    if (keepaliveField.isObject()) {
      keepaliveField.allowOnly(KEEPALIVE);
      keepalive =
          Optional.of(
              new TcpKeepalive(
                  nonNegative(keepaliveField.get("probes")),
                  duration(keepaliveField.get("time")),
                  duration(keepaliveField.get("interval"))));
    }
    if (http.isObject()) {
      http.allowOnly(HTTP);
      http.notSupported("maxConcurrentStreams");
    }
    H2UpgradePolicy upgrade = enumValue(http.get("h2UpgradePolicy"), H2UpgradePolicy.class, H2UpgradePolicy.DEFAULT);
    boolean useClientProtocol = http.get("useClientProtocol").bool(false);
    if (useClientProtocol && upgrade == H2UpgradePolicy.UPGRADE) {
      http.get("h2UpgradePolicy")
          .warning(
              "useClientProtocol is set, so the client's protocol is used and UPGRADE does nothing");
    }
    return Optional.of(new ConnectionPool(
        nonNegative(tcp.get("maxConnections")),
        duration(tcp.get("connectTimeout")),
        keepalive,
        nonNegative(http.get("http1MaxPendingRequests")),
        nonNegative(http.get("http2MaxRequests")),
        nonNegative(http.get("maxRequestsPerConnection")),
        nonNegative(http.get("maxRetries")),
        duration(http.get("idleTimeout")),
        upgrade,
        useClientProtocol));
  }

  private Optional<OutlierDetection> outlierDetection(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(OUTLIER);
    OptionalInt legacy = nonNegative(field.get("consecutiveErrors"));
    if (legacy.isPresent()) {
      field
          .get("consecutiveErrors")
          .warning(
              "deprecated: counts gateway errors (502, 503, 504) as consecutiveGatewayErrors does; use that or"
                  + " consecutive5xxErrors");
    }
    OptionalInt gateway = nonNegative(field.get("consecutiveGatewayErrors"));
    OptionalInt maxEjection = percent(field.get("maxEjectionPercent"));
    OptionalInt minHealth = percent(field.get("minHealthPercent"));
    return Optional.of(new OutlierDetection(
        nonNegative(field.get("consecutive5xxErrors")),
        gateway.isPresent() ? gateway : legacy,
        nonNegative(field.get("consecutiveLocalOriginFailures")),
        field.get("splitExternalLocalOriginErrors").bool(false),
        duration(field.get("interval")),
        duration(field.get("baseEjectionTime")),
        maxEjection,
        minHealth.orElse(0)));
  }

  private Optional<ClientTls> tls(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(TLS);
    for (String file : new String[] {"clientCertificate", "privateKey", "caCertificates", "caCrl"}) {
      if (field.get(file).present()) {
        field
            .get(file)
            .warning(
                "file paths are not supported at the edge (the Envoy host has no such files); use credentialName;"
                    + " ignored");
      }
    }
    TlsMode mode = enumValue(field.get("mode"), TlsMode.class, TlsMode.DISABLE);
    Optional<String> credential = field.get("credentialName").string().filter(c -> !c.isEmpty());
    if (mode == TlsMode.MUTUAL && credential.isEmpty()) {
      field.get("credentialName").error("required with mode MUTUAL: the client certificate comes from this Secret");
    }
    if (mode == TlsMode.ISTIO_MUTUAL) {
      field
          .get("mode")
          .warning(
              "ISTIO_MUTUAL needs the mesh's certificates, which an edge gateway without istiod does not have; plain"
                  + " text is used");
    }
    boolean skipVerify = field.get("insecureSkipVerify").bool(false);
    if (mode == TlsMode.SIMPLE && credential.isEmpty() && !skipVerify) {
      field.warning(
          "no credentialName: the server certificate is not verified; set credentialName (a Secret with ca.crt)"
              + " or insecureSkipVerify: true to say this is intended");
    }
    return Optional.of(new ClientTls(mode, credential, field.get("sni").string(),
        field.get("subjectAltNames").strings(), skipVerify));
  }

  private static <E extends Enum<E>> E enumValue(Field field, Class<E> type, E fallback) {
    Optional<String> text = field.string();
    if (text.isEmpty()) {
      return fallback;
    }
    Optional<E> found = Arrays.stream(type.getEnumConstants()).filter(e -> e.name().equals(text.get())).findFirst();
    if (found.isEmpty()) {
      field.error("invalid value " + text.get() + ", use one of " + Arrays.toString(type.getEnumConstants()));
      return fallback;
    }
    return found.get();
  }

  private static OptionalInt nonNegative(Field field) {
    OptionalInt value = field.integer();
    if (value.isPresent() && value.getAsInt() < 0) {
      field.error("must not be negative, got " + value.getAsInt());
      return OptionalInt.empty();
    }
    return value;
  }

  private static OptionalInt percent(Field field) {
    OptionalInt value = field.integer();
    if (value.isPresent() && (value.getAsInt() < 0 || value.getAsInt() > 100)) {
      field.error("must be within 0..100, got " + value.getAsInt());
      return OptionalInt.empty();
    }
    return value;
  }

  private static OptionalInt portNumber(Field field) {
    OptionalInt port = field.integer();
    if (!field.present()) {
      field.error("required");
    } else if (Checks.outsidePortRange(field, port)) {
      return OptionalInt.empty();
    }
    return port;
  }

  /** A uint64 field: protobuf JSON allows a number or a decimal string. */
  private static OptionalInt bounded(Field field, long max) {
    if (!field.present()) {
      return OptionalInt.empty();
    }
    Long value = field.isTextual() ? Longs.tryParse(field.string("")) : null;
    if (value == null) {
      OptionalInt number = field.integer();
      if (number.isEmpty()) {
        return number;
      }
      value = (long) number.getAsInt();
    }
    if (value < 0 || value > max) {
      field.error("must be within 0.." + max + ", got " + value);
      return OptionalInt.empty();
    }
    return OptionalInt.of(value.intValue());
  }

}
