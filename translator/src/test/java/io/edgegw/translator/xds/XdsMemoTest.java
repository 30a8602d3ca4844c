package io.edgegw.translator.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.PathHandling;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteAction;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.RouteMatch;
import io.edgegw.translator.ir.StringMatcher;
import io.edgegw.translator.ir.VirtualHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The back end's per-port memo walks each port's virtual hosts along the previous translation's: whatever
 * the steps (hosts added, removed, edited, replaced by equal copies, out of name order, a port losing and
 * regaining route scopes), one memo gives what a fresh one gives.
 */
class XdsMemoTest {
  private final XdsBackEnd backEnd =
      new XdsBackEnd(new ListenerTranslator(), new RouteTranslator(), new ClusterTranslator(), new SecretTranslator());

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyStepIsWhatAFreshMemoGives(int seed) {
    Random random = new Random(seed);
    List<VirtualHost> pool = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      pool.add(host(k, random));
    }
    XdsMemo memo = new XdsMemo();
    List<VirtualHost> current = new ArrayList<>(pool.subList(0, 20));
    int scopedSteps = 0;
    for (int step = 0; step < 60; step++) {
      switch (random.nextInt(6)) {
        case 0 -> current.add(pool.get(random.nextInt(pool.size())));
        case 1 -> {
          if (!current.isEmpty()) {
            current.remove(random.nextInt(current.size()));
          }
        }
        case 2 -> {
          if (!current.isEmpty()) {
            int i = random.nextInt(current.size());
            current.set(i, edited(current.get(i), step));
          }
        }
        case 3 -> current.replaceAll(h -> copy(h));
        case 4 -> Collections.shuffle(current, random);
        default -> { }
      }
      if (random.nextInt(3) > 0) {
        current.sort(java.util.Comparator.comparing(VirtualHost::name));
      }
      // Two ports, one with every other host; now and then without route scopes.
      List<VirtualHost> other = new ArrayList<>();
      for (int i = 0; i < current.size(); i += 2) {
        other.add(current.get(i));
      }
      GatewayConfig config = config(current, other);
      Optional<String> scopes = random.nextInt(5) == 0 ? Optional.empty() : Optional.of("xds");
      EnvoyResources fresh = backEnd.translate(config, new XdsMemo(), scopes);
      assertEquals(fresh, backEnd.translate(config, memo, scopes), "step " + step);
      scopedSteps += fresh.scopes().isEmpty() ? 0 : 1;
    }
    assertTrue(scopedSteps > 10, "steps with scopes: " + scopedSteps);
  }

  private static GatewayConfig config(List<VirtualHost> port80, List<VirtualHost> port81) {
    return new GatewayConfig(
        ImmutableList.of(listener(80), listener(81)),
        ImmutableList.of(new RouteConfig("http.80", ImmutableList.copyOf(port80)),
            new RouteConfig("http.81", ImmutableList.copyOf(port81))),
        ImmutableList.of(), ImmutableList.of());
  }

  private static Listener listener(int port) {
    return new Listener("0.0.0.0_" + port, "0.0.0.0", port, ImmutableList.of(new FilterChain(
        ImmutableList.of(), Optional.empty(), new NetworkFilter.Http("http." + port, PathHandling.RAW))));
  }

  /** Mostly exact domains, some hosts with two, and now and then one no scope can take or one taken twice. */
  private static VirtualHost host(int k, Random random) {
    String domain = switch (random.nextInt(40)) {
      case 0 -> "*.w" + k + ".example";
      case 1 -> "d" + (k - 1) + ".example";
      case 2 -> "d" + k;
      default -> "d" + k + ".example";
    };
    ImmutableList<String> domains = random.nextInt(6) == 0
        ? ImmutableList.of(domain, "e" + k + ".example") : ImmutableList.of(domain);
    return new VirtualHost((random.nextBoolean() ? "h" : "h-") + k + ":80", domains,
        ImmutableList.of(route("/a" + k), route("/b" + k)), random.nextInt(4) == 0);
  }

  private static VirtualHost edited(VirtualHost host, int step) {
    return new VirtualHost(host.name(), host.domains(),
        ImmutableList.of(host.routes().get(0), route("/edit" + step)), host.requireTls());
  }

  private static VirtualHost copy(VirtualHost host) {
    return new VirtualHost(host.name(), ImmutableList.copyOf(host.domains()),
        ImmutableList.copyOf(host.routes()), host.requireTls());
  }

  private static Route route(String prefix) {
    return new Route(prefix, new RouteMatch(StringMatcher.prefix(prefix), true, ImmutableList.of(),
        ImmutableList.of()), new RouteAction.DirectResponse(200, Optional.empty(), Optional.empty()));
  }
}
