package io.edgegw.bench;

import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.StatusPublisher;
import io.edgegw.server.Components;
import io.edgegw.server.ConfigLoop;
import io.edgegw.server.ConfigStore;
import io.edgegw.server.Metrics;
import io.edgegw.server.SnapshotPublisher;
import io.edgegw.server.StatusReporter;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The sidecar's own cost of one change, without MQTT, gRPC or Envoy: the config loop with the real
 * translator, store (with fsync) and publisher, N routes stored. Per change (add a VirtualService,
 * then delete it): CPU time the loop thread spent from the event to the new snapshot in the cache
 * (validate, store, translate, versions, status board), which other processes on the machine barely
 * change, and the wall time, which they do. MQTT status messages are serialized, not sent.
 *
 * <p>With {@code --big-vs}, the N routes are one VirtualService and each change edits one of its routes
 * (the VirtualService republished with one route's match changed).
 *
 * <p>The loop runs in this JVM: run it with the shipped sidecar's JIT and collector ({@code
 * -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}, as {@code bench/run} does). With the default C2 JIT the
 * CPU per change is 2-3x smaller than what the sidecar spends (8.6 against 24.6 ms at 1000 routes,
 * 2026-12-07).
 *
 * <p>Arguments: {@code routes... --changes M [--big-vs] [--route-scopes]} ({@code --route-scopes}: a route
 * configuration per host, as {@code edgegw run --route-scopes}).
 */
public final class ChangeCost {
  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    int changes = 200;
    boolean big = false;
    boolean gatewayApi = false;
    boolean scopes = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--route-scopes")) {
        scopes = true;
      } else if (args[i].equals("--changes")) {
        changes = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--big-vs")) {
        big = true;
      } else if (args[i].equals("--gateway-api")) {
        gatewayApi = true;
      } else {
        sizes.add(Integer.parseInt(args[i]));
      }
    }
    System.out.println("| routes | " + (gatewayApi ? "HTTPRoutes" : "VirtualServices")
        + " | changes | loop CPU p50 ms | loop CPU p99 ms | wall p50 ms"
        + " | wall p99 ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int routes : sizes) {
      run(routes, changes, big, gatewayApi, scopes);
    }
  }

  private static void run(int routes, int changes, boolean big, boolean gatewayApi, boolean scopes)
      throws Exception {
    Path dir = Files.createTempDirectory("edgegw-changecost");
    ConfigStore store = ConfigStore.open(dir.resolve("state"));
    List<Resource> inputs = big ? Inputs.allBig(routes, 9080)
        : gatewayApi ? Inputs.allGatewayApi(routes, 9080) : Inputs.all(routes, 9080);
    for (Resource r : inputs) {
      store.put(r);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    AtomicLong loopThread = new AtomicLong();
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "config-loop");
      t.setDaemon(true);
      loopThread.set(t.getId());
      return t;
    });
    AtomicLong statusBytes = new AtomicLong();
    StatusPublisher serializeOnly = new StatusPublisher() {
      @Override
      public void publish(ResourceKey key, StatusMessage message) {
        statusBytes.addAndGet(message.toJson().length);
      }

      @Override
      public void clear(ResourceKey key) {}
    };
    SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
    Components components = Components.production();
    GatewayIdentity identity = scopes
        ? Inputs.identity(8080).withRouteScopes(BootstrapGenerator.XDS_CLUSTER) : Inputs.identity(8080);
    ConfigLoop loop = new ConfigLoop(executor, store, components.validator(), components.translator(),
        identity, publisher, Duration.ofMillis(20), new StatusReporter(serializeOnly, Clock.systemUTC()),
        Metrics.unregistered(), java.util.Optional.empty());
    loop.rebuildNow();
    List<Double> cpu = new ArrayList<>();
    List<Double> wall = new ArrayList<>();
    int warmup = Math.max(20, changes / 5);
    for (int c = 0; c < warmup + changes; c++) {
      Resource vs = big ? Inputs.bigVirtualService(routes, c % routes, c)
          : gatewayApi ? Inputs.httpRoute("new-" + c, "new-" + c + ".bench", "svc-0")
          : Inputs.virtualService("new-" + c, "new-" + c + ".bench", "svc-0", 0);
      List<ResourceEvent> events = big ? List.of(ResourceEvent.upsert(vs, "bench"))
          : List.of(ResourceEvent.upsert(vs, "bench"), ResourceEvent.delete(vs.key(), "bench"));
      for (ResourceEvent event : events) {
        SnapshotPublisher.Published before = publisher.current().orElseThrow();
        // Past the debounce interval of the last snapshot, as a lone change would be.
        LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
        long cpu0 = threads.getThreadCpuTime(loopThread.get());
        long t0 = System.nanoTime();
        loop.accept(event);
        while (publisher.current().orElseThrow() == before) {
          Thread.onSpinWait();
        }
        long t1 = System.nanoTime();
        // The loop finishes the status board after publishing: wait for it to be idle.
        loop.call(() -> null);
        long cpu1 = threads.getThreadCpuTime(loopThread.get());
        if (c >= warmup) {
          cpu.add((cpu1 - cpu0) / 1e6);
          wall.add((t1 - t0) / 1e6);
        }
      }
    }
    executor.shutdownNow();
    Stats c = Stats.of(cpu);
    Stats w = Stats.of(wall);
    System.out.printf(
        "| %d | %s | %d | %.2f | %.2f | %.2f | %.2f |%n",
        routes, big ? "1" : Integer.toString(routes), cpu.size(), c.p(50), c.p(99), w.p(50), w.p(99));
  }
}
