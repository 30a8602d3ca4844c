package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminHostsTest {
  private final AdminHosts loopback = new AdminHosts("127.0.0.1");

  @Test
  void loopbackNamesAndAddressesWithOrWithoutAPortAreAnswered() {
    for (String host : List.of("localhost", "LOCALHOST:18001", "127.0.0.1", "127.0.0.1:18001", "127.0.0.2:9",
        "[::1]", "[::1]:18001", "[0:0:0:0:0:0:0:1]:1")) {
      assertTrue(loopback.allowed(host), host);
    }
  }

  @Test
  void otherNamesAreRefusedEvenWhenTheyResolveToLoopback() {
    for (String host : List.of("evil.example", "evil.example:18001", "localhost.evil.example", "127.0.0.1.nip.io",
        "", ":18001", "[::1", "127.0.0.1:x", "10.0.0.1", "0.0.0.0")) {
      assertFalse(loopback.allowed(host), host);
    }
  }

  @Test
  void theBoundAddressIsAnsweredByNameOrValue() {
    assertTrue(new AdminHosts("edge-node.local").allowed("Edge-Node.local:18001"));
    assertTrue(new AdminHosts("192.0.2.7").allowed("192.0.2.7:18001"));
    assertFalse(new AdminHosts("192.0.2.7").allowed("192.0.2.8"));
    assertTrue(new AdminHosts("::1").allowed("[0::1]"));
  }

  @Test
  void aWildcardBindAnswersThisMachinesAddressesButNoName() throws Exception {
    AdminHosts any = new AdminHosts("0.0.0.0");
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof java.net.Inet4Address) {
          assertTrue(any.allowed(address.getHostAddress() + ":18001"), address.toString());
        }
      }
    }
    assertFalse(any.allowed("192.0.2.200"));
    assertFalse(any.allowed("evil.example"));
  }

  @Test
  void missingHostIsFineInHttp10OnlyAndTwoHostsNever() {
    URI origin = URI.create("/healthz/ready");
    assertEquals(Optional.empty(), loopback.check("HTTP/1.0", List.of(), origin));
    assertEquals(400, loopback.check("HTTP/1.1", List.of(), origin).orElseThrow().status());
    assertEquals(400, loopback.check("HTTP/1.1", List.of("127.0.0.1", "evil.example"), origin).orElseThrow().status());
    assertEquals(Optional.empty(), loopback.check("HTTP/1.1", List.of("127.0.0.1:5"), origin));
    AdminHosts.Refusal refusal = loopback.check("HTTP/1.1", List.of("evil.example"), origin).orElseThrow();
    assertEquals(421, refusal.status());
    assertTrue(refusal.reason().contains("'evil.example'"), refusal.reason());
    // An absolute request target names its authority itself.
    assertEquals(421, loopback.check("HTTP/1.1", List.of("127.0.0.1"), URI.create("http://evil.example/x"))
        .orElseThrow().status());
  }
}
