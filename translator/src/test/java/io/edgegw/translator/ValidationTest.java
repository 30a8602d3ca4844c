package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each validation rule gives exactly one ERROR that names the resource and the field. */
class ValidationTest {
  private final Translator translator = new Translator();

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
      """;
  private static final String VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: vs, namespace: default}
      spec:
      """;
  private static final String SE = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: se, namespace: default}
      spec:
      """;
  private static final String SERVER = "  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n";
  private static final String HOSTS = "  hosts: ['*']\n  gateways: [gw]\n";
  private static final String HTTP = "  http:\n  - route:\n    - destination: {host: web}\n";
  private static final String ROUTE = "    route:\n    - destination: {host: web}\n";

  static Stream<Arguments> invalid() {
    return Stream.of(
        // Gateway
        bad("gateway without servers", GATEWAY + "  selector: {istio: edgegateway}\n", "Gateway default/gw", "spec.servers", "at least one server"),
        bad("server without hosts", GATEWAY + "  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n",
            "Gateway default/gw", "spec.servers[0].hosts", "at least one host"),
        bad("partial wildcard server host", GATEWAY + SERVER.replace("'*'", "'a*.example.com'"),
            "Gateway default/gw", "spec.servers[0].hosts[0]", "wildcard"),
        bad("short server host", GATEWAY + SERVER.replace("'*'", "'./productpage'"),
            "Gateway default/gw", "spec.servers[0].hosts[0]", "short names"),
        bad("bad host namespace", GATEWAY + SERVER.replace("'*'", "'Bad_NS/a.example.com'"),
            "Gateway default/gw", "spec.servers[0].hosts[0]", "invalid namespace"),
        bad("duplicate port name", GATEWAY + SERVER + "  - port: {number: 81, name: http, protocol: HTTP}\n    hosts: ['*']\n",
            "Gateway default/gw", "spec.servers[1].port.name", "unique"),
        bad("missing port name", GATEWAY + SERVER.replace("name: http, ", ""), "Gateway default/gw", "spec.servers[0].port.name", "must be set"),
        bad("server port out of range", GATEWAY + SERVER.replace("number: 80", "number: 70000"),
            "Gateway default/gw", "spec.servers[0].port.number", "outside 1..65535"),
        bad("server port as string", GATEWAY + SERVER.replace("number: 80", "number: '80'"),
            "Gateway default/gw", "spec.servers[0].port.number", "expected an integer, got string \"80\""),
        bad("unknown protocol", GATEWAY + SERVER.replace("HTTP}", "HTTTP}"), "Gateway default/gw", "spec.servers[0].port.protocol", "invalid protocol"),
        bad("https without tls", GATEWAY + SERVER.replace("HTTP}", "HTTPS}"), "Gateway default/gw", "spec.servers[0].tls", "required"),
        bad("invalid tls mode", GATEWAY + SERVER.replace("HTTP}", "HTTPS}") + "    tls: {mode: STRICT, credentialName: c}\n",
            "Gateway default/gw", "spec.servers[0].tls.mode", "invalid TLS mode"),
        bad("SIMPLE without credential", GATEWAY + SERVER.replace("HTTP}", "HTTPS}") + "    tls: {mode: SIMPLE}\n",
            "Gateway default/gw", "spec.servers[0].tls.credentialName", "requires credentialName"),
        bad("invalid tls version", GATEWAY + SERVER.replace("HTTP}", "HTTPS}") + "    tls: {mode: SIMPLE, credentialName: c, minProtocolVersion: TLSV2}\n",
            "Gateway default/gw", "spec.servers[0].tls.minProtocolVersion", "invalid TLS version"),
        bad("max tls version below min", GATEWAY + SERVER.replace("HTTP}", "HTTPS}")
                + "    tls: {mode: SIMPLE, credentialName: c, minProtocolVersion: TLSV1_3, maxProtocolVersion: TLSV1_2}\n",
            "Gateway default/gw", "spec.servers[0].tls.maxProtocolVersion", "below minProtocolVersion"),
        bad("bind not an IP", GATEWAY + SERVER + "    bind: localhost\n", "Gateway default/gw", "spec.servers[0].bind", "IP address"),
        bad("unknown gateway field", GATEWAY + SERVER + "    hots: ['*']\n", "Gateway default/gw", "spec.servers[0].hots", "unknown field"),
        bad("selector not a map", GATEWAY + SERVER + "  selector: [istio]\n", "Gateway default/gw", "spec.selector", "expected an object"),
        // VirtualService
        bad("no hosts", VS + "  gateways: [gw]\n" + HTTP, "VirtualService default/vs", "spec.hosts", "at least one host"),
        bad("hosts not a list", VS + "  hosts: '*'\n", "VirtualService default/vs", "spec.hosts", "expected a list"),
        bad("partial wildcard host", VS + "  hosts: ['a*.com']\n" + HTTP,
            "VirtualService default/vs", "spec.hosts[0]", "wildcard"),
        bad("unknown spec field", VS + HOSTS + "  hostz: [a]\n", "VirtualService default/vs", "spec.hostz", "unknown field"),
        bad("rule without action", VS + HOSTS + "  http:\n  - match:\n    - uri: {prefix: /}\n",
            "VirtualService default/vs", "spec.http[0]", "needs one of route, redirect, directResponse"),
        bad("route and redirect", VS + HOSTS + "  http:\n  - redirect: {uri: /x}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0]", "only one of"),
        bad("redirect with rewrite", VS + HOSTS + "  http:\n  - redirect: {uri: /x}\n    rewrite: {uri: /y}\n",
            "VirtualService default/vs", "spec.http[0].rewrite", "cannot be used with redirect"),
        bad("negative weight", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: a}\n      weight: -1\n    - destination: {host: b}\n      weight: 50\n",
            "VirtualService default/vs", "spec.http[0].route[0].weight", "negative"),
        bad("all weights zero", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: a}\n    - destination: {host: b}\n",
            "VirtualService default/vs", "spec.http[0].route", "total destination weight is 0"),
        bad("weight as string", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: a}\n      weight: '100'\n",
            "VirtualService default/vs", "spec.http[0].route[0].weight", "expected an integer"),
        bad("destination host *", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: '*'}\n",
            "VirtualService default/vs", "spec.http[0].route[0].destination.host", "cannot be '*'"),
        bad("destination without host", VS + HOSTS + "  http:\n  - route:\n    - destination: {subset: v1}\n",
            "VirtualService default/vs", "spec.http[0].route[0].destination.host", "required"),
        bad("destination port out of range", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: a, port: {number: 0}}\n",
            "VirtualService default/vs", "spec.http[0].route[0].destination.port.number", "outside 1..65535"),
        bad("bad subset name", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: a, subset: V_1}\n",
            "VirtualService default/vs", "spec.http[0].route[0].destination.subset", "DNS label"),
        bad("match port out of range", VS + HOSTS + "  http:\n  - match:\n    - port: 65536\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].port", "outside 1..65535"),
        bad("bad regex", VS + HOSTS + "  http:\n  - match:\n    - uri: {regex: '/(a'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].uri.regex", "invalid RE2 regex: missing closing )"),
        bad("not RE2 (lookahead)", VS + HOSTS + "  http:\n  - match:\n    - headers: {x-a: {regex: '(?=a)b'}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].headers.x-a.regex", "invalid RE2 regex"),
        bad("regex too long", VS + HOSTS + "  http:\n  - match:\n    - uri: {regex: '" + "a".repeat(1025) + "'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].uri.regex", "longer than 1024"),
        bad("two kinds in one string match", VS + HOSTS + "  http:\n  - match:\n    - uri: {exact: /a, prefix: /b}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].uri", "only one of exact, prefix, regex"),
        bad("unknown string match kind", VS + HOSTS + "  http:\n  - match:\n    - uri: {prefx: /a}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].uri.prefx", "unknown field"),
        bad("invalid header name", VS + HOSTS + "  http:\n  - match:\n    - headers: {'x a': {exact: b}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].headers.x a", "invalid header name"),
        bad("timeout under 1ms", VS + HOSTS + "  http:\n  - timeout: 100us\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].timeout", "at least 1ms"),
        bad("unparsable timeout", VS + HOSTS + "  http:\n  - timeout: soon\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].timeout", "invalid duration"),
        bad("status out of range", VS + HOSTS + "  http:\n  - directResponse: {status: 600}\n",
            "VirtualService default/vs", "spec.http[0].directResponse.status", "200..599"),
        bad("redirect code not 3xx", VS + HOSTS + "  http:\n  - redirect: {uri: /x, redirectCode: 200}\n",
            "VirtualService default/vs", "spec.http[0].redirect.redirectCode", "301, 302, 303, 307, 308"),
        bad("tls rule without match", VS + HOSTS + "  tls:\n  - route:\n    - destination: {host: db}\n",
            "VirtualService default/vs", "spec.tls[0].match", "at least one match"),
        bad("sniHost outside the hosts", VS + "  hosts: [db.example.com]\n  gateways: [gw]\n  tls:\n  - match:\n    - sniHosts: [x.example.com]\n"
                + "    route:\n    - destination: {host: db}\n",
            "VirtualService default/vs", "spec.tls[0].match[0].sniHosts[0]", "not within the VirtualService hosts"),
        bad("tcp rule without route", VS + HOSTS + "  tcp:\n  - match:\n    - port: 9000\n",
            "VirtualService default/vs", "spec.tcp[0].route", "required"),
        bad("sniHosts on a tcp match", VS + HOSTS + "  tcp:\n  - match:\n    - sniHosts: [a.example.com]\n" + ROUTE,
            "VirtualService default/vs", "spec.tcp[0].match[0].sniHosts", "unknown field"),
        bad("invalid gateway name", VS + "  hosts: ['*']\n  gateways: ['a/b/c']\n", "VirtualService default/vs", "spec.gateways[0]", "invalid gateway name"),
        bad("negative retry attempts", VS + HOSTS + "  http:\n  - retries: {attempts: -1}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].retries.attempts", "negative"),
        bad("unknown retry condition", VS + HOSTS + "  http:\n  - retries: {attempts: 2, retryOn: '5xx,sometimes'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].retries.retryOn", "invalid retry condition 'sometimes'"),
        // ServiceEntry
        bad("service entry without ports", SE + "  hosts: [a.example.com]\n  resolution: DNS\n",
            "ServiceEntry default/se", "spec.ports", "at least one port"),
        bad("static endpoint not an IP", SE + "  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: a.example.com}]\n",
            "ServiceEntry default/se", "spec.endpoints[0].address", "IP address"),
        bad("static without endpoints", SE + "  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n",
            "ServiceEntry default/se", "spec.endpoints", "required with resolution STATIC"),
        bad("endpoint port of no service port", SE + "  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: 10.0.0.1, ports: {grpc: 81}}]\n",
            "ServiceEntry default/se", "spec.endpoints[0].ports.grpc", "not a port of this ServiceEntry"),
        bad("round robin with two endpoints", SE + "  hosts: [a.example.com]\n  resolution: DNS_ROUND_ROBIN\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: a1.example.com}, {address: a2.example.com}]\n",
            "ServiceEntry default/se", "spec.endpoints", "at most one endpoint"),
        bad("unknown resolution", SE + "  hosts: [a.example.com]\n  resolution: DYNAMIC\n  ports: [{number: 80, name: http}]\n",
            "ServiceEntry default/se", "spec.resolution", "invalid resolution"),
        bad("wildcard host resolved by DNS", SE + "  hosts: ['*.example.com']\n  resolution: DNS\n  ports: [{number: 80, name: http}]\n",
            "ServiceEntry default/se", "spec.hosts", "cannot be resolved by DNS"),
        // Kubernetes core kinds: unknown fields are fine, wrong types are not.
        bad("service port as string", "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  clusterIP: 10.0.0.1\n  ports: [{port: http}]\n",
            "Service default/web", "spec.ports[0].port", "expected an integer"),
        bad("endpoints ip as number", "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web, namespace: default}\nsubsets: [{addresses: [{ip: 10}]}]\n",
            "Endpoints default/web", "subsets[0].addresses[0].ip", "expected a string"));
  }

  private static Arguments bad(String rule, String yaml, String resource, String field, String message) {
    return Arguments.of(rule, yaml, resource, field, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void oneErrorNamingTheField(String rule, String yaml, String resource, String field, String message) {
    List<Diagnostic> errors = translator.validate(resource(yaml)).stream().filter(Diagnostic::isError).toList();
    assertEquals(1, errors.size(), rule + ": " + errors);
    Diagnostic error = errors.get(0);
    assertEquals(resource, error.resource().toString());
    assertEquals(field, error.field());
    assertTrue(error.message().contains(message), rule + ": message was: " + error.message());
  }

  @Test
  void validResourcesHaveNoDiagnostics() throws IOException {
    for (String name : List.of("bookinfo", "serviceentry", "endpointslice", "header-and-regex-match", "route-actions")) {
      String input = Files.readString(GoldenTest.ROOT.resolve(name).resolve("input.yaml"));
      for (ResourceReader.Read read : new ResourceReader().read(input)) {
        Resource resource = ((ResourceReader.Ok) read).resource();
        assertEquals(List.of(), translator.validate(resource), name + ": " + resource);
      }
    }
  }

  @Test
  void knownButUnsupportedFieldsAreWarnings() {
    ImmutableList<Diagnostic> diagnostics = translator.validate(resource(VS + HOSTS
        + "  http:\n  - fault: {abort: {httpStatus: 500, percentage: {value: 1}}}\n    corsPolicy: {allowOrigins: [{exact: a}]}\n" + ROUTE));
    assertEquals(List.of("spec.http[0].fault", "spec.http[0].corsPolicy"), diagnostics.stream().map(Diagnostic::field).toList());
    assertTrue(diagnostics.stream().allMatch(d -> d.severity() == Severity.WARNING && d.message().equals("not supported yet")));
  }

  @Test
  void kubernetesKindsIgnoreUnknownFields() {
    String service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
        + "spec:\n  clusterIP: 10.0.0.1\n  sessionAffinity: None\n  ports: [{port: 80, nodePort: 30080, appProtocol: http}]\nstatus: {loadBalancer: {}}\n";
    assertEquals(List.of(), translator.validate(resource(service)));
  }

  @Test
  void everyVersionOfTheIstioApiValidatesTheSame() {
    for (String version : List.of("v1", "v1beta1", "v1alpha3")) {
      String yaml = (VS + HOSTS + "  http:\n  - route:\n    - destination: {host: '*'}\n").replace("networking.istio.io/v1", "networking.istio.io/" + version);
      assertEquals(1, translator.validate(resource(yaml)).size(), version);
    }
  }

  static Resource resource(String yaml) {
    ImmutableList<ResourceReader.Read> reads = new ResourceReader().read(yaml);
    assertEquals(1, reads.size(), reads.toString());
    return ((ResourceReader.Ok) reads.get(0)).resource();
  }
}
