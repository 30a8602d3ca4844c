package io.edgegw.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgegw.server.SidecarConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The upstream Gateway API conformance suite's own manifests (sigs.k8s.io/gateway-api/conformance
 * v1.6.3, vendored under {@code src/test/resources/gateway-api-conformance}) published over MQTT to a
 * real sidecar and Envoy.
 *
 * <p>What stands in for the cluster: each HTTP backend Deployment of the base manifests is a loopback
 * {@link HttpBackend} named after its Service, and the Service gets Endpoints at it (the suite's Pods
 * would be selected by the Service). Deployments are not published. Services of the
 * gRPC, TCP and TLS backends are published without Endpoints; a test that needs them publishes their
 * Endpoints with {@link #endpoints}. Everything else (Namespaces, Gateways, routes, grants) is the
 * upstream text, with {@code {GATEWAY_CLASS_NAME}} replaced by {@link #CLASS}.
 */
public final class GatewayApiConformance implements AutoCloseable {
  public static final String CLASS = "edgegw";
  public static final String CONTROLLER = "edgegw.io/gateway-controller";
  public static final String INFRA_NS = "gateway-conformance-infra";
  public static final String APP_NS = "gateway-conformance-app-backend";
  public static final String WEB_NS = "gateway-conformance-web-backend";
  /** The CN of Secret {@code tls-validity-checks-certificate} (see {@link #publishTlsSecrets}). */
  public static final String VALIDITY_CN = "tls-validity-checks-certificate.test";
  /** The CN of Secret {@code certificate} in {@link #WEB_NS} (see {@link #publishTlsSecrets}). */
  public static final String CERTIFICATE_CN = "certificate.test";

  private static final String ROOT = "/gateway-api-conformance/";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Workloads: replaced by loopback servers here. */
  private static final Set<String> NOT_PUBLISHED = Set.of("Deployment");
  /** Kinds the sidecar reads; the harness refuses to drop any other silently. */
  private static final Set<String> PUBLISHED =
      Set.of("Namespace", "Service", "Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute",
          "ReferenceGrant", "ListenerSet", "BackendTLSPolicy", "Secret", "ConfigMap",
          "EndpointSlice");

  private final EdgeGateway gateway;
  private final Map<String, HttpBackend> backends;
  private final Set<String> skippedKinds;

  private GatewayApiConformance(EdgeGateway gateway, Map<String, HttpBackend> backends, Set<String> skippedKinds) {
    this.gateway = gateway;
    this.backends = backends;
    this.skippedKinds = skippedKinds;
  }

  /** A sidecar and Envoy with the base manifests applied. */
  public static GatewayApiConformance start() throws Exception {
    return start(b -> b, Set.of());
  }

  /**
   * @param skippedKinds kinds of the base and test manifests not published (for a kind the sidecar
   *     cannot read yet, e.g. {@code Namespace}); every test that skips one says so
   */
  public static GatewayApiConformance start(UnaryOperator<SidecarConfig.Builder> settings, Set<String> skippedKinds)
      throws Exception {
    Map<String, HttpBackend> backends = new LinkedHashMap<>();
    EdgeGateway gateway = null;
    try {
      gateway = EdgeGateway.start(settings);
      GatewayApiConformance suite = new GatewayApiConformance(gateway, backends, skippedKinds);
      StringBuilder out = new StringBuilder(gatewayClass());
      for (ObjectNode doc : documents(resource("base/manifests.yaml"))) {
        String kind = doc.path("kind").asText();
        if (kind.equals("Service") && isHttpBackend(doc)) {
          String name = doc.path("metadata").path("name").asText();
          HttpBackend backend = HttpBackend.start(name);
          backends.put(doc.path("metadata").path("namespace").asText() + "/" + name, backend);
          out.append("---\n").append(created(doc)).append("\n---\n").append(endpointsFor(doc, backend.port()));
        } else if (suite.published(kind)) {
          out.append("---\n").append(created(doc)).append('\n');
        }
      }
      gateway.publish(out.toString());
      return suite;
    } catch (Exception | AssertionError e) {
      EdgeGateway.closeAll(backends.values().toArray(AutoCloseable[]::new));
      EdgeGateway.closeAll(gateway);
      throw e;
    }
  }

  /** Publishes a test's manifest, e.g. {@code tests/httproute-simple-same-namespace.yaml}. */
  public void apply(String manifest) {
    gateway.publish(text(manifest));
  }

  /**
   * Publishes the objects of a test's manifest whose {@code metadata.name} {@code names} accepts
   * (e.g. one of several Gateways, which share the one Envoy's ports here but have an address each
   * upstream).
   */
  public void apply(String manifest, Predicate<String> names) {
    gateway.publish(text(manifest, names));
  }

  /** The manifest's documents as published (class name replaced, skipped kinds left out), as YAML. */
  public String text(String manifest) {
    return text(manifest, name -> true);
  }

  private String text(String manifest, Predicate<String> names) {
    StringBuilder out = new StringBuilder();
    for (ObjectNode doc : documents(resource(manifest))) {
      if (published(doc.path("kind").asText()) && names.test(doc.path("metadata").path("name").asText())) {
        out.append("---\n").append(created(doc)).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Publishes the TLS Secrets upstream's suite creates in Go before the tests
   * ({@code tls-validity-checks-certificate} in {@link #INFRA_NS} for {@code *}, {@code *.org},
   * {@code *.wildcard.org}; {@code certificate} in {@link #WEB_NS} for {@code *}), issued by a
   * throwaway CA in {@code dir}. A Java client accepts neither {@code *} nor a wildcard for every
   * host, so each certificate names {@code hosts} (those the test connects to) instead of {@code *};
   * the CNs tell them apart: {@value #VALIDITY_CN} and {@value #CERTIFICATE_CN}.
   *
   * @return the CA, for clients to trust (e.g. {@link TestPki#clientContext})
   */
  public TestPki publishTlsSecrets(java.nio.file.Path dir, String... hosts) {
    TestPki pki = TestPki.create(dir, "gateway api conformance CA");
    List<String> validity = new ArrayList<>(List.of(VALIDITY_CN, "*.org", "*.wildcard.org"));
    validity.addAll(List.of(hosts));
    List<String> any = new ArrayList<>(List.of(CERTIFICATE_CN));
    any.addAll(List.of(hosts));
    gateway.publish(
        TestPki.secretYaml("tls-validity-checks-certificate", INFRA_NS,
            pki.server("tls-validity-checks-certificate", validity.toArray(String[]::new)), java.util.Optional.empty())
        + "---\n"
        + TestPki.secretYaml("certificate", WEB_NS, pki.server("certificate", any.toArray(String[]::new)),
            java.util.Optional.empty()));
    return pki;
  }

  /**
   * The serving certificate upstream's suite generates for its TLS backends
   * ({@code tls-checks-certificate}): abc.example.com, with a SPIFFE URI and a second DNS name, for the
   * SAN checks of BackendTLSPolicy.
   */
  public static TestPki.Issued tlsChecksCertificate(TestPki pki) {
    return pki.serverWithSans("tls-checks-certificate", "abc.example.com",
        "DNS:abc.example.com", "URI:spiffe://abc.example.com/test-identity", "DNS:other.example.com");
  }

  /**
   * Publishes ConfigMap {@code namespace/name} with {@code ca.crt}, as upstream's suite creates
   * {@code tls-checks-ca-certificate} and {@code mismatch-ca-certificate} in Go before the tests.
   */
  public void publishCaConfigMap(String namespace, String name, String caPem) {
    ObjectNode map = JSON.createObjectNode();
    map.put("apiVersion", "v1");
    map.put("kind", "ConfigMap");
    map.putObject("metadata").put("name", name).put("namespace", namespace);
    map.putObject("data").put("ca.crt", caPem);
    gateway.publish(map + "\n");
  }

  /**
   * The WARNINGs the sidecar reports for one resource ({@code kind} as {@code /resources?kind=}
   * takes it, e.g. {@code httproutes.gateway.networking.k8s.io}); until the Gateway API status
   * conditions land, the tests check the reasons these end with, e.g. {@code (RefNotPermitted)}.
   */
  public List<String> warnings(String kind, String namespace, String name) {
    List<String> out = new ArrayList<>();
    try {
      JsonNode resources = JSON.readTree(
          gateway.admin("/resources?kind=" + kind + "&namespace=" + namespace + "&name=" + name)).path("resources");
      for (JsonNode resource : resources) {
        resource.path("warnings").forEach(w -> out.add(w.asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The manifest's documents as {@link #apply} publishes them, to change and publish one by one (as
   * an API server would, e.g. with {@code metadata.generation} set).
   */
  public List<ObjectNode> documentsOf(String manifest) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode doc : documents(resource(manifest))) {
      if (published(doc.path("kind").asText())) {
        out.add(doc);
      }
    }
    return out;
  }

  /** The one document of a test's manifest that {@link #documentsOf} gives. */
  public ObjectNode onlyDocumentOf(String manifest) {
    List<ObjectNode> docs = documentsOf(manifest);
    if (docs.size() != 1) {
      throw new IllegalStateException(manifest + " has " + docs.size() + " documents, not one");
    }
    return docs.get(0);
  }

  /** Publishes {@code doc} as the API server would hold it at {@code generation}. */
  public void publishAt(ObjectNode doc, long generation) {
    ((ObjectNode) doc.get("metadata")).put("generation", generation);
    gateway.publish(doc.toString());
  }

  /** Waits (up to 20 s) until a warning of the resource contains every one of {@code parts}; returns it. */
  public String awaitWarning(String kind, String namespace, String name, String... parts) {
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> warnings(kind, namespace, name).stream()
                .filter(w -> java.util.Arrays.stream(parts).allMatch(w::contains)).findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  /**
   * The object with {@code metadata.creationTimestamp} set to now (to the second) when it has none,
   * as the Kubernetes API server sets it on create: the specification orders routes by it (the
   * oldest route wins a conflict), so a route applied later must be younger here too.
   */
  private static ObjectNode created(ObjectNode doc) {
    ObjectNode meta = (ObjectNode) doc.get("metadata");
    if (!meta.hasNonNull("creationTimestamp")) {
      meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }
    return doc;
  }

  public EdgeGateway gateway() {
    return gateway;
  }

  /** The loopback server standing for Service {@code namespace/name}. */
  public HttpBackend backend(String namespace, String name) {
    HttpBackend backend = backends.get(namespace + "/" + name);
    if (backend == null) {
      throw new IllegalArgumentException("no HTTP backend " + namespace + "/" + name + "; have " + backends.keySet());
    }
    return backend;
  }

  /**
   * Publishes Endpoints for Service {@code namespace/name} of the base manifests at a loopback port,
   * every port of the Service pointing there (for the gRPC, TCP and TLS backends a test starts itself).
   */
  public void endpoints(String namespace, String name, int port) {
    endpoints("base/manifests.yaml", namespace, name, port);
  }

  /** As {@link #endpoints(String, String, int)}, for a Service of {@code manifest} (a test's own backends). */
  public void endpoints(String manifest, String namespace, String name, int port) {
    endpoints(manifest, namespace, name, Map.of(), port);
  }

  /**
   * Publishes Endpoints for Service {@code namespace/name} of {@code manifest} with a port per Service
   * port name ({@code ports}; the others at {@code otherPorts}), as when a Pod serves a port per
   * protocol (e.g. infra-backend-v1's h2c {@code second-port}).
   */
  public void endpoints(String manifest, String namespace, String name, Map<String, Integer> ports,
      int otherPorts) {
    for (ObjectNode doc : documents(resource(manifest))) {
      JsonNode meta = doc.path("metadata");
      if (doc.path("kind").asText().equals("Service") && meta.path("name").asText().equals(name)
          && meta.path("namespace").asText().equals(namespace)) {
        gateway.publish(endpointsFor(doc, portName -> ports.getOrDefault(portName, otherPorts)));
        return;
      }
    }
    throw new IllegalArgumentException("no Service " + namespace + "/" + name + " in " + manifest);
  }

  /**
   * Publishes EndpointSlice {@code namespace/name} of {@code manifest} with one ready endpoint, the
   * loopback address, and each of its ports at {@code port}, as upstream's HTTPRouteServiceTypes
   * patches a manual slice with a backend Pod's address.
   */
  public void endpointSlice(String manifest, String namespace, String name, int port) {
    for (ObjectNode doc : documents(resource(manifest))) {
      JsonNode meta = doc.path("metadata");
      if (doc.path("kind").asText().equals("EndpointSlice") && meta.path("name").asText().equals(name)
          && meta.path("namespace").asText().equals(namespace)) {
        ObjectNode endpoint = doc.putArray("endpoints").addObject();
        endpoint.putArray("addresses").add("127.0.0.1");
        endpoint.putObject("conditions").put("ready", true).put("serving", true).put("terminating", false);
        doc.withArray("ports").forEach(p -> ((ObjectNode) p).put("port", port));
        gateway.publish(created(doc) + "\n");
        return;
      }
    }
    throw new IllegalArgumentException("no EndpointSlice " + namespace + "/" + name + " in " + manifest);
  }

  @Override
  public void close() {
    EdgeGateway.closeAll(gateway);
    EdgeGateway.closeAll(backends.values().toArray(AutoCloseable[]::new));
  }

  private boolean published(String kind) {
    if (NOT_PUBLISHED.contains(kind) || skippedKinds.contains(kind)) {
      return false;
    }
    if (!PUBLISHED.contains(kind)) {
      throw new IllegalArgumentException("conformance manifest has kind " + kind + ", which the harness does not know");
    }
    return true;
  }

  private static boolean isHttpBackend(ObjectNode service) {
    String name = service.path("metadata").path("name").asText();
    return name.startsWith("infra-backend-") || name.startsWith("app-backend-") || name.equals("web-backend");
  }

  private static String gatewayClass() {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: %s}
        spec: {controllerName: %s}
        """.formatted(CLASS, CONTROLLER);
  }

  /** Endpoints for {@code service}: one loopback address, each Service port (by name) at {@code port}. */
  private static String endpointsFor(ObjectNode service, int port) {
    return endpointsFor(service, portName -> port);
  }

  /** Endpoints for {@code service}: one loopback address, each Service port at {@code portOf} its name. */
  private static String endpointsFor(ObjectNode service, java.util.function.ToIntFunction<String> portOf) {
    ObjectNode endpoints = JSON.createObjectNode();
    endpoints.put("apiVersion", "v1");
    endpoints.put("kind", "Endpoints");
    ObjectNode meta = endpoints.putObject("metadata");
    meta.put("name", service.path("metadata").path("name").asText());
    meta.put("namespace", service.path("metadata").path("namespace").asText());
    ObjectNode subset = endpoints.putArray("subsets").addObject();
    subset.putArray("addresses").addObject().put("ip", "127.0.0.1");
    for (JsonNode servicePort : service.path("spec").path("ports")) {
      ObjectNode endpointPort = subset.withArray("ports").addObject();
      if (servicePort.hasNonNull("name")) {
        endpointPort.put("name", servicePort.get("name").asText());
      }
      endpointPort.put("port", portOf.applyAsInt(servicePort.path("name").asText("")));
      if (servicePort.hasNonNull("appProtocol")) {
        endpointPort.put("appProtocol", servicePort.get("appProtocol").asText());
      }
    }
    return endpoints + "\n";
  }

  private static String resource(String path) {
    try (InputStream in = GatewayApiConformance.class.getResourceAsStream(ROOT + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no conformance manifest " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{GATEWAY_CLASS_NAME}", CLASS)
          .replace("{GATEWAY_CONTROLLER_NAME}", CONTROLLER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<ObjectNode> documents(String yaml) {
    List<ObjectNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        if (it.next() instanceof ObjectNode doc && doc.size() > 0) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }
}
