package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Translating with a {@link TranslationMemo} that remembers earlier translations gives exactly what a
 * fresh translation gives, whatever came before: resources removed and added back one at a time, in
 * random combinations, replaced by equal copies, and whole other configurations in between.
 */
class IncrementalTranslationTest {
  private final Translator translator = new Translator();

  /**
   * The golden cases, and the IR goldens of the Gateway API ({@code ir:}): the Istio front end's memo
   * per VirtualService and the Gateway API's per HTTPRoute must both never serve a stale result.
   */
  static List<String> cases() throws IOException {
    return java.util.stream.Stream.concat(GoldenTest.cases(),
        IrGoldenTest.cases().filter(n -> !n.startsWith("istio-")).map(n -> "ir:" + n)).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void removingAndAddingBackEachResource(String name) throws IOException {
    String input = input(name);
    InputSet all = GoldenTest.inputs(input);
    GatewayIdentity identity = GoldenTest.identity(input);
    TranslationMemo memo = new TranslationMemo();
    assertSame(all, identity, memo);
    for (ResourceKey key : all.resources().keySet()) {
      assertSame(GoldenTest.without(all, key), identity, memo);
      assertSame(all, identity, memo);
    }
    // Equal content in new instances: nothing may be taken for unchanged by reference alone.
    assertSame(GoldenTest.inputs(input), identity, memo);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void randomSubsets(String name) throws IOException {
    String input = input(name);
    InputSet all = GoldenTest.inputs(input);
    GatewayIdentity identity = GoldenTest.identity(input);
    List<Resource> resources = new ArrayList<>(all.resources().values());
    Random random = new Random(name.hashCode());
    TranslationMemo memo = new TranslationMemo();
    for (int step = 0; step < 25; step++) {
      ImmutableSortedMap.Builder<ResourceKey, Resource> subset = ImmutableSortedMap.naturalOrder();
      resources.stream().filter(r -> random.nextInt(4) > 0).forEach(r -> subset.put(r.key(), r));
      assertSame(new InputSet(subset.build()), identity, memo);
    }
  }

  @Test
  void everyConfigurationAfterEveryOther() throws IOException {
    TranslationMemo memo = new TranslationMemo();
    List<String> names = new ArrayList<>(cases());
    List<String> backwards = new ArrayList<>(names);
    java.util.Collections.reverse(backwards);
    for (String name : ImmutableList.<String>builder().addAll(names).addAll(backwards).build()) {
      String input = input(name);
      assertSame(GoldenTest.inputs(input), GoldenTest.identity(input), memo);
    }
  }

  @Test
  void aOneRouteChangeReusesTheOtherVirtualHosts() throws IOException {
    String input = input("bookinfo");
    InputSet all = GoldenTest.inputs(input);
    GatewayIdentity identity = GoldenTest.identity(input);
    TranslationMemo memo = new TranslationMemo();
    Translation before = translator.translate(all, identity, memo);
    ResourceKey removed = all.resources().keySet().stream().filter(k -> k.kind().name().equals("VIRTUAL_SERVICE")).findFirst().orElseThrow();
    Translation after = translator.translate(GoldenTest.without(all, removed), identity, memo);
    // Every cluster that is still there is the very instance built before: the publisher relies on it.
    after.resources().clusters().forEach(c -> assertTrue(
        before.resources().clusters().stream().anyMatch(b -> b == c), "rebuilt: " + c.getName()));
  }

  /**
   * A VirtualService of many rules (so its rules are remembered one by one: decoded, built and turned
   * into Envoy routes) edited one rule at a time, as the config loop does it: validated with the memo,
   * then translated. Edits that keep indexes, one that shifts them, rules with warnings, a delegate, a
   * catch-all in the middle (the rules after it give nothing) and back.
   */
  @Test
  void editingOneRuleOfABigVirtualServiceGivesWhatAFreshTranslationGives() {
    TranslationMemo memo = new TranslationMemo();
    GatewayIdentity identity = GoldenTest.identity("");
    List<List<String>> versions = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rules.add(rule("/r" + i + "/", "web"));
    }
    versions.add(List.copyOf(rules));
    rules.set(7, rule("/edited/", "web"));
    versions.add(List.copyOf(rules));
    rules.set(3, rule("/warn/", "nowhere")); // a destination no Service names: a warning on http[3]
    versions.add(List.copyOf(rules));
    rules.set(3, rule("/warn/", "web"));
    versions.add(List.copyOf(rules));
    rules.add(0, rule("/first/", "nowhere")); // every index shifts; the warning moves to http[0]
    versions.add(List.copyOf(rules));
    rules.set(5, "{match: [{uri: {prefix: /d}}], delegate: {name: leaves}}");
    versions.add(List.copyOf(rules));
    rules.set(9, "{route: [{destination: {host: web}}]}"); // a catch-all: later rules are unreachable
    versions.add(List.copyOf(rules));
    rules.set(15, rule("/after-catch-all/", "nowhere"));
    versions.add(List.copyOf(rules));
    rules.set(9, rule("/r9/", "web"));
    versions.add(List.copyOf(rules));
    rules.set(2, "{match: [{uri: {prefix: /bad}}], route: [{destination: {host: web}}], timeout: forever}");
    versions.add(List.copyOf(rules)); // rejected by validation; the translation leaves it out
    rules.remove(2);
    versions.add(List.copyOf(rules));
    versions.add(versions.get(0));
    for (List<String> version : versions) {
      InputSet inputs = GoldenTest.inputs(bigConfig(version));
      Resource big = inputs.resources().values().stream().filter(r -> r.key().name().equals("big")).findFirst()
          .orElseThrow();
      assertEquals(translator.validate(big), translator.validate(big, memo));
      assertSame(inputs, identity, memo);
    }
  }

  private static String rule(String prefix, String host) {
    return "{match: [{uri: {prefix: " + prefix + "}}], timeout: 3s, route: [{destination: {host: " + host + "}}]}";
  }

  private static String bigConfig(List<String> rules) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          selector: {istio: edgegateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: big, namespace: default}
        spec:
          hosts: [big.example.com]
          gateways: [gw]
          http: [%s]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: leaves, namespace: default}
        spec:
          http:
          - match: [{uri: {prefix: /d/a}}]
            route: [{destination: {host: web}}]
          - route: [{destination: {host: nowhere}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          ports: [{port: 80}]
        """.formatted(String.join(", ", rules));
  }

  private void assertSame(InputSet inputs, GatewayIdentity identity, TranslationMemo memo) {
    Translation fresh = translator.translate(inputs, identity);
    Translation remembered = translator.translate(inputs, identity, memo);
    assertEquals(fresh.diagnostics(), remembered.diagnostics(), "diagnostics of " + inputs.resources().keySet());
    assertEquals(EnvoyJson.toYaml(fresh.resources()), EnvoyJson.toYaml(remembered.resources()), "resources of " + inputs.resources().keySet());
    assertEquals(fresh.statuses(), remembered.statuses(), "statuses of " + inputs.resources().keySet());
    assertEquals(fresh, remembered);
  }

  private static String input(String name) throws IOException {
    return Files.readString(name.startsWith("ir:") ? IrGoldenTest.ROOT.resolve(name.substring(3)).resolve("input.yaml")
        : GoldenTest.ROOT.resolve(name).resolve("input.yaml"));
  }
}
