package io.edgegw.server;

import com.google.common.util.concurrent.Uninterruptibles;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sets up, on a thread of its own, protobuf's descriptors and the xDS message types (the largest part
 * of a cold start before the saved snapshot can be read) while {@code run}'s options are read
 * ({@code RunArguments}, or picocli) and the main thread sets up logging and {@link #serverClasses()}
 * (Micrometer's registry too: it logs, and an SLF4J being initialized by the warm-up thread would hand
 * the main thread's logging set-up a substitute factory instead of logback's). Until {@link #await()}
 * returns, the caller touches no protobuf class: none is set up by two threads at once (generated classes
 * initialize one another, the pattern in which class-initialization deadlocks hide), and a start without
 * the warm-up does the same work, later.
 */
public final class StartWarmup {
  private final Thread thread;

  private StartWarmup(Thread thread) {
    this.thread = thread;
  }

  /** A warm-up already running. */
  public static StartWarmup start() {
    Thread thread = new Thread(StartWarmup::warm, "start-warmup");
    thread.setDaemon(true);
    thread.start();
    return new StartWarmup(thread);
  }

  /** No warm-up: {@link #await()} returns at once (every command but {@code run}, and tests). */
  public static StartWarmup none() {
    return new StartWarmup(null);
  }

  /** Returns when the warm-up has ended; after that the warmed classes are the caller's. */
  public void await() {
    if (thread != null) {
      // The join must complete: the classes are not ours until it has.
      Uninterruptibles.joinUninterruptibly(thread);
    }
  }

  /**
   * Sets up, on the calling thread, what the xDS server and the metrics registry set up when they are
   * first built (gRPC, Netty, Micrometer: no protobuf class), while the warm-up thread does protobuf's;
   * nothing is bound or started. Call after logging is set up: Netty's first use of it would otherwise
   * set it up with the defaults.
   */
  @SuppressWarnings("CheckReturnValue") // called for what they set up, not for what they return
  public static void serverClasses() {
    NettyServerBuilder.forPort(0);
    new NioEventLoopGroup(1, new DefaultThreadFactory("start-warmup", true)).shutdownGracefully(0, 0, TimeUnit.SECONDS);
    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT).close();
  }

  @SuppressWarnings("CheckReturnValue") // called for what they set up, not for what they return
  private static void warm() {
    // Each default instance makes its class, its file's descriptor and those of the files it imports.
    List<Message> types = List.of(DeltaDiscoveryResponse.getDefaultInstance(), Listener.getDefaultInstance(),
        RouteConfiguration.getDefaultInstance(), Cluster.getDefaultInstance(),
        ClusterLoadAssignment.getDefaultInstance(), Secret.getDefaultInstance());
    for (Message type : types) {
      type.getDescriptorForType();
    }
    AggregatedDiscoveryServiceGrpc.getServiceDescriptor();
  }
}
