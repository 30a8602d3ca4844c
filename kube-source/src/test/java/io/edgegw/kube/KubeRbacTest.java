package io.edgegw.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgegw.translator.model.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * examples/kubernetes/rbac.yaml grants exactly what the source uses: list and watch of every kind it
 * reads (every {@link Kind}), patch of the status of the kinds whose status it writes, nothing else.
 * A kind added to {@link Kind} without its rule fails here, before an RBAC-limited sidecar does.
 */
class KubeRbacTest {
  private static List<JsonNode> rules(String role) throws IOException {
    Path file = Path.of("..", "examples", "kubernetes", "rbac.yaml");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode doc : yaml.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file)).readAll()) {
      if (doc.path("kind").asText().equals("ClusterRole") && doc.path("metadata").path("name").asText().equals(role)) {
        doc.path("rules").forEach(out::add);
      }
    }
    assertThat(out).as("rules of ClusterRole " + role).isNotEmpty();
    return out;
  }

  private static List<String> granted(List<JsonNode> rules, String verb) {
    List<String> out = new ArrayList<>();
    for (JsonNode rule : rules) {
      List<String> verbs = new ArrayList<>();
      rule.path("verbs").forEach(v -> verbs.add(v.asText()));
      if (verbs.contains(verb)) {
        rule.path("apiGroups").forEach(g -> rule.path("resources").forEach(r ->
            out.add(g.asText().isEmpty() ? r.asText() : r.asText() + "." + g.asText())));
      }
    }
    return out;
  }

  @Test
  void theReaderMayListAndWatchEveryKindAndNothingMore() throws IOException {
    List<JsonNode> rules = rules("edgegw-reader");
    List<String> kinds = java.util.Arrays.stream(Kind.values()).map(Kind::resourceName).toList();
    assertThat(granted(rules, "list")).containsExactlyInAnyOrderElementsOf(kinds);
    assertThat(granted(rules, "watch")).containsExactlyInAnyOrderElementsOf(kinds);
    rules.forEach(r -> assertThat(r.path("verbs").toString()).isEqualTo("[\"list\",\"watch\"]"));
  }

  @Test
  void theStatusWriterMayPatchTheStatusOfWhatItWritesAndNothingMore() throws IOException {
    List<JsonNode> rules = rules("edgegw-status-writer");
    List<String> statuses = java.util.Arrays.stream(Kind.values()).filter(KubeStatusWriter::writesStatusOf)
        .map(k -> KubeSource.plural(k) + "/status." + k.group()).toList();
    assertThat(granted(rules, "patch")).containsExactlyInAnyOrderElementsOf(statuses);
    rules.forEach(r -> assertThat(r.path("verbs").toString()).isEqualTo("[\"patch\"]"));
  }
}
