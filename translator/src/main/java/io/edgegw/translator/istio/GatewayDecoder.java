package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.model.Resource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** Decodes and validates a Gateway spec (docs/istio-semantics.md section 7). */
public final class GatewayDecoder {
  private static final ImmutableSet<String> SPEC = ImmutableSet.of("selector", "servers");
  private static final ImmutableSet<String> SERVER =
      ImmutableSet.of("port", "bind", "hosts", "tls", "name", "defaultEndpoint");
  private static final ImmutableSet<String> PORT = ImmutableSet.of("number", "protocol", "name", "targetPort");
  private static final ImmutableSet<String> TLS = ImmutableSet.of(
      "httpsRedirect", "mode", "serverCertificate", "privateKey", "caCertificates", "caCrl", "credentialName",
      "credentialNames", "tlsCertificates", "subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash",
      "minProtocolVersion", "maxProtocolVersion", "cipherSuites");

  /** Ordered: a minimum above the maximum is an error. */
  static final ImmutableList<String> TLS_VERSIONS =
      ImmutableList.of("TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3");

  /** The TLS 1.0-1.2 suites Envoy (BoringSSL) accepts, as istiod lists them; TLS 1.3 suites are not configurable. */
  static final ImmutableSet<String> CIPHER_SUITES = ImmutableSet.of(
      "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
      "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
      "ECDHE-RSA-AES256-SHA", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA");

  public Gateway decode(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return new Gateway(
          resource.key(),
          resource.creationTimestamp(),
          com.google.common.collect.ImmutableMap.of(),
          ImmutableList.of());
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
    return new Gateway(
        resource.key(),
        resource.creationTimestamp(),
        com.google.common.collect.ImmutableMap.copyOf(selector),
        servers.build());
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
    } else {
      Checks.outsidePortRange(number, number.integer());
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
    boolean tlsProtocol = protocol.isPresent() && (protocol.get() == Protocol.HTTPS || protocol.get() == Protocol.TLS);
    Optional<Gateway.ServerTls> tls = tls(server.get("tls"), tlsProtocol);
    if (tlsProtocol && tls.isEmpty()) {
      server.get("tls").error("required for protocol " + protocol.get().istioName());
    }
    if (protocol.isEmpty() || !Checks.isPort(portNumber)) {
      return Optional.empty();
    }
    return Optional.of(new Gateway.Server(index, portNumber, protocol.get(), portName, bind, hosts, tls));
  }

  private Optional<Gateway.ServerTls> tls(Field tls, boolean tlsProtocol) {
    if (!tls.isObject()) {
      return Optional.empty();
    }
    tls.allowOnly(TLS);
    boolean httpsRedirect = tls.get("httpsRedirect").bool(false);
    Field modeField = tls.get("mode");
    Gateway.TlsMode mode = Gateway.TlsMode.PASSTHROUGH;
    if (modeField.present()) {
      Optional<String> text = modeField.string();
      Optional<Gateway.TlsMode> parsed = text.flatMap(m -> java.util.Arrays.stream(Gateway.TlsMode.values())
          .filter(v -> v.name().equals(m)).findFirst());
      if (text.isPresent() && parsed.isEmpty()) {
        modeField.error("invalid TLS mode " + text.get() + ", supported: PASSTHROUGH, SIMPLE, MUTUAL, OPTIONAL_MUTUAL");
      }
      mode = parsed.orElse(mode);
    }
    if (!tlsProtocol) {
      // A plain-text server only uses httpsRedirect; istiod ignores the rest there too.
      for (String name : TLS) {
        if (!name.equals("httpsRedirect") && tls.get(name).present()) {
          tls.get(name).warning("ignored: only httpsRedirect applies to a server whose protocol is not HTTPS or TLS");
        }
      }
      return Optional.of(
          new Gateway.ServerTls(
              httpsRedirect,
              mode,
              "",
              Optional.empty(),
              Optional.empty(),
              ImmutableList.of(),
              true));
    }
    String credentialName = tls.get("credentialName").string("");
    boolean files = tls.get("serverCertificate").present() || tls.get("privateKey").present();
    if (mode.terminates() && credentialName.isEmpty()) {
      if (files) {
        tls.get("serverCertificate").warning("certificate files are not supported yet (no files on an edge box): "
            + "use credentialName; this server is skipped");
      } else {
        tls.get("credentialName").error(mode + " TLS requires credentialName");
      }
    } else if (files) {
      tls.get("serverCertificate").warning("not supported yet; credentialName is used");
    }
    tls.notSupported("caCertificates", "caCrl", "credentialNames", "tlsCertificates");
    // These narrow which clients get in: ignoring them would let more in, so the server is skipped instead.
    boolean supported = !(mode.terminates() && credentialName.isEmpty());
    if (mode == Gateway.TlsMode.AUTO_PASSTHROUGH || mode == Gateway.TlsMode.ISTIO_MUTUAL) {
      modeField.warning(mode + " is for mesh traffic and not supported; this server is skipped");
      supported = false;
    }
    for (String narrowing : new String[] {"subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash"}) {
      if (tls.get(narrowing).present()) {
        tls.get(narrowing)
            .warning(
                "not supported yet; this server is skipped rather than admit clients it would refuse");
        supported = false;
      }
    }
    Optional<String> min = tlsVersion(tls.get("minProtocolVersion"));
    Optional<String> max = tlsVersion(tls.get("maxProtocolVersion"));
    if (min.isPresent() && max.isPresent() && !min.get().equals("TLS_AUTO") && !max.get().equals("TLS_AUTO")
        && TLS_VERSIONS.indexOf(min.get()) > TLS_VERSIONS.indexOf(max.get())) {
      tls.get("maxProtocolVersion")
          .error("maxProtocolVersion " + max.get() + " is below minProtocolVersion " + min.get());
    }
    ImmutableList.Builder<String> ciphers = ImmutableList.builder();
    java.util.Set<String> seen = new HashSet<>();
    for (Field item : tls.get("cipherSuites").items()) {
      item.string().ifPresent(cipher -> {
        if (!CIPHER_SUITES.contains(cipher)) {
          item.warning("unknown or unsupported cipher suite " + cipher + "; ignored");
        } else if (seen.add(cipher)) {
          ciphers.add(cipher);
        }
      });
    }
    return Optional.of(
        new Gateway.ServerTls(
            httpsRedirect, mode, credentialName, min, max, ciphers.build(), supported));
  }

  private static Optional<String> tlsVersion(Field field) {
    Optional<String> version = field.string();
    if (version.isPresent() && !TLS_VERSIONS.contains(version.get())) {
      field.error("invalid TLS version " + version.get() + ", supported: " + String.join(", ", TLS_VERSIONS));
      return Optional.empty();
    }
    return version;
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
      } else if (!ns.equals("*") && !Checks.isDnsLabel(ns)) {
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
