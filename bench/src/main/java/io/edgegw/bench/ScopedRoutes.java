package io.edgegw.bench;

import com.google.common.collect.ImmutableList;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpServer;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.Translator;
import io.edgegw.translator.model.Resource;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What per-host route delivery would buy, measured before building it (issue 16): the same hosts
 * served to a real Envoy in three shapes, by a small delta ADS server of the bench's own.
 *
 * <ul>
 *   <li>{@code rds} (today's shape): the port's one RouteConfiguration holds every host's virtual host;
 *       a new host is a new RouteConfiguration of N+1 virtual hosts.
 *   <li>{@code scoped} (scoped RDS): the listener's HTTP connection manager takes {@code scoped_routes}
 *       keyed on the whole {@code :authority} header; one ScopedRouteConfiguration per host, each naming a
 *       RouteConfiguration of that host's one virtual host; a new host is one new scope and one small
 *       RouteConfiguration.
 *   <li>{@code vhds} (VHDS): the listener as today; the port's RouteConfiguration has no virtual hosts
 *       and a {@code vhds} config source, and each host's virtual host is its own resource, named
 *       {@code <route configuration>/<host>}; a new host is that one resource. Envoy 1.40 subscribes to
 *       virtual hosts with no names (a wildcard subscription on the wire) and keeps those whose name is
 *       under its route configuration's, so the server pushes them all and no on-demand filter is needed.
 * </ul>
 *
 * <p>The virtual hosts, the listener, clusters and endpoints are the translator's real output for the
 * bench's generated VirtualServices ({@link Inputs}); only the route delivery differs. java-control-plane's
 * cache knows five types, neither ScopedRouteConfiguration nor VirtualHost, so all shapes are served by
 * {@link DeltaAds} below (delta xDS: under state of the world, every scope would be resent on each change;
 * VHDS requires delta).
 *
 * <p>Per shape and round: Envoy's start (process start until the first and the last host answer 200),
 * then per new host: publish until a keep-alive client polling every 0.1 ms gets 200 for it, the bytes
 * of every DeltaDiscoveryResponse sent meanwhile, and Envoy's own apply time: the sum over all its
 * {@code update_duration} histograms ({@code rds.*}, VHDS's {@code rds.vhds.*} and {@code scoped_rds.*})
 * across the change, read from its admin {@code /stats/prometheus} (with stats flushed on admin reads, so
 * each read is current; Envoy's histogram sums are bucket approximations). Then probes of what exact-key
 * scopes and VHDS change for Host headers.
 *
 * <p>Arguments: {@code hosts changes rounds} (defaults 1000 50 2); each round runs the three shapes, after a
 * warm-up of 20 hosts each and a 20-host run of scoped RDS with the connection manager's
 * {@code strip_any_host_port}, which is only probed. {@code -Dscoped.trace=true} prints every xDS
 * request and response with a millisecond clock.
 */
public final class ScopedRoutes {
  static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String SCOPE = "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration";
  static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String ENDPOINT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String VHOST = "type.googleapis.com/envoy.config.route.v3.VirtualHost";
  private static final int WARMUP = 5;
  /** {@code -Dscoped.trace=true}: every xDS request and response on stderr, with a ms clock. */
  private static final boolean TRACE = Boolean.getBoolean("scoped.trace");
  static final String WILDCARD = "*.wild.bench";

  enum Shape {
    RDS("rds (today)"),
    SCOPED("scoped RDS"),
    VHDS("vhds"),
    /** Only probed (20 hosts): does the connection manager's port stripping come before the scope key? */
    SCOPED_STRIP("scoped RDS + strip_any_host_port");

    final String label;

    Shape(String label) {
      this.label = label;
    }
  }

  record Change(double ms, long bytes, double envoyMs) {}

  record Run(Shape shape, int round, double startFirstMs, double startLastMs, double startEnvoyMs, long startBytes,
      double allocatedMb, List<Change> changes, int nacks, Map<String, Integer> probes) {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int changes = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path dir = Files.createTempDirectory("edgegw-scoped");
    System.err.println("logs in " + dir);
    int backendPort = Local.freePort();
    int gatewayPort = Local.freePort();
    HttpServer backend = Local.backend(backendPort);
    try {
      Served served = Served.translate(hosts + WARMUP + changes, backendPort, gatewayPort);
      // The bench JVM's first gRPC stream, protobuf and Netty classes would otherwise slow the first run.
      Served small = Served.translate(20 + WARMUP + 2, backendPort, gatewayPort);
      run(dir, small, Shape.RDS, 0, 20, 2, gatewayPort);
      run(dir, small, Shape.SCOPED, 0, 20, 2, gatewayPort);
      run(dir, small, Shape.VHDS, 0, 20, 2, gatewayPort);
      List<Run> runs = new ArrayList<>();
      runs.add(run(dir, small, Shape.SCOPED_STRIP, 0, 20, 2, gatewayPort));
      for (int round = 1; round <= rounds; round++) {
        for (Shape shape : List.of(Shape.RDS, Shape.SCOPED, Shape.VHDS)) {
          runs.add(run(dir, served, shape, round, hosts, changes, gatewayPort));
        }
      }
      print(runs, hosts, changes);
    } finally {
      backend.stop(0);
    }
    System.exit(0);
  }

  static Run run(Path dir, Served served, Shape shape, int round, int hosts, int changes, int gatewayPort)
      throws Exception {
    DeltaAds ads = new DeltaAds();
    served.initial(ads, shape, hosts);
    Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(ads).build()
        .start();
    int admin = Local.freePort();
    Process envoy = null;
    String name = shape.name().toLowerCase() + "-" + round;
    try (Local.Client client = new Local.Client(gatewayPort)) {
      Bootstrap bootstrap = new BootstrapGenerator().bootstrap(
              new BootstrapOptions("bench", "edgegateway", "127.0.0.1", grpc.getPort(), "127.0.0.1", admin, true))
          .toBuilder()
          // Histograms merged on each admin read, not every 5 s: a read right after a change sees it.
          .setStatsFlushOnAdmin(true)
          // Flat stat names: every histogram its own Prometheus series, whatever the resource name.
          .setStatsConfig(StatsConfig.newBuilder().setUseAllDefaultTags(
              com.google.protobuf.BoolValue.of(false)))
          .build();
      long t0 = System.nanoTime();
      envoy = Local.envoy(dir, name, name + ".pb", bootstrap.toByteArray(), admin);
      if (TRACE) {
        System.err.printf("%d Envoy admin up%n", System.nanoTime() / 1_000_000);
      }
      awaitStatus(client, Inputs.host(0), 200, Duration.ofSeconds(120));
      double first = (System.nanoTime() - t0) / 1e6;
      awaitStatus(client, Inputs.host(hosts - 1), 200, Duration.ofSeconds(120));
      double last = (System.nanoTime() - t0) / 1e6;
      long startBytes = ads.bytesSent();
      double startEnvoy = updateDurationMs(admin);
      double allocated = allocatedMb(admin);
      List<Change> measured = new ArrayList<>();
      for (int i = 0; i < WARMUP + changes; i++) {
        String host = Inputs.host(hosts + i);
        double envoyBefore = updateDurationMs(admin);
        long bytesBefore = ads.bytesSent();
        long start = System.nanoTime();
        served.add(ads, shape, hosts + i);
        awaitStatus(client, host, 200, Duration.ofSeconds(60));
        double ms = (System.nanoTime() - start) / 1e6;
        long bytes = ads.bytesSent() - bytesBefore;
        // Let Envoy finish (ACKs, a scope's route table reaching the worker) before reading its stats.
        Thread.sleep(20);
        double envoyMs = updateDurationMs(admin) - envoyBefore;
        if (i >= WARMUP) {
          measured.add(new Change(ms, bytes, envoyMs));
        }
      }
      Map<String, Integer> probes = probes(ads, served, shape, client, hosts + WARMUP + changes, gatewayPort);
      Run run = new Run(shape, round, first, last, startEnvoy, startBytes, allocated, measured, ads.nacks(), probes);
      System.err.printf("%s round %d: start %.0f ms, new host p50 %.1f ms%n", shape.label, round, last,
          Stats.of(measured.stream().map(Change::ms).toList()).p(50));
      if (ads.nacks() > 0) {
        System.err.println("NACK: " + ads.lastNack());
      }
      return run;
    } finally {
      Local.stop(envoy);
      grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * What a client's request finds in each shape: an exact host, the same in upper case (RFC 9110: host
   * names are case-insensitive), with the listener's port in the Host header, and a name under a wildcard
   * host published last.
   */
  static Map<String, Integer> probes(DeltaAds ads, Served served, Shape shape, Local.Client client, int wildcard,
      int gatewayPort) throws InterruptedException {
    served.add(ads, shape, wildcard);
    // No 200 to wait for where the shape cannot serve it: give Envoy ample time instead.
    Thread.sleep(3000);
    String host = Inputs.host(0);
    Map<String, Integer> out = new LinkedHashMap<>();
    out.put(host, client.get(host, "/"));
    out.put(host.toUpperCase(java.util.Locale.ROOT), client.get(host.toUpperCase(java.util.Locale.ROOT), "/"));
    out.put(host + ":" + gatewayPort, client.get(host + ":" + gatewayPort, "/"));
    out.put("a" + WILDCARD.substring(1) + " (host " + WILDCARD + ")", client.get("a" + WILDCARD.substring(1), "/"));
    return out;
  }

  /** The translator's resources for all hosts the run will use, and how each shape serves them. */
  record Served(Listener listener, RouteConfiguration template, List<VirtualHost> vhosts,
      List<Cluster> clusters, List<ClusterLoadAssignment> endpoints) {

    /** Hosts h0..h(n-1), and as host n the wildcard. */
    static Served translate(int n, int backendPort, int gatewayPort) {
      List<Resource> inputs = new ArrayList<>(Inputs.all(n, backendPort));
      inputs.add(Inputs.virtualService("vs-wild", WILDCARD, "svc-0", 0));
      EnvoyResources r = new Translator().translate(Inputs.inputSet(inputs), Inputs.identity(gatewayPort))
          .resources();
      if (r.listeners().size() != 1 || r.routes().size() != 1) {
        throw new IllegalStateException("expected one listener and one route configuration, got "
            + r.listeners().size() + " and " + r.routes().size());
      }
      RouteConfiguration rc = r.routes().get(0);
      Map<String, VirtualHost> byDomain = new HashMap<>();
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        for (String d : vh.getDomainsList()) {
          byDomain.put(d, vh);
        }
      }
      List<VirtualHost> vhosts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        vhosts.add(require(byDomain, Inputs.host(i)));
      }
      vhosts.add(require(byDomain, WILDCARD));
      return new Served(r.listeners().get(0), rc.toBuilder().clearVirtualHosts().build(), vhosts,
          r.clusters(), r.endpoints());
    }

    private static VirtualHost require(Map<String, VirtualHost> byDomain, String host) {
      VirtualHost vh = byDomain.get(host);
      if (vh == null) {
        throw new IllegalStateException("no virtual host for " + host + " in " + byDomain.keySet().stream()
            .limit(5).toList());
      }
      return vh;
    }

    void initial(DeltaAds ads, Shape shape, int hosts) throws InvalidProtocolBufferException {
      ads.put(CLUSTER, named(clusters, Cluster::getName));
      ads.put(ENDPOINT, named(endpoints, ClusterLoadAssignment::getClusterName));
      boolean scoped = shape == Shape.SCOPED || shape == Shape.SCOPED_STRIP;
      ads.put(LISTENER, Map.of(listener.getName(), scoped ? scoped(listener, shape == Shape.SCOPED_STRIP)
          : listener));
      if (shape == Shape.RDS) {
        ads.put(ROUTE, Map.of(template.getName(), allHosts(hosts)));
      } else if (shape == Shape.VHDS) {
        // The virtual hosts first: Envoy subscribes to them as soon as it has the route configuration.
        Map<String, Message> vhds = new LinkedHashMap<>();
        for (int i = 0; i < hosts; i++) {
          vhds.put(vhostName(i), vhosts.get(i));
        }
        ads.put(VHOST, vhds);
        ads.put(ROUTE, Map.of(template.getName(), vhdsRoute()));
      } else {
        Map<String, Message> routes = new LinkedHashMap<>();
        Map<String, Message> scopes = new LinkedHashMap<>();
        for (int i = 0; i < hosts; i++) {
          routes.put(routeName(i), oneHost(i));
          scopes.put(scopeName(i), scope(i));
        }
        ads.put(ROUTE, routes);
        ads.put(SCOPE, scopes);
      }
    }

    /** Host {@code i} added to the first {@code i} (the wildcard is index {@code vhosts.size() - 1}). */
    void add(DeltaAds ads, Shape shape, int i) {
      if (shape == Shape.RDS) {
        // Today: the whole port's configuration, every host's virtual host, again.
        ads.put(ROUTE, Map.of(template.getName(), allHosts(i + 1)));
      } else if (shape == Shape.VHDS) {
        ads.put(VHOST, Map.of(vhostName(i), vhosts.get(i)));
      } else {
        // The route configuration first: Envoy asks for it as soon as it sees the scope.
        ads.put(ROUTE, Map.of(routeName(i), oneHost(i)));
        ads.put(SCOPE, Map.of(scopeName(i), scope(i)));
      }
    }

    RouteConfiguration allHosts(int n) {
      return template.toBuilder().addAllVirtualHosts(vhosts.subList(0, n)).build();
    }

    RouteConfiguration oneHost(int i) {
      return template.toBuilder().setName(routeName(i)).addVirtualHosts(vhosts.get(i)).build();
    }

    String domain(int i) {
      return vhosts.get(i).getDomains(0);
    }

    String routeName(int i) {
      return "host/" + domain(i);
    }

    /** VHDS names a virtual host {@code <route configuration>/<host>}: Envoy drops one named otherwise. */
    String vhostName(int i) {
      return template.getName() + "/" + domain(i);
    }

    /** The port's route configuration with no virtual hosts of its own: they all come over VHDS. */
    RouteConfiguration vhdsRoute() {
      return template.toBuilder().setVhds(io.envoyproxy.envoy.config.route.v3.Vhds.newBuilder()
          .setConfigSource(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
              .setResourceApiVersion(ApiVersion.V3))).build();
    }

    String scopeName(int i) {
      return "scope/" + domain(i);
    }

    ScopedRouteConfiguration scope(int i) {
      return ScopedRouteConfiguration.newBuilder()
          .setName(scopeName(i))
          .setRouteConfigurationName(routeName(i))
          .setKey(ScopedRouteConfiguration.Key.newBuilder()
              .addFragments(ScopedRouteConfiguration.Key.Fragment.newBuilder().setStringKey(domain(i))))
          .build();
    }
  }

  /** The listener with its HTTP connection manager's RDS replaced by scoped RDS keyed on :authority. */
  static Listener scoped(Listener l, boolean stripPort) throws InvalidProtocolBufferException {
    ConfigSource ads = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3).build();
    Listener.Builder listener = l.toBuilder();
    for (FilterChain.Builder chain : listener.getFilterChainsBuilderList()) {
      for (Filter.Builder filter : chain.getFiltersBuilderList()) {
        if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
          HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
          // Port stripping, if asked: does it act before the scope key is taken?
          filter.setTypedConfig(Any.pack(hcm.toBuilder().clearRds().setStripAnyHostPort(stripPort)
              .setScopedRoutes(
              io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.newBuilder()
                  .setName("hosts")
                  .setScopeKeyBuilder(ScopeKeyBuilder.newBuilder().addFragments(FragmentBuilder.newBuilder()
                      // No separator, index 0: the whole header value is the key.
                      .setHeaderValueExtractor(FragmentBuilder.HeaderValueExtractor.newBuilder()
                          .setName(":authority").setElementSeparator("").setIndex(0))))
                  .setRdsConfigSource(ads)
                  .setScopedRds(ScopedRds.newBuilder().setScopedRdsConfigSource(ads)))
              .build()));
        }
      }
    }
    return listener.build();
  }

  static <T extends Message> Map<String, Message> named(List<T> resources,
      java.util.function.Function<T, String> name) {
    Map<String, Message> out = new LinkedHashMap<>();
    resources.forEach(r -> out.put(name.apply(r), r));
    return out;
  }

  /**
   * A minimal delta ADS server: resources by type and name, each with a version; per stream, what it
   * subscribed to (by name, or everything) and which version of each resource it was sent. A put sends
   * every stream the resources it subscribed to whose version it does not have; a subscription is
   * answered at once. No removals (the bench only adds). NACKs are counted.
   */
  static final class DeltaAds extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    private final Map<String, Map<String, Any>> resources = new HashMap<>();
    private final Map<String, Map<String, String>> versions = new HashMap<>();
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private long version;
    private long bytes;
    private int nacks;
    private String lastNack = "";

    synchronized void put(String type, Map<String, ? extends Message> changed) {
      version++;
      for (Map.Entry<String, ? extends Message> e : changed.entrySet()) {
        resources.computeIfAbsent(type, t -> new LinkedHashMap<>()).put(e.getKey(), Any.pack(e.getValue()));
        versions.computeIfAbsent(type, t -> new HashMap<>()).put(e.getKey(), Long.toString(version));
      }
      for (Stream s : streams) {
        s.push(type, false);
      }
    }

    synchronized long bytesSent() {
      return bytes;
    }

    synchronized int nacks() {
      return nacks;
    }

    synchronized String lastNack() {
      return lastNack;
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
        StreamObserver<DeltaDiscoveryResponse> out) {
      Stream s = new Stream(out);
      streams.add(s);
      return s;
    }

    final class Stream implements StreamObserver<DeltaDiscoveryRequest> {
      private final StreamObserver<DeltaDiscoveryResponse> out;
      private final Map<String, Set<String>> names = new HashMap<>();
      private final Set<String> wildcard = new HashSet<>();
      private final Map<String, Map<String, String>> sent = new HashMap<>();
      private long nonce;

      Stream(StreamObserver<DeltaDiscoveryResponse> out) {
        this.out = out;
      }

      @Override
      public void onNext(DeltaDiscoveryRequest request) {
        synchronized (DeltaAds.this) {
          String type = request.getTypeUrl();
          if (TRACE) {
            System.err.printf("%d request %s +%s %s -%s%s%n", System.nanoTime() / 1_000_000,
                type.substring(type.lastIndexOf('.') + 1), request.getResourceNamesSubscribeCount(),
                request.getResourceNamesSubscribeList().stream().limit(3).toList(),
                request.getResourceNamesUnsubscribeCount(), request.hasErrorDetail() ? " NACK" : "");
          }
          if (request.hasErrorDetail()) {
            nacks++;
            lastNack = type + ": " + request.getErrorDetail().getMessage();
            return;
          }
          boolean first = !names.containsKey(type);
          Set<String> subscribed = names.computeIfAbsent(type, t -> new HashSet<>());
          Map<String, String> has = sent.computeIfAbsent(type, t -> new HashMap<>());
          if (first) {
            has.putAll(request.getInitialResourceVersionsMap());
            if (request.getResourceNamesSubscribeCount() == 0) {
              wildcard.add(type);
            }
          }
          for (String n : request.getResourceNamesSubscribeList()) {
            if (n.equals("*")) {
              wildcard.add(type);
            } else {
              subscribed.add(n);
            }
          }
          for (String n : request.getResourceNamesUnsubscribeList()) {
            subscribed.remove(n);
            has.remove(n);
          }
          push(type, first && wildcard.contains(type));
        }
      }

      /** Sends what this stream subscribed to and has not got; an empty answer only if asked to. */
      void push(String type, boolean evenIfEmpty) {
        Set<String> subscribed = names.get(type);
        if (subscribed == null) {
          return;
        }
        Map<String, String> has = sent.get(type);
        DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder().setTypeUrl(type);
        Map<String, Any> all = resources.getOrDefault(type, Map.of());
        Map<String, String> current = versions.getOrDefault(type, Map.of());
        for (Map.Entry<String, Any> e : all.entrySet()) {
          String n = e.getKey();
          if ((wildcard.contains(type) || subscribed.contains(n) || subscribed.contains(namespace(type, n)))
              && !current.get(n).equals(has.get(n))) {
            response.addResources(io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder()
                .setName(n).setVersion(current.get(n)).setResource(e.getValue()));
            has.put(n, current.get(n));
          }
        }
        if (response.getResourcesCount() == 0 && !evenIfEmpty) {
          return;
        }
        DeltaDiscoveryResponse r = response.setSystemVersionInfo(Long.toString(version))
            .setNonce(Long.toString(++nonce)).build();
        bytes += r.getSerializedSize();
        if (TRACE) {
          System.err.printf("%d response %s %d resources %d bytes%n", System.nanoTime() / 1_000_000,
              type.substring(type.lastIndexOf('.') + 1), r.getResourcesCount(), r.getSerializedSize());
        }
        out.onNext(r);
      }

      /**
       * Envoy 1.40 subscribes to virtual hosts with no names (wildcard); an Envoy that subscribes to its
       * route configuration's name means every virtual host named under it, so a virtual host's name up to
       * its last '/' counts as subscribed too (Envoy's namespace matching).
       */
      private static String namespace(String type, String name) {
        int slash = name.lastIndexOf('/');
        return type.equals(VHOST) && slash > 0 ? name.substring(0, slash) : null;
      }

      @Override
      public void onError(Throwable t) {
        streams.remove(this);
      }

      @Override
      public void onCompleted() {
        streams.remove(this);
        out.onCompleted();
      }
    }
  }

  /**
   * The sum of every {@code update_duration} histogram's samples, in ms (Envoy's RDS, SRDS and VHDS applies:
   * VHDS's histogram is {@code http.<prefix>.rds.vhds.<route configuration>.update_duration}).
   */
  static double updateDurationMs(int admin) throws IOException, InterruptedException {
    // A read makes Envoy merge its histograms, but asynchronously: the answer shows the previous merge. So
    // read once to merge, and again for the result.
    try (InputStream in = URI.create("http://127.0.0.1:" + admin + "/stats/prometheus?filter=update_duration")
        .toURL().openStream()) {
      in.readAllBytes();
    }
    Thread.sleep(50);
    double sum = 0;
    try (InputStream in = URI.create("http://127.0.0.1:" + admin + "/stats/prometheus?usedonly&filter=update_duration")
        .toURL().openStream()) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.startsWith("envoy_") && (line.contains("rds_") || line.contains("_rds"))) {
          int space = line.lastIndexOf(' ');
          String metric = line.substring(0, space);
          if (metric.endsWith("update_duration_sum") || metric.contains("update_duration_sum{")) {
            sum += Double.parseDouble(line.substring(space + 1));
          }
        }
      }
    }
    if (TRACE) {
      System.err.println("update_duration sum " + sum);
    }
    return sum;
  }

  /** Envoy's heap in use (admin /memory "allocated"), MB. */
  static double allocatedMb(int admin) throws IOException {
    try (InputStream in = URI.create("http://127.0.0.1:" + admin + "/memory").toURL().openStream()) {
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"allocated\":\\s*\"?(\\d+)").matcher(json);
      return m.find() ? Long.parseLong(m.group(1)) / 1e6 : Double.NaN;
    }
  }

  static void awaitStatus(Local.Client client, String host, int status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (client.get(host, "/") != status) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(host + " did not answer " + status + " within " + timeout);
      }
      LockSupport.parkNanos(100_000);
    }
  }

  static void print(List<Run> runs, int hosts, int changes) {
    System.out.printf("%d hosts, %d new hosts per run after %d warm-up, delta ADS (the bench's own server)."
        + " Envoy records update_duration in whole ms: an apply under 1 ms counts as 0%n%n", hosts, changes, WARMUP);
    System.out.println("| shape | round | Envoy start to first / last host 200 ms | Envoy apply at start ms"
        + " | bytes at start | Envoy heap MB | new host p50 ms | p90 | p99 | max | Envoy apply per new host"
        + " p50 / p99 / mean ms | bytes per new host p50 | NACKs |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Run r : runs) {
      if (r.shape() == Shape.SCOPED_STRIP) {
        continue;
      }
      Stats ms = Stats.of(r.changes().stream().map(Change::ms).toList());
      Stats apply = Stats.of(r.changes().stream().map(Change::envoyMs).toList());
      Stats bytes = Stats.of(r.changes().stream().map(c -> (double) c.bytes()).toList());
      double applyMean = r.changes().stream().mapToDouble(Change::envoyMs).average().orElse(Double.NaN);
      System.out.printf("| %s | %d | %.0f / %.0f | %.0f | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f / %.1f / %.2f"
              + " | %.0f | %d |%n",
          r.shape().label, r.round(), r.startFirstMs(), r.startLastMs(), r.startEnvoyMs(), r.startBytes(),
          r.allocatedMb(), ms.p(50), ms.p(90), ms.p(99), ms.max(), apply.p(50), apply.p(99), applyMean,
          bytes.p(50), r.nacks());
    }
    System.out.println();
    System.out.println("Status for each Host header, after the last publish (round 1; the last column from"
        + " 20 hosts):");
    System.out.println();
    List<Run> first = runs.stream().filter(r -> r.round() == 1 || r.shape() == Shape.SCOPED_STRIP)
        .sorted(java.util.Comparator.comparing(Run::shape)).toList();
    System.out.println("| Host header | " + String.join(" | ", first.stream().map(r -> r.shape().label).toList())
        + " |");
    System.out.println("|---|" + "---|".repeat(first.size()));
    for (String probe : ImmutableList.copyOf(first.get(0).probes().keySet())) {
      StringBuilder row = new StringBuilder("| " + probe + " |");
      for (Run r : first) {
        row.append(' ').append(r.probes().get(probe)).append(" |");
      }
      System.out.println(row);
    }
  }
}
