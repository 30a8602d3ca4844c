package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever the shape of a resource, validation reports it and translation carries on. */
class MalformedInputTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "kind: Gateway\nspec: []",
      "kind: Gateway\nspec: x",
      "kind: Gateway\nspec: {servers: [1, a, null, {port: 80}, {port: {number: null, protocol: 7}, hosts: [1, null]}]}",
      "kind: Gateway\nspec: {servers: {a: b}, selector: {istio: [x]}}",
      "kind: VirtualService\nspec: null",
      "kind: VirtualService\nspec: {hosts: [null, 3], http: [null, 1, {match: x, route: x}]}",
      "kind: VirtualService\nspec: {hosts: [a], http: [{match: [{uri: x, headers: [a], queryParams: {a: 1}}], route: [{destination: x}]}]}",
      "kind: VirtualService\nspec: {hosts: [a], http: [{route: [1, {destination: {host: 1, port: 80}, weight: 1.5}]}]}",
      "kind: VirtualService\nspec: {hosts: [a], http: [{redirect: [], directResponse: {status: x, body: 1}, retries: 3, timeout: 5}]}",
      "kind: ServiceEntry\nspec: {hosts: a, ports: [{number: x}], endpoints: [{address: 1, ports: [80]}], resolution: 1}",
  })
  void reportedNeverThrown(String body) {
    String kind = body.substring("kind: ".length(), body.indexOf('\n'));
    String yaml = "apiVersion: networking.istio.io/v1\nmetadata: {name: x, namespace: default}\n" + body;
    Resource resource = ValidationTest.resource(yaml);
    assertTrue(new Translator().validate(resource).stream().anyMatch(Diagnostic::isError), kind + " " + body);
    Translation translation = new Translator().translate(
        new InputSet(ImmutableSortedMap.of(resource.key(), resource)), GatewayIdentity.of(ImmutableMap.of()));
    assertFalse(translation.rejected().isEmpty());
  }
}
