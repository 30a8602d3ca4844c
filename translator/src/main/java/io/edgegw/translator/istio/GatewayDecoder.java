package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.model.Resource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Decodes and validates a Gateway spec (istio-gateway-semantics.md section 7). */
public final class GatewayDecoder {
  private static final ImmutableSet<String> SPEC = ImmutableSet.of("selector", "servers");
  private static final ImmutableSet<String> SERVER = ImmutableSet.of("port", "bind", "hosts", "tls", "name", "defaultEndpoint");
  private static final ImmutableSet<String> PORT = ImmutableSet.of("number", "protocol", "name", "targetPort");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public Gateway decode(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return new Gateway(resource.key(), resource.creationTimestamp(), com.google.common.collect.ImmutableMap.of(), ImmutableList.of());
    }
    spec.allowOnly(SPEC);
    var selector = spec.get("selector").stringMap();
    ImmutableList<Field> serverFields = spec.get("servers").items();
    if (spec.get("servers").isEmptyList()) {
      spec.get("servers").error("a Gateway needs at least one server");
    }
    ImmutableList.Builder<Gateway.Server> servers = ImmutableList.builder();
    Set<String> portNames = new HashSet<>();
    for (int i = 0; i < serverFields.size(); i++) {
      server(i, serverFields.get(i), resource.key().namespace(), portNames).ifPresent(servers::add);
    }
    return new Gateway(resource.key(), resource.creationTimestamp(), com.google.common.collect.ImmutableMap.copyOf(selector), servers.build());
  }

  private Optional<Gateway.Server> server(int index, Field server, String namespace, Set<String> portNames) {
    if (!server.isObject()) {
      return Optional.empty();
    }
    server.allowOnly(SERVER);
    server.notSupported("defaultEndpoint");
    Field port = server.get("port");
    if (!port.isObject()) {
      port.error("required");
      return Optional.empty();
    }
    port.allowOnly(PORT);
    Field number = port.get("number");
    int portNumber = number.integer().orElse(0);
    if (!number.present()) {
      number.error("required");
    } else if (number.integer().isPresent() && (portNumber < 1 || portNumber > 65535)) {
      number.error("port " + portNumber + " is outside 1..65535");
    }
    if (port.get("targetPort").present()) {
      port.get("targetPort").warning("targetPort has no effect on Gateways");
    }
    Field protocolField = port.get("protocol");
    Optional<Protocol> protocol = protocolField.string().flatMap(Protocol::parse);
    if (!protocolField.present()) {
      protocolField.error("required");
    } else if (protocolField.string().isPresent() && protocol.isEmpty()) {
      protocolField.error("invalid protocol " + protocolField.string().get()
          + ", supported: HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TLS, TCP, MONGO, MYSQL, REDIS");
    }
    Field name = port.get("name");
    String portName = name.string("");
    if (portName.isEmpty()) {
      name.error("port name must be set");
    } else if (!portNames.add(portName)) {
      name.error("port names in servers must be unique: duplicate name " + portName);
    }
    String bind = server.get("bind").string("");
    if (!bind.isEmpty() && !InetAddresses.isInetAddress(bind)) {
      server.get("bind").error("bind must be an IP address, got " + bind);
    }
    ImmutableList<Gateway.ServerHost> hosts = hosts(server.get("hosts"), namespace);
    boolean hasTls = server.get("tls").isObject();
    if (protocol.isPresent() && (protocol.get() == Protocol.HTTPS || protocol.get() == Protocol.TLS) && !hasTls) {
      server.get("tls").error("required for protocol " + protocol.get().istioName());
    }
    if (protocol.isEmpty() || portNumber < 1 || portNumber > 65535) {
      return Optional.empty();
    }
    return Optional.of(new Gateway.Server(index, portNumber, protocol.get(), portName, bind, hosts, hasTls));
  }

  private ImmutableList<Gateway.ServerHost> hosts(Field hostsField, String gatewayNamespace) {
    ImmutableList<Field> items = hostsField.items();
    if (hostsField.isEmptyList()) {
      hostsField.error("a server needs at least one host");
    }
    ImmutableList.Builder<Gateway.ServerHost> out = ImmutableList.builder();
    for (Field item : items) {
      Optional<String> raw = item.string();
      if (raw.isEmpty()) {
        continue;
      }
      String value = raw.get();
      int slash = value.indexOf('/');
      String ns = slash < 0 ? "*" : value.substring(0, slash);
      String host = slash < 0 ? value : value.substring(slash + 1);
      if (ns.equals(".")) {
        ns = gatewayNamespace;
      } else if (!ns.equals("*") && !DNS_LABEL.matcher(ns).matches()) {
        item.error("invalid namespace '" + ns + "' in host " + value + ": use '*', '.' or a namespace name");
        continue;
      }
      Optional<String> invalid = Hosts.invalidReason(host);
      if (invalid.isPresent()) {
        item.error(invalid.get());
        continue;
      }
      if (!host.equals("*") && !host.contains(".")) {
        item.error("short names (non FQDN) are not allowed in Gateway server hosts: " + host);
        continue;
      }
      out.add(new Gateway.ServerHost(ns, host));
    }
    return out.build();
  }
}
