package io.edgegw.translator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.edgegw.translator.ir.IrYaml;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests that stop at the IR (front end -> IR): one folder per behaviour under
 * {@code src/test/resources/ir-golden} with {@code input.yaml} in, {@code expected-ir.yaml} ({@link IrYaml})
 * and {@code expected-diagnostics.txt} out; inputs as in {@link GoldenTest} (same identity header).
 * A new front end's tests live here, so the Envoy back end (covered by {@link GoldenTest}) needs no
 * change for them. {@code -Dgolden.update=true} rewrites the expected files. {@code expected-status.yaml}:
 * the Gateway API objects' {@code .status}, compared where the file exists (the update writes it for every
 * case that has statuses).
 */
class IrGoldenTest {
  static final Path ROOT = Path.of("src/test/resources/ir-golden");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  static Stream<String> cases() throws IOException {
    return GoldenTest.casesIn(ROOT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void golden(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    String input = Files.readString(dir.resolve("input.yaml"));
    IrTranslation ir = new Translator().toIr(GoldenTest.inputs(input), GoldenTest.identity(input));
    String yaml = IrYaml.toYaml(ir.config());
    GoldenTest.expect(dir, "expected-ir.yaml", yaml);
    GoldenTest.expect(dir, "expected-diagnostics.txt", GoldenTest.lines(ir.diagnostics()));
    // The Gateway API objects' .status (lastTransitionTime fixed), where the case has the file: other
    // cases (Istio only) have no status to show.
    String status = statuses(ir);
    if (Files.exists(dir.resolve("expected-status.yaml")) || Boolean.getBoolean("golden.update") && !ir.statuses().isEmpty()) {
      GoldenTest.expect(dir, "expected-status.yaml", status);
    }
  }

  /** Each object's .status as YAML, under its key, in key order. */
  static String statuses(IrTranslation ir) throws IOException {
    ObjectNode all = YAML.createObjectNode();
    new TreeMap<>(ir.statuses()).forEach((key, status) ->
        all.set(key.toString(), status.toJson(Instant.EPOCH, Optional.empty())));
    return YAML.writeValueAsString(all);
  }
}
