package io.edgegw.translator;

import io.edgegw.translator.ir.IrYaml;
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
 * change for them. {@code -Dgolden.update=true} rewrites the expected files.
 */
class IrGoldenTest {
  static final Path ROOT = Path.of("src/test/resources/ir-golden");

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
  }
}
