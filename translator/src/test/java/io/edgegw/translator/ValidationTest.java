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
  private static final String DR = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: dr, namespace: default}
      spec:
        host: web
      """;
  private static final String WE = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: we, namespace: default}
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
        // VirtualService: headers, fault, mirror, CORS, rewrite, redirect, delegate
        bad("pseudo-header set", VS + HOSTS + "  http:\n  - headers: {request: {set: {':authority': a}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.request.set.:authority", "cannot be changed by header operations"),
        bad("host removed", VS + HOSTS + "  http:\n  - headers: {request: {remove: [Host]}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.request.remove[0]", "use rewrite.authority"),
        bad("invalid header operation name", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: a}\n      headers: {response: {add: {'x y': b}}}\n",
            "VirtualService default/vs", "spec.http[0].route[0].headers.response.add.x y", "invalid header name"),
        bad("lone percent in header value", VS + HOSTS + "  http:\n  - headers: {response: {set: {x-a: '100%'}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.response.set.x-a", "write a literal % as %%"),
        bad("unknown Envoy command in header value", VS + HOSTS + "  http:\n  - headers: {request: {set: {x-a: '%UPSTREAM_PEER_CERT%'}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.request.set.x-a", "unsupported Envoy command"),
        bad("unknown header operation", VS + HOSTS + "  http:\n  - headers: {request: {append: {x-a: b}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.request.append", "unknown field"),
        bad("fault without delay or abort", VS + HOSTS + "  http:\n  - fault: {}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault", "one of delay or abort"),
        bad("fault abort status out of range", VS + HOSTS + "  http:\n  - fault: {abort: {httpStatus: 600, percentage: {value: 5}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.abort.httpStatus", "200..599"),
        bad("fault percentage over 100", VS + HOSTS + "  http:\n  - fault: {abort: {httpStatus: 503, percentage: {value: 100.5}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.abort.percentage.value", "0..100"),
        bad("fault legacy percent negative", VS + HOSTS + "  http:\n  - fault: {delay: {fixedDelay: 1s, percent: -1}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.delay.percent", "0..100"),
        bad("fault delay under 1ms", VS + HOSTS + "  http:\n  - fault: {delay: {fixedDelay: 10us, percentage: {value: 5}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.delay.fixedDelay", "at least 1ms"),
        bad("fault delay without fixedDelay", VS + HOSTS + "  http:\n  - fault: {delay: {percentage: {value: 5}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.delay.fixedDelay", "required"),
        bad("unknown gRPC status", VS + HOSTS + "  http:\n  - fault: {abort: {grpcStatus: BROKEN, percentage: {value: 5}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.abort.grpcStatus", "invalid gRPC status"),
        bad("fault abort both kinds", VS + HOSTS + "  http:\n  - fault: {abort: {httpStatus: 503, grpcStatus: UNAVAILABLE, percentage: {value: 5}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].fault.abort", "only one of httpStatus, grpcStatus"),
        bad("fault with redirect", VS + HOSTS + "  http:\n  - redirect: {uri: /x}\n    fault: {abort: {httpStatus: 503, percentage: {value: 5}}}\n",
            "VirtualService default/vs", "spec.http[0].fault", "cannot be used with redirect"),
        bad("percentage as string", VS + HOSTS + "  http:\n  - mirror: {host: b}\n    mirrorPercentage: {value: '5'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].mirrorPercentage.value", "expected a number"),
        bad("mirror and mirrors", VS + HOSTS + "  http:\n  - mirror: {host: b}\n    mirrors: [{destination: {host: c}}]\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].mirrors", "only one of mirror and mirrors"),
        bad("mirrorPercentage with mirrors", VS + HOSTS + "  http:\n  - mirrors: [{destination: {host: c}}]\n    mirrorPercentage: {value: 5}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].mirrorPercentage", "applies to mirror only"),
        bad("mirror host *", VS + HOSTS + "  http:\n  - mirror: {host: '*'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].mirror.host", "cannot be '*'"),
        bad("mirrors percentage over 100", VS + HOSTS + "  http:\n  - mirrors: [{destination: {host: c}, percentage: {value: 101}}]\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].mirrors[0].percentage.value", "0..100"),
        bad("cors bad method", VS + HOSTS + "  http:\n  - corsPolicy: {allowOrigins: [{exact: a}], allowMethods: [GET, FETCH]}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.allowMethods[1]", "invalid HTTP method FETCH"),
        bad("cors bad header", VS + HOSTS + "  http:\n  - corsPolicy: {allowHeaders: ['a b']}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.allowHeaders[0]", "invalid header name"),
        bad("cors maxAge fraction", VS + HOSTS + "  http:\n  - corsPolicy: {maxAge: 1.5s}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.maxAge", "whole seconds"),
        bad("cors empty origin match", VS + HOSTS + "  http:\n  - corsPolicy: {allowOrigins: [{}]}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.allowOrigins[0]", "one of exact, prefix, regex"),
        bad("cors bad origin regex", VS + HOSTS + "  http:\n  - corsPolicy: {allowOrigins: [{regex: '(a'}]}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.allowOrigins[0].regex", "invalid RE2 regex"),
        bad("cors unknown unmatchedPreflights", VS + HOSTS + "  http:\n  - corsPolicy: {unmatchedPreflights: DROP}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.unmatchedPreflights", "FORWARD or IGNORE"),
        bad("uri and uriRegexRewrite", VS + HOSTS + "  http:\n  - rewrite: {uri: /a, uriRegexRewrite: {match: a, rewrite: b}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].rewrite.uriRegexRewrite", "only one of uri and uriRegexRewrite"),
        bad("uriRegexRewrite without rewrite", VS + HOSTS + "  http:\n  - rewrite: {uriRegexRewrite: {match: a}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].rewrite.uriRegexRewrite.rewrite", "needs both match and rewrite"),
        // Envoy's limits (issue #11): each is refused here instead of NACKed by Envoy.
        bad("regex program too large (uri)", VS + HOSTS + "  http:\n  - match:\n    - uri: {regex: '" + "\\pL{1,300}".repeat(3) + "'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].uri.regex", "too complex for Envoy"),
        bad("regex program too large (header)", VS + HOSTS + "  http:\n  - match:\n    - headers: {x-a: {regex: '" + "[^/]{1,1000}".repeat(6) + "'}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].headers.x-a.regex", "too complex for Envoy"),
        bad("regex program too large (query)", VS + HOSTS + "  http:\n  - match:\n    - queryParams: {q: {regex: '" + ".{1,1000}".repeat(6) + "'}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].queryParams.q.regex", "too complex for Envoy"),
        bad("regex program too large (authority)", VS + HOSTS + "  http:\n  - match:\n    - authority: {regex: '" + ".{1,1000}".repeat(6) + "'}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].match[0].authority.regex", "too complex for Envoy"),
        bad("regex program too large (cors)", VS + HOSTS + "  http:\n  - corsPolicy: {allowOrigins: [{regex: '" + ".{1,1000}".repeat(6) + "'}]}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].corsPolicy.allowOrigins[0].regex", "too complex for Envoy"),
        bad("regex program too large (rewrite)", VS + HOSTS + "  http:\n  - rewrite: {uriRegexRewrite: {match: '" + ".{1,1000}".repeat(6) + "', rewrite: b}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].rewrite.uriRegexRewrite.match", "too complex for Envoy"),
        bad("header value over 16 KiB", VS + HOSTS + "  http:\n  - headers: {request: {set: {x-big: '" + "v".repeat(20000) + "'}}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.request.set.x-big", "header value is 20000 bytes, over Envoy's limit of 16384"),
        bad("destination header value over 16 KiB", VS + HOSTS + "  http:\n  - route:\n    - destination: {host: web}\n      headers: {response: {add: {x-big: '" + "v".repeat(16385) + "'}}}\n",
            "VirtualService default/vs", "spec.http[0].route[0].headers.response.add.x-big", "over Envoy's limit of 16384"),
        bad("header name over 16 KiB", VS + HOSTS + "  http:\n  - headers: {response: {remove: ['" + "n".repeat(16385) + "']}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].headers.response.remove[0]", "header name is 16385 bytes"),
        bad("uriRegexRewrite bad regex", VS + HOSTS + "  http:\n  - rewrite: {uriRegexRewrite: {match: '(a', rewrite: b}}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].rewrite.uriRegexRewrite.match", "invalid RE2 regex"),
        bad("port and derivePort", VS + HOSTS + "  http:\n  - redirect: {uri: /x, port: 8080, derivePort: FROM_REQUEST_PORT}\n",
            "VirtualService default/vs", "spec.http[0].redirect.derivePort", "only one of port and derivePort"),
        bad("unknown derivePort", VS + HOSTS + "  http:\n  - redirect: {uri: /x, derivePort: FROM_MOON}\n",
            "VirtualService default/vs", "spec.http[0].redirect.derivePort", "invalid derivePort"),
        bad("backoff under 1ms", VS + HOSTS + "  http:\n  - retries: {attempts: 2, backoff: 0s}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0].retries.backoff", "at least 1ms"),
        bad("delegate with route", VS + HOSTS + "  http:\n  - delegate: {name: d}\n" + ROUTE,
            "VirtualService default/vs", "spec.http[0]", "only one of route, redirect, directResponse, delegate"),
        bad("delegate without name", VS + HOSTS + "  http:\n  - delegate: {namespace: team}\n",
            "VirtualService default/vs", "spec.http[0].delegate.name", "required"),
        bad("delegate from a delegate", VS + "  http:\n  - delegate: {name: d}\n",
            "VirtualService default/vs", "spec.http[0].delegate", "cannot delegate again"),
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
        bad("selector and endpoints", SE + "  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: 10.0.0.1}]\n  workloadSelector: {labels: {app: a}}\n",
            "ServiceEntry default/se", "spec.workloadSelector", "only one of workloadSelector and endpoints"),
        // DestinationRule
        bad("rule without host", DR.replace("  host: web\n", "  subsets: [{name: v1}]\n"), "DestinationRule default/dr", "spec.host", "required"),
        bad("partial wildcard rule host", DR.replace("host: web", "host: 'a*.example.com'"), "DestinationRule default/dr", "spec.host", "wildcard"),
        bad("subset name not a DNS label", DR + "  subsets: [{name: V_1, labels: {version: v1}}]\n",
            "DestinationRule default/dr", "spec.subsets[0].name", "DNS label"),
        bad("duplicate subset name", DR + "  subsets: [{name: v1}, {name: v1}]\n", "DestinationRule default/dr", "spec.subsets[1].name", "duplicate subset name v1"),
        bad("subset without name", DR + "  subsets: [{labels: {version: v1}}]\n", "DestinationRule default/dr", "spec.subsets[0].name", "required"),
        bad("unknown policy field", DR + "  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}, outlier: {}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.outlier", "unknown field"),
        bad("unknown simple load balancer", DR + "  trafficPolicy: {loadBalancer: {simple: FASTEST}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.loadBalancer.simple", "invalid value FASTEST"),
        bad("simple and consistent hash", DR + "  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.loadBalancer", "only one of simple and consistentHash"),
        bad("two hash keys", DR + "  trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, httpHeaderName: x-user}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.loadBalancer.consistentHash", "exactly one of"),
        bad("maglev table size not prime", DR + "  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, maglev: {tableSize: 65536}}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize", "prime"),
        bad("ring hash and maglev", DR + "  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, maglev: {}, ringHash: {}}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.loadBalancer.consistentHash", "only one of ringHash and maglev"),
        bad("cookie without name", DR + "  trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {ttl: 10s}}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name", "required"),
        bad("negative max connections", DR + "  trafficPolicy: {connectionPool: {tcp: {maxConnections: -1}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.connectionPool.tcp.maxConnections", "negative"),
        bad("negative pending requests", DR + "  subsets: [{name: v1, trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: -5}}}}]\n",
            "DestinationRule default/dr", "spec.subsets[0].trafficPolicy.connectionPool.http.http1MaxPendingRequests", "negative"),
        bad("empty connection pool", DR + "  trafficPolicy: {connectionPool: {}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.connectionPool", "set tcp or http"),
        bad("connect timeout under 1ms", DR + "  trafficPolicy: {connectionPool: {tcp: {connectTimeout: 10us}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.connectionPool.tcp.connectTimeout", "at least 1ms"),
        bad("unknown h2 upgrade policy", DR + "  trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: ALWAYS}}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.connectionPool.http.h2UpgradePolicy", "invalid value ALWAYS"),
        bad("ejection percent over 100", DR + "  trafficPolicy: {outlierDetection: {maxEjectionPercent: 101}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.outlierDetection.maxEjectionPercent", "0..100"),
        bad("negative consecutive errors", DR + "  trafficPolicy: {outlierDetection: {consecutive5xxErrors: -1}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.outlierDetection.consecutive5xxErrors", "negative"),
        bad("unparsable ejection time", DR + "  trafficPolicy: {outlierDetection: {baseEjectionTime: long}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.outlierDetection.baseEjectionTime", "invalid duration"),
        bad("port level settings without port", DR + "  trafficPolicy: {portLevelSettings: [{loadBalancer: {simple: RANDOM}}]}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.portLevelSettings[0].port", "required"),
        bad("nested port level settings", DR + "  trafficPolicy: {portLevelSettings: [{port: {number: 80}, portLevelSettings: []}]}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.portLevelSettings[0].portLevelSettings", "unknown field"),
        bad("mutual tls without credential", DR + "  trafficPolicy: {tls: {mode: MUTUAL}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.tls.credentialName", "required with mode MUTUAL"),
        bad("unknown tls mode", DR + "  trafficPolicy: {tls: {mode: STRICT}}\n",
            "DestinationRule default/dr", "spec.trafficPolicy.tls.mode", "invalid value STRICT"),
        // WorkloadEntry
        bad("workload entry without address", WE + "  labels: {app: a}\n", "WorkloadEntry default/we", "spec.address", "required"),
        bad("workload entry port out of range", WE + "  address: 10.0.0.1\n  ports: {http: 70000}\n",
            "WorkloadEntry default/we", "spec.ports.http", "outside 1..65535"),
        bad("workload entry bad address", WE + "  address: 'not an address'\n", "WorkloadEntry default/we", "spec.address", "invalid address"),
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
    for (String name : List.of("bookinfo", "serviceentry", "endpointslice", "header-and-regex-match", "route-actions",
        "header-operations", "fault-mirror-cors", "delegate", "destinationrule-subsets")) {
      String input = Files.readString(GoldenTest.ROOT.resolve(name).resolve("input.yaml"));
      for (ResourceReader.Read read : new ResourceReader().read(input)) {
        Resource resource = ((ResourceReader.Ok) read).resource();
        assertEquals(List.of(), translator.validate(resource), name + ": " + resource);
      }
    }
  }

  @Test
  void exportToTakesOnlyIstiosValues() {
    assertEquals(List.of(), translator.validate(resource(VS + HOSTS + "  exportTo: [\".\", edge]\n  http:\n  - match: [{uri: {prefix: /}}]\n" + ROUTE)));
    for (String bad : List.of("[\"*\", edge]", "[edge, edge]", "[\"~\", \".\"]", "[Not_A_Namespace]")) {
      List<Diagnostic> errors = translator.validate(resource(VS + HOSTS + "  exportTo: " + bad + "\n  http:\n  - match: [{uri: {prefix: /}}]\n" + ROUTE))
          .stream().filter(Diagnostic::isError).toList();
      assertEquals(1, errors.size(), bad + ": " + errors);
      assertTrue(errors.get(0).field().startsWith("spec.exportTo["), bad + ": " + errors);
    }
  }

  @Test
  void knownButUnsupportedFieldsAreWarnings() {
    ImmutableList<Diagnostic> diagnostics = translator.validate(resource(VS + HOSTS
        + "  exportTo: [\".\"]\n  http:\n  - match: [{statPrefix: a}]\n" + ROUTE));
    // exportTo is supported (checked against --gateway-namespace), so only statPrefix is left.
    assertEquals(List.of("spec.http[0].match[0].statPrefix"), diagnostics.stream().map(Diagnostic::field).toList());
    assertTrue(diagnostics.stream().allMatch(d -> d.severity() == Severity.WARNING && d.message().equals("not supported yet")));
  }

  @Test
  void faultsWithoutPercentageAndIgnoredFieldsAreWarnings() {
    ImmutableList<Diagnostic> diagnostics = translator.validate(resource(VS + HOSTS
        + "  http:\n  - fault: {abort: {httpStatus: 503}}\n    retries: {attempts: 1, retryRemoteLocalities: true}\n" + ROUTE));
    assertEquals(List.of("spec.http[0].retries.retryRemoteLocalities", "spec.http[0].fault.abort"),
        diagnostics.stream().map(Diagnostic::field).toList());
    assertTrue(diagnostics.stream().allMatch(d -> d.severity() == Severity.WARNING), diagnostics.toString());
  }

  @Test
  void aVirtualServiceWithoutHostsAndGatewaysIsAValidDelegate() {
    assertEquals(List.of(), translator.validate(resource(VS + HTTP)));
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

  @Test
  void podsGiveLabelsAndIpsAndIgnoreTheRest() {
    String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default, labels: {version: v1}}\n"
        + "spec: {containers: [{name: c, image: x}]}\nstatus: {phase: Running, podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.1}]}\n";
    assertEquals(List.of(), translator.validate(resource(pod)));
  }

  @Test
  void destinationRuleForSidecarsOnlyIsAWarning() {
    ImmutableList<Diagnostic> diagnostics = translator.validate(resource(DR + "  workloadSelector: {matchLabels: {app: a}}\n"));
    assertEquals(List.of("spec.workloadSelector"), diagnostics.stream().map(Diagnostic::field).toList());
    assertEquals(Severity.WARNING, diagnostics.get(0).severity());
  }

  static Resource resource(String yaml) {
    ImmutableList<ResourceReader.Read> reads = new ResourceReader().read(yaml);
    assertEquals(1, reads.size(), reads.toString());
    return ((ResourceReader.Ok) reads.get(0)).resource();
  }
}
