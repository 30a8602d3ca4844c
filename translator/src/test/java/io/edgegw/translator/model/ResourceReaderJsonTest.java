package io.edgegw.translator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A payload that is exactly one JSON object is read by Jackson's JSON parser instead of the YAML
 * reader: the same resources must come out, and anything that is not exactly one JSON object must
 * still get the YAML reader's answer.
 */
class ResourceReaderJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ResourceReader reader = new ResourceReader();

  private static final String SERVICE = """
      {"apiVersion": "v1", "kind": "Service",
       "metadata": {"name": "a", "labels": {"x": "yes", "n": "1"}},
       "spec": {"ports": [{"port": 80, "targetPort": 8080, "weight": 1.5, "big": 123456789012345678901234567890,
                            "long": 3000000000, "flag": true, "none": null, "text": "on\\u00e9\\n"}],
                "dup": 1, "dup": 2}}
      """;

  @Test
  void jsonGivesTheSameResourcesAsTheYamlReader() throws Exception {
    String list = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" + SERVICE + ", "
        + SERVICE.replace("\"a\"", "\"b\"").replace("\"Service\"", "\"Endpoints\"") + "]}";
    for (String text : List.of(SERVICE, "  \n" + SERVICE + "\n\n", list)) {
      List<Resource> yaml = resources(yamlReads(text));
      assertEquals(yaml, resources(reader.read(text)), text);
      assertEquals(yaml, resources(reader.read(text.getBytes(StandardCharsets.UTF_8))), text);
      for (Resource r : yaml) {
        assertEquals("default", r.manifest().path("metadata").path("namespace").asText());
      }
    }
    assertEquals(2, resources(reader.read(list)).size());
    // The last of duplicate keys wins, in either reader.
    assertEquals(2, resources(reader.read(SERVICE)).get(0).spec().path("dup").asInt());
    // JSON indented with tabs is JSON (the YAML 1.1 reader refuses tabs before a token).
    assertEquals("a", ok("{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Service\",\n\t\"metadata\": {\"name\": \"a\"}}")
        .key().name());
  }

  @Test
  void whatIsNotExactlyOneJsonObjectIsStillYaml() {
    // YAML flow style starts with a brace too.
    assertEquals("a", ok("{apiVersion: v1, kind: Service, metadata: {name: a}}").key().name());
    // Two JSON documents separated as YAML documents.
    ImmutableList<ResourceReader.Read> two = reader.read(SERVICE + "---\n" + SERVICE.replace("\"a\"", "\"b\""));
    assertEquals(2, resources(two).size(), two.toString());
    // Broken JSON gets the YAML reader's error, with its position.
    ImmutableList<ResourceReader.Read> broken = reader.read("{\"apiVersion\": \"v1\", \"kind\": \"Service\",\n \"metadata\": {");
    assertEquals(1, broken.size());
    ResourceReader.Failed failed = assertInstanceOf(ResourceReader.Failed.class, broken.get(0));
    assertTrue(failed.error().startsWith("not valid YAML or JSON: "), failed.error());
    assertTrue(failed.error().contains("flow node"), failed.error());
    // A JSON object followed by more text is not one JSON value: the YAML reader answers, as before
    // (the first document, then an error for what follows it).
    ImmutableList<ResourceReader.Read> trailing = reader.read(SERVICE + " {}");
    assertEquals(2, trailing.size(), trailing.toString());
    assertInstanceOf(ResourceReader.Failed.class, trailing.get(1), trailing.toString());
  }

  @Test
  void readOneLeavesTheCallersTreeAsItWas() throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(SERVICE);
    ObjectNode before = tree.deepCopy();
    ResourceReader.Ok read = assertInstanceOf(ResourceReader.Ok.class, reader.readOne(0, tree));
    assertEquals("default", read.resource().manifest().path("metadata").path("namespace").asText());
    assertEquals(before, tree);
  }

  private ResourceReader.Ok read(String text) {
    ImmutableList<ResourceReader.Read> reads = reader.read(text);
    assertEquals(1, reads.size(), reads.toString());
    return assertInstanceOf(ResourceReader.Ok.class, reads.get(0), reads.get(0).toString());
  }

  private Resource ok(String text) {
    return read(text).resource();
  }

  /** What the YAML reader alone makes of {@code text}. */
  private List<ResourceReader.Read> yamlReads(String text) throws Exception {
    List<ResourceReader.Read> reads = new ArrayList<>();
    try (YamlDocuments docs = YamlDocuments.of(text)) {
      int document = 0;
      for (JsonNode node = docs.next(); node != null; node = docs.next()) {
        if (node.path("kind").asText().equals("List")) {
          for (JsonNode item : node.path("items")) {
            reads.add(reader.readOne(document++, item));
          }
        } else {
          reads.add(reader.readOne(document++, node));
        }
      }
    }
    return reads;
  }

  private static List<Resource> resources(List<ResourceReader.Read> reads) {
    List<Resource> out = new ArrayList<>();
    for (ResourceReader.Read read : reads) {
      out.add(assertInstanceOf(ResourceReader.Ok.class, read, read.toString()).resource());
    }
    return out;
  }
}
