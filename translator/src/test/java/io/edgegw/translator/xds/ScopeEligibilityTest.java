package io.edgegw.translator.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.PathHandling;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scoping rule on IR the front ends do not make today (a host of two domains, a domain on two
 * hosts, hosts with a port or a trailing dot), and what the back end makes of it.
 * {@code RouteScopesTest} covers the rest through the translator.
 */
class ScopeEligibilityTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "a.example.com", "a-b.c0.example", "0.example.com", "xn--bcher-kva.example"})
  void exactLowerCaseNamesAreEligible(String domain) {
    assertTrue(ScopeEligibility.eligible(port(host("x", domain))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "*.example.com", "a.*", "A.example.com", "a.example.com.", "a.example.com:80",
      "[::1]", "::1", "-a.example.com", "a-.example.com", "a..example.com", ".example.com", "", "a_b.example.com"})
  void anythingElseIsNot(String domain) {
    assertFalse(ScopeEligibility.eligible(port(host("x", "ok.example.com"), host("y", domain))));
  }

  /** The hand-written check is the documented expression, on every short string of a telling alphabet. */
  @Test
  void theCheckIsTheRegularExpression() {
    java.util.regex.Pattern spec = java.util.regex.Pattern.compile(ScopeEligibility.EXACT_HOST);
    String alphabet = "a9.-A*:_";
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 200_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int n = random.nextInt(9); n > 0; n--) {
        s.append(alphabet.charAt(random.nextInt(random.nextInt(4) == 0 ? alphabet.length() : 4)));
      }
      String domain = s.toString();
      assertEquals(spec.matcher(domain).matches(), ScopeEligibility.exactHost(domain), domain);
    }
  }

  @Test
  void aPortWithoutHostsOrWithAHostWithoutDomainsOrADomainTwiceIsNot() {
    assertFalse(ScopeEligibility.eligible(new RouteConfig("http.80", ImmutableList.of())));
    assertFalse(ScopeEligibility.eligible(port(host("x", "a.example.com"), host("y"))));
    assertFalse(ScopeEligibility.eligible(port(host("x", "a.example.com"), host("y", "a.example.com"))));
    assertFalse(ScopeEligibility.eligible(port(host("x", "a.example.com", "a.example.com"))));
  }

  @Test
  void aHostWithTwoDomainsGetsTwoScopesOnOneRouteConfiguration() {
    GatewayConfig config = gateway(port(host("two:80", "a.example.com", "b.example.com"), host("one:80", "c.example")));
    EnvoyResources out = new XdsBackEnd(new ListenerTranslator(), new RouteTranslator(), new ClusterTranslator(),
        new SecretTranslator()).translate(config, new XdsMemo(), Optional.of("xds"));
    assertEquals(List.of("http.80/one:80", "http.80/two:80"),
        out.routes().stream().map(RouteConfiguration::getName).toList());
    assertEquals(List.of("http.80/a.example.com", "http.80/b.example.com", "http.80/c.example"),
        out.scopes().stream().map(ScopedRouteConfiguration::getName).toList());
    assertEquals(List.of("http.80/two:80", "http.80/two:80", "http.80/one:80"),
        out.scopes().stream().map(ScopedRouteConfiguration::getRouteConfigurationName).toList());
    assertEquals(List.of("a.example.com", "b.example.com", "c.example"),
        out.scopes().stream().map(s -> s.getKey().getFragments(0).getStringKey()).toList());
    assertEquals(List.of("a.example.com", "b.example.com"), out.routes().get(1).getVirtualHosts(0).getDomainsList());
  }

  @Test
  void aDomainOnTwoHostsKeepsThePortOnRds() throws Exception {
    GatewayConfig config = gateway(port(host("x:80", "a.example.com"), host("y:80", "b.example.com", "a.example.com")));
    EnvoyResources out = new XdsBackEnd(new ListenerTranslator(), new RouteTranslator(), new ClusterTranslator(),
        new SecretTranslator()).translate(config, new XdsMemo(), Optional.of("xds"));
    assertTrue(out.scopes().isEmpty());
    assertEquals(List.of("http.80"), out.routes().stream().map(RouteConfiguration::getName).toList());
    assertTrue(out.listeners().get(0).getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class).hasRds());
  }

  /** The per-host memo is by port: one host instance on two ports gets a route configuration on each. */
  @Test
  void oneVirtualHostOnTwoPortsIsTwoRouteConfigurations() {
    XdsMemo memo = new XdsMemo();
    RouteTranslator routes = new RouteTranslator();
    VirtualHost host = host("x", "a.example.com");
    RouteConfig port80 = new RouteConfig("http.80", ImmutableList.of(host));
    RouteConfig port81 = new RouteConfig("http.81", ImmutableList.of(host));
    XdsMemo.PortRoutes on80 = memo.port(port80, true, routes);
    XdsMemo.PortRoutes on81 = memo.port(port81, true, routes);
    assertEquals("http.80/x", on80.routes().get(0).getName());
    assertEquals("http.81/x", on81.routes().get(0).getName());
    assertSame(on80.routes().get(0).getVirtualHosts(0), on80.routes().get(0).getVirtualHosts(0));
    memo.endTranslation();
    // A new port instance around the same host: its messages are kept.
    XdsMemo.PortRoutes again = memo.port(new RouteConfig("http.81", ImmutableList.of(host)), true, routes);
    assertSame(on81.routes().get(0), again.routes().get(0));
    assertSame(on81.scopes().get(0), again.scopes().get(0));
    memo.endTranslation();
    memo.endTranslation(); // http.80 went unused for a translation: forgotten
    assertNotSame(on80.routes().get(0), memo.port(port80, true, routes).routes().get(0));
  }

  private static GatewayConfig gateway(RouteConfig port) {
    Listener listener = new Listener("0.0.0.0_80", "0.0.0.0", 80, ImmutableList.of(new FilterChain(
        ImmutableList.of(), Optional.empty(), new NetworkFilter.Http(port.name(), PathHandling.RAW))));
    return new GatewayConfig(ImmutableList.of(listener), ImmutableList.of(port), ImmutableList.of(),
        ImmutableList.of());
  }

  private static RouteConfig port(VirtualHost... hosts) {
    return new RouteConfig("http.80", ImmutableList.copyOf(hosts));
  }

  private static VirtualHost host(String name, String... domains) {
    return new VirtualHost(name, ImmutableList.copyOf(domains), ImmutableList.of(), false);
  }
}
