package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.istio.Hosts;
import io.edgegw.translator.model.Kind;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decoding shared by the TLSRoute, TCPRoute and GRPCRoute decoders: {@code parentRefs}, {@code
 * hostnames} and a Service {@code backendRef}, with the same checks and messages as HTTPRoute's.
 */
final class RouteRefs {
  static final String NOT_YET = "not supported yet (docs/gateway-api.md)";
  private static final ImmutableSet<String> PARENT_REF =
      ImmutableSet.of("group", "kind", "namespace", "name", "sectionName", "port");
  private static final ImmutableSet<String> BACKEND_REF =
      ImmutableSet.of("group", "kind", "name", "namespace", "port", "weight", "filters");

  private RouteRefs() {}

  static ImmutableList<HttpRoute.ParentRef> parents(Field spec, String namespace) {
    ImmutableList.Builder<HttpRoute.ParentRef> parents = ImmutableList.builder();
    ImmutableList<Field> items = spec.get("parentRefs").items();
    for (int i = 0; i < items.size(); i++) {
      Field p = items.get(i);
      if (!p.isObject()) {
        p.error("required");
        continue;
      }
      p.allowOnly(PARENT_REF);
      String group = p.get("group").string(Kind.GatewayApi.GROUP);
      String kind = p.get("kind").string("Gateway");
      String name = p.get("name").string("");
      if (name.isEmpty()) {
        p.get("name").error("required");
        continue;
      }
      if (!group.equals(Kind.GatewayApi.GROUP) || !kind.equals("Gateway") && !kind.equals("ListenerSet")) {
        p.warning("parent " + group + "/" + kind + " is " + NOT_YET + " (only Gateway and ListenerSet); this parent"
            + " is not served");
        continue;
      }
      parents.add(
          new HttpRoute.ParentRef(
              i,
              kind.equals("Gateway") ? Kind.K8S_GATEWAY : Kind.LISTENER_SET,
              p.get("namespace").string(namespace),
              name,
              p.get("sectionName").string(),
              p.get("port").integer()));
    }
    return parents.build();
  }

  static ImmutableList<String> hostnames(Field spec) {
    ImmutableList.Builder<String> hostnames = ImmutableList.builder();
    for (Field h : spec.get("hostnames").items()) {
      h.string()
          .ifPresent(
              host -> {
                Optional<String> invalid =
                    Hosts.invalidReason(host.startsWith("*.") ? host.substring(2) : host);
                if (invalid.isPresent() || host.contains(":")) {
                  h.error(invalid.orElse("a hostname has no port or IP address"));
                } else {
                  hostnames.add(host);
                }
              });
    }
    return hostnames.build();
  }

  /**
   * A Service backend; empty (with a WARNING ending in the specification's reason) when it is
   * another kind or unusable. {@code filters} on a backendRef are left to the caller.
   */
  static Optional<HttpRoute.BackendRef> backend(Field ref, int index, String namespace) {
    if (!ref.isObject()) {
      ref.error("required");
      return Optional.empty();
    }
    ref.allowOnly(BACKEND_REF);
    String group = ref.get("group").string("");
    String kind = ref.get("kind").string("Service");
    String name = ref.get("name").string("");
    if (name.isEmpty()) {
      ref.get("name").error("required");
      return Optional.empty();
    }
    OptionalInt port = ref.get("port").integer();
    int weight = ref.get("weight").integer().orElse(1);
    if (weight < 0 || weight > 1_000_000) {
      ref.get("weight").error("must be within 0..1000000, got " + weight);
    }
    if (!group.isEmpty() || !kind.equals("Service")) {
      ref.warning(
          "backend "
              + (group.isEmpty() ? "core" : group)
              + "/"
              + kind
              + " is not supported (only Service); this backend is left out (InvalidKind)");
      return Optional.empty();
    }
    if (port.isEmpty()) {
      ref.get("port").error("required for a Service backend");
      return Optional.empty();
    }
    return Optional.of(
        new HttpRoute.BackendRef(
            index, ref.get("namespace").string(namespace), name, port.getAsInt(), weight));
  }
}
