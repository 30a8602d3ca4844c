package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.NodePolicy;
import io.edgegw.translator.model.PathNormalization;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One folder per behaviour under {@code src/test/resources/golden}: {@code input.yaml} in,
 * {@code expected.yaml} (Envoy resources) and {@code expected-diagnostics.txt} out. Run with
 * {@code -Dgolden.update=true} to rewrite the expected files, then review the diff.
 *
 * <p>An input may start with {@code # identity: labels=istio=edgegateway bind=127.0.0.1
 * ports=80:8080 domain=cluster.local} (every part optional; labels default to istio=edgegateway).
 */
class GoldenTest {
  static final Path ROOT = Path.of("src/test/resources/golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<String> cases() throws IOException {
    return casesIn(ROOT);
  }

  /** The case directories under {@code root}, by name. */
  static Stream<String> casesIn(Path root) throws IOException {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void golden(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    String input = Files.readString(dir.resolve("input.yaml"));
    Translation translation = new Translator().translate(inputs(input), identity(input));
    String yaml = EnvoyJson.toYaml(translation.resources());
    expect(dir, "expected.yaml", yaml);
    expect(dir, "expected-diagnostics.txt", lines(translation.diagnostics()));
  }

  /** Compares {@code actual} with {@code dir/file}, or rewrites the file under {@code -Dgolden.update=true}. */
  static void expect(Path dir, String file, String actual) throws IOException {
    if (UPDATE) {
      Files.writeString(dir.resolve(file), actual);
      return;
    }
    assertEquals(Files.readString(dir.resolve(file)), actual, dir.getFileName() + "/" + file);
  }

  /** One diagnostic a line, as the expected-diagnostics.txt files hold them. */
  static String lines(java.util.List<Diagnostic> diagnostics) {
    return diagnostics.stream().map(Diagnostic::toString).map(s -> s + "\n").collect(Collectors.joining());
  }

  /** {@code inputs} without {@code key}. */
  static InputSet without(InputSet inputs, ResourceKey key) {
    ImmutableSortedMap.Builder<ResourceKey, Resource> out = ImmutableSortedMap.naturalOrder();
    inputs.resources().forEach((k, v) -> {
      if (!k.equals(key)) {
        out.put(k, v);
      }
    });
    return new InputSet(out.build());
  }

  static InputSet inputs(String yaml) {
    ImmutableSortedMap.Builder<ResourceKey, Resource> resources = ImmutableSortedMap.naturalOrder();
    for (ResourceReader.Read read : new ResourceReader().read(yaml)) {
      if (read instanceof ResourceReader.Ok ok) {
        resources.put(ok.resource().key(), ok.resource());
      } else {
        fail("unreadable input: " + read);
      }
    }
    return new InputSet(resources.build());
  }

  static GatewayIdentity identity(String input) {
    ImmutableMap<String, String> labels = ImmutableMap.of("istio", "edgegateway");
    String bind = "0.0.0.0";
    String domain = "cluster.local";
    PathNormalization paths = PathNormalization.BASE;
    String namespace = GatewayIdentity.DEFAULT_NAMESPACE;
    ImmutableMap.Builder<Integer, Integer> ports = ImmutableMap.builder();
    String line = input.lines().filter(l -> l.startsWith("# identity:")).findFirst().orElse("");
    for (String part : line.replace("# identity:", "").trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String value = part.substring(eq + 1);
      switch (part.substring(0, eq)) {
        case "labels" -> labels = Stream.of(value.split(",")).filter(s -> !s.isEmpty())
            .collect(ImmutableMap.toImmutableMap(s -> s.substring(0, s.indexOf('=')), s -> s.substring(s.indexOf('=') + 1)));
        case "bind" -> bind = value;
        case "domain" -> domain = value;
        case "paths" -> paths = PathNormalization.valueOf(value);
        case "namespace" -> namespace = value;
        case "ports" -> Stream.of(value.split(",")).forEach(p -> ports.put(
            Integer.parseInt(p.substring(0, p.indexOf(':'))), Integer.parseInt(p.substring(p.indexOf(':') + 1))));
        default -> fail("unknown identity part " + part);
      }
    }
    return new GatewayIdentity(labels, domain, bind, ports.build(), NodePolicy.UNRESTRICTED, paths, namespace);
  }
}
