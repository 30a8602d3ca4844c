package io.edgegw.translator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** YAML as kubectl reads it: anchors, aliases and merge keys resolved, alias bombs refused. */
class ResourceReaderYamlTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ResourceReader reader = new ResourceReader();

  @Test
  void aliasesOfScalarsMappingsAndSequencesAreTheAnchoredValues() throws Exception {
    JsonNode spec = spec("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: default}
        spec:
          hosts: [&h "shop.local", other.local]
          http:
          - match:
            - authority: {exact: *h}
              headers: &hdr {x-a: {exact: "1"}}
            route:
            - destination: &d {host: reviews, port: {number: 9080}}
          - match:
            - headers: *hdr
            route:
            - destination: *d
          tcp: &seq []
          tls: *seq
        """);
    assertEquals("shop.local", spec.at("/http/0/match/0/authority/exact").asText());
    assertEquals(spec.at("/http/0/route/0/destination"), spec.at("/http/1/route/0/destination"));
    assertEquals(JSON.readTree("{\"host\":\"reviews\",\"port\":{\"number\":9080}}"), spec.at("/http/1/route/0/destination"));
    assertEquals(JSON.readTree("{\"x-a\":{\"exact\":\"1\"}}"), spec.at("/http/1/match/0/headers"));
    assertTrue(spec.at("/tls").isArray());
  }

  @Test
  void anAliasIsACopyNotTheSameObject() throws Exception {
    ResourceReader.Ok ok = ok("""
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec: {ports: [&p {port: 80}, *p]}
        """);
    JsonNode ports = ok.resource().manifest().at("/spec/ports");
    ((com.fasterxml.jackson.databind.node.ObjectNode) ports.get(0)).put("port", 81);
    assertEquals(80, ports.get(1).path("port").asInt());
  }

  @Test
  void mergeKeysMergeWithTheMappingsOwnKeysWinningWhereverTheyStand() throws Exception {
    JsonNode spec = spec("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: dr}
        spec:
          host: reviews
          trafficPolicy: &base
            connectionPool: {tcp: {maxConnections: 10}}
            loadBalancer: {simple: ROUND_ROBIN}
          subsets:
          - name: v1
            trafficPolicy:
              <<: *base
              loadBalancer: {simple: RANDOM}
          - name: v2
            trafficPolicy:
              loadBalancer: {simple: LEAST_REQUEST}
              <<: [*base, {outlierDetection: {consecutive5xxErrors: 3}, loadBalancer: {simple: PASSTHROUGH}}]
          - name: v3
            trafficPolicy: {"<<": *base}
        """);
    assertEquals("RANDOM", spec.at("/subsets/0/trafficPolicy/loadBalancer/simple").asText());
    assertEquals(10, spec.at("/subsets/0/trafficPolicy/connectionPool/tcp/maxConnections").asInt());
    assertEquals("LEAST_REQUEST", spec.at("/subsets/1/trafficPolicy/loadBalancer/simple").asText());
    assertEquals(10, spec.at("/subsets/1/trafficPolicy/connectionPool/tcp/maxConnections").asInt());
    assertEquals(3, spec.at("/subsets/1/trafficPolicy/outlierDetection/consecutive5xxErrors").asInt());
    assertTrue(spec.at("/subsets/0/trafficPolicy").has("connectionPool"));
    assertTrue(!spec.at("/subsets/0/trafficPolicy").has("<<"));
    // Quoted, "<<" is an ordinary key (YAML): the translator will call it an unknown field.
    assertTrue(spec.at("/subsets/2/trafficPolicy").has("<<"));
  }

  @Test
  void aMergeOfAScalarIsAnError() {
    assertFailure("""
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec: {<<: 5}
        """, "merge key <<: needs a mapping or a list of mappings, got number");
  }

  @Test
  void anUnknownOrSelfContainingAliasIsAnError() {
    assertFailure("apiVersion: v1\nkind: Service\nmetadata: {name: *n}\n", "unknown alias *n");
    assertFailure("apiVersion: v1\nkind: Service\nmetadata: &m {name: s, x: *m}\n", "unknown alias *m");
    // An alias as a mapping key (kubectl takes one of a scalar) is refused by Jackson's parser.
    assertFailure("apiVersion: v1\nkind: Service\nx: &k name\nmetadata: {*k : s}\n", "Expected a field name");
    // Anchors belong to their document.
    ImmutableList<ResourceReader.Read> reads = reader.read("""
        apiVersion: v1
        kind: Service
        metadata: {name: &n s1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: *n}
        """);
    assertInstanceOf(ResourceReader.Ok.class, reads.get(0));
    assertTrue(reads.get(1).toString().contains("unknown alias *n"), reads.get(1).toString());
  }

  @Test
  void anAliasBombIsRefusedQuicklyAndClearly() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int level = 1; level < 10; level++) {
      yaml.append("a").append(level).append(": &a").append(level).append(" [");
      for (int j = 0; j < 9; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(level - 1);
      }
      yaml.append("]\n");
    }
    long start = System.nanoTime();
    ImmutableList<ResourceReader.Read> reads = reader.read(yaml.toString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, reads.size());
    assertTrue(reads.get(0).toString().contains("aliases expand to more than 100000 nodes in one document (an alias bomb?)"),
        reads.get(0).toString());
    assertTrue(millis < 2000, millis + " ms");
  }

  @Test
  void aliasesCannotNestDeeperThanTheParserAllows() {
    StringBuilder yaml = new StringBuilder("a0: &a0 " + "[".repeat(400) + "]".repeat(400) + "\n");
    for (int level = 1; level < 5; level++) {
      yaml.append("a").append(level).append(": &a").append(level).append(" ")
          .append("[".repeat(300)).append("*a").append(level - 1).append("]".repeat(300)).append("\n");
    }
    ImmutableList<ResourceReader.Read> reads = reader.read(yaml.toString());
    assertTrue(reads.get(0).toString().contains("aliases nest deeper than"), reads.get(0).toString());
  }

  @Test
  void deepNestingIsStillRefusedByTheParsersLimit() {
    for (String text : List.of("a: " + "[".repeat(20_000) + "]".repeat(20_000),
        "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000))) {
      ImmutableList<ResourceReader.Read> reads = reader.read(text);
      assertEquals(1, reads.size());
      assertTrue(reads.get(0).toString().contains("nesting depth"), reads.get(0).toString());
    }
  }

  @Test
  void withoutAliasesTheTreesAreExactlyJacksonsOwn() throws Exception {
    String yaml = """
        a: 1
        b: 3000000000
        c: 123456789012345678901234567890
        d: 1.5
        e: [true, false, null, ~, yes, "quoted", 'single', 0x1F, 0o17, 1_000, .5, -2e3]
        f: {g: {h: [1, {i: j}]}}
        k: !!binary aGVsbG8=
        l: |
          multi
          line
        m: ""
        n:
        ---
        [1, 2]
        ---
        plain scalar
        ---
        {"json": ["yes", 1.0, {"x": null}]}
        """;
    List<JsonNode> ours = new ArrayList<>();
    try (YamlDocuments docs = YamlDocuments.of(yaml)) {
      for (JsonNode n = docs.next(); n != null; n = docs.next()) {
        ours.add(n);
      }
    }
    List<JsonNode> jacksons = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll();
    assertEquals(jacksons, ours);
    assertEquals(4, ours.size());
  }

  private JsonNode spec(String yaml) {
    return ok(yaml).resource().manifest().path("spec");
  }

  private ResourceReader.Ok ok(String yaml) {
    ImmutableList<ResourceReader.Read> reads = reader.read(yaml);
    assertEquals(1, reads.size(), reads.toString());
    return assertInstanceOf(ResourceReader.Ok.class, reads.get(0), reads.get(0).toString());
  }

  private void assertFailure(String yaml, String message) {
    ImmutableList<ResourceReader.Read> reads = reader.read(yaml);
    assertEquals(1, reads.size(), reads.toString());
    ResourceReader.Failed failed = assertInstanceOf(ResourceReader.Failed.class, reads.get(0));
    assertTrue(failed.error().contains(message), failed.error());
    assertTrue(failed.error().contains("(line "), failed.error());
  }
}
