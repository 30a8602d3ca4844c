package io.edgegw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated configurations: one Gateway (port 80, any host), {@code routes} VirtualServices each with
 * its own host ({@code h<i>.bench}) and one prefix route, spread over {@code services(routes)}
 * Services whose Endpoints all point at one backend. Clusters stay few (at most 50), as on an edge box
 * where many routes share a handful of services.
 */
public final class Inputs {
  public static final String NAMESPACE = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Inputs() {}

  public static GatewayIdentity identity(int gatewayPort) {
    GatewayIdentity base = GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway"));
    return new GatewayIdentity(base.labels(), base.domainSuffix(), "127.0.0.1", ImmutableMap.of(80, gatewayPort));
  }

  public static int services(int routes) {
    return Math.max(1, Math.min(50, routes));
  }

  public static String host(int i) {
    return "h" + i + ".bench";
  }

  /** Gateway, Services, Endpoints and {@code routes} VirtualServices. */
  public static List<Resource> all(int routes, int backendPort) {
    List<Resource> out = new ArrayList<>();
    out.add(gateway());
    for (int s = 0; s < services(routes); s++) {
      out.add(service("svc-" + s));
      out.add(endpoints("svc-" + s, backendPort));
    }
    for (int i = 0; i < routes; i++) {
      out.add(virtualService("vs-" + i, host(i), "svc-" + (i % services(routes)), 0));
    }
    return out;
  }

  public static InputSet inputSet(List<Resource> resources) {
    ImmutableSortedMap.Builder<ResourceKey, Resource> map = ImmutableSortedMap.naturalOrder();
    resources.forEach(r -> map.put(r.key(), r));
    return new InputSet(map.build());
  }

  /** The same set with one resource added or replaced. */
  public static InputSet with(InputSet inputs, Resource changed) {
    ImmutableSortedMap.Builder<ResourceKey, Resource> map = ImmutableSortedMap.naturalOrder();
    inputs.resources().forEach((k, v) -> {
      if (!k.equals(changed.key())) {
        map.put(k, v);
      }
    });
    map.put(changed.key(), changed);
    return new InputSet(map.build());
  }

  public static Resource gateway() {
    return read("""
        {"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
         "metadata": {"name": "bench", "namespace": "%s"},
         "spec": {"selector": {"istio": "edgegateway"},
                  "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]}}
        """.formatted(NAMESPACE));
  }

  /**
   * A VirtualService sending every path of {@code host} to {@code service}; a different {@code revision}
   * changes the route's content (its timeout), not its shape.
   */
  public static Resource virtualService(String name, String host, String service, int revision) {
    return read("""
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"hosts": ["%s"], "gateways": ["bench"],
                  "http": [{"match": [{"uri": {"prefix": "/"}}],
                            "timeout": "%ds",
                            "route": [{"destination": {"host": "%s", "port": {"number": 9080}}}]}]}}
        """.formatted(name, NAMESPACE, host, 30 + revision, service));
  }

  /**
   * The same shape through the Gateway API: GatewayClass, a Gateway with one HTTP listener on 80,
   * Services, Endpoints and {@code routes} HTTPRoutes, one host each.
   */
  public static List<Resource> allGatewayApi(int routes, int backendPort) {
    List<Resource> out = new ArrayList<>();
    out.add(read("""
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
         "metadata": {"name": "edgegw", "namespace": "default"},
         "spec": {"controllerName": "edgegw.io/gateway-controller"}}
        """));
    out.add(read("""
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"name": "bench", "namespace": "%s"},
         "spec": {"gatewayClassName": "edgegw", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}}
        """.formatted(NAMESPACE)));
    for (int s = 0; s < services(routes); s++) {
      out.add(service("svc-" + s));
      out.add(endpoints("svc-" + s, backendPort));
    }
    for (int i = 0; i < routes; i++) {
      out.add(httpRoute("route-" + i, host(i), "svc-" + (i % services(routes))));
    }
    return out;
  }

  /** An HTTPRoute sending every path of {@code host} to {@code service}, as {@link #virtualService} does. */
  public static Resource httpRoute(String name, String host, String service) {
    return read("""
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"parentRefs": [{"name": "bench"}], "hostnames": ["%s"],
                  "rules": [{"backendRefs": [{"name": "%s", "port": 9080}]}]}}
        """.formatted(name, NAMESPACE, host, service));
  }

  /** Host of the one VirtualService of {@link #bigVirtualService}. */
  public static final String BIG_HOST = "big.bench";

  /** Gateway, Services, Endpoints and one VirtualService of {@code routes} routes ({@link #bigVirtualService}). */
  public static List<Resource> allBig(int routes, int backendPort) {
    List<Resource> out = new ArrayList<>();
    out.add(gateway());
    for (int s = 0; s < services(routes); s++) {
      out.add(service("svc-" + s));
      out.add(endpoints("svc-" + s, backendPort));
    }
    out.add(bigVirtualService(routes, -1, 0));
    return out;
  }

  /**
   * One VirtualService for {@link #BIG_HOST} with {@code routes} prefix routes {@code /r<i>/}, spread
   * over the services; route {@code edited} (when not negative) matches {@code /e<edit>/} instead: one
   * route edited, the other {@code routes - 1} unchanged. A request to {@code /e<edit>/} answers 404
   * until the edit is served.
   */
  public static Resource bigVirtualService(int routes, int edited, int edit) {
    StringBuilder http = new StringBuilder();
    for (int i = 0; i < routes; i++) {
      if (i > 0) {
        http.append(',');
      }
      String prefix = i == edited ? "/e" + edit + "/" : "/r" + i + "/";
      http.append("""
          {"match": [{"uri": {"prefix": "%s"}}], "timeout": "30s",
           "route": [{"destination": {"host": "svc-%d", "port": {"number": 9080}}}]}"""
          .formatted(prefix, i % services(routes)));
    }
    return read("""
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "big", "namespace": "%s"},
         "spec": {"hosts": ["%s"], "gateways": ["bench"], "http": [%s]}}
        """.formatted(NAMESPACE, BIG_HOST, http));
  }

  public static Resource service(String name) {
    return read("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"ports": [{"name": "http", "port": 9080}]}}""".formatted(name, NAMESPACE));
  }

  public static Resource endpoints(String name, int port) {
    return read("""
        {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "%s", "namespace": "%s"},
         "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"name": "http", "port": %d}]}]}"""
        .formatted(name, NAMESPACE, port));
  }

  public static ResourceKey vsKey(String name) {
    return ResourceKey.of(Kind.VIRTUAL_SERVICE, NAMESPACE, name);
  }

  private static Resource read(String json) {
    try {
      ObjectNode manifest = (ObjectNode) JSON.readTree(json);
      String apiVersion = manifest.path("apiVersion").asText();
      Kind kind = Kind.fromManifest(apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "",
          manifest.path("kind").asText()).orElseThrow();
      return new Resource(ResourceKey.of(kind, manifest.path("metadata").path("namespace").asText(),
          manifest.path("metadata").path("name").asText()), manifest);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(json, e);
    }
  }
}
