package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Same input, same output: callers compare and cache translations by content. */
class DeterminismTest {
  static java.util.stream.Stream<String> cases() throws java.io.IOException {
    return GoldenTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translatingTwiceGivesEqualProtos(String name) throws Exception {
    String input = Files.readString(GoldenTest.ROOT.resolve(name).resolve("input.yaml"));
    Translation first = new Translator().translate(GoldenTest.inputs(input), GoldenTest.identity(input));
    Translation second = new Translator().translate(GoldenTest.inputs(input), GoldenTest.identity(input));
    assertEquals(first, second);
    assertEquals(first.resources().listeners().stream().map(m -> m.toByteString()).toList(),
        second.resources().listeners().stream().map(m -> m.toByteString()).toList());
    assertEquals(EnvoyJson.toYaml(first.resources()), EnvoyJson.toYaml(second.resources()));
  }
}
