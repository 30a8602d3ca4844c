package io.edgegw.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server Envoy connects to: ADS (and the per-type services, which cost nothing), and the
 * delta scoped-routes stream java-control-plane cannot serve ({@link ScopedRoutesServer}). Sized for
 * one or two local Envoys: one accept thread, one I/O thread, two call threads.
 */
public final class XdsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(XdsServer.class);

  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup worker;
  private final ExecutorService calls;

  private XdsServer(Server server, EventLoopGroup boss, EventLoopGroup worker, ExecutorService calls) {
    this.server = server;
    this.boss = boss;
    this.worker = worker;
    this.calls = calls;
  }

  /**
   * Binds {@code address} (port 0 picks a free port, see {@link #port()}) and starts serving ADS, state
   * of the world or delta as each Envoy asks, and {@code scopes}. Every callback sees every stream event
   * of java-control-plane's streams ({@code scopes} was given its own).
   */
  public static XdsServer start(HostPort address, ConfigWatcher cache, ResourceEncoder encoder,
      ScopedRoutesServer scopes, DiscoveryServerCallbacks... callbacks) throws IOException {
    V3DiscoveryServer xds =
        new V3DiscoveryServer(
            List.of(callbacks), new DeltaResyncWatcher(new KeptRoutesWatcher(new SubsetAnsweringWatcher(cache))),
            new DefaultExecutorGroup(), encoder);
    EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("xds-boss", true));
    EventLoopGroup worker = new NioEventLoopGroup(1, new DefaultThreadFactory("xds-io", true));
    ExecutorService calls = Executors.newFixedThreadPool(2, new DefaultThreadFactory("xds-call", true));
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(address.host(), address.port()))
        .channelType(NioServerSocketChannel.class)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(worker)
        .executor(calls)
        // Envoy's stream lives as long as Envoy does; ping to notice a dead peer, and let Envoy ping
        // us (its bootstrap may set connection_keepalive) without being sent GOAWAY.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(4 * 1024 * 1024)
        .addService(xds.getAggregatedDiscoveryServiceImpl())
        .addService(xds.getListenerDiscoveryServiceImpl())
        .addService(xds.getRouteDiscoveryServiceImpl())
        .addService(xds.getClusterDiscoveryServiceImpl())
        .addService(xds.getEndpointDiscoveryServiceImpl())
        .addService(xds.getSecretDiscoveryServiceImpl())
        .addService(scopes.service())
        .build();
    try {
      server.start();
    } catch (IOException e) {
      shutdownGroups(boss, worker, calls);
      throw new IOException("cannot listen for xDS on " + address + ": " + e.getMessage(), e);
    }
    XdsServer started = new XdsServer(server, boss, worker, calls);
    log.info("xDS (ADS) listening on {}", new HostPort(address.host(), started.port()));
    return started;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      // An ADS stream never ends by itself, so with an Envoy connected a graceful wait only delays the
      // exit; Envoy keeps its config and reconnects to the next sidecar either way.
      if (!server.awaitTermination(100, TimeUnit.MILLISECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    shutdownGroups(boss, worker, calls);
  }

  private static void shutdownGroups(EventLoopGroup boss, EventLoopGroup worker, ExecutorService calls) {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    calls.shutdownNow();
  }
}
