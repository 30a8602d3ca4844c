package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/** Every MQTT connection the options make sends its packets at once (TCP_NODELAY), plain or TLS. */
class NoDelaySocketsTest {
  @Test
  void plainAndTlsSocketsHaveNoDelay() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
      SocketFactory plain = PahoOptions.of(
          MqttSettings.defaults("c").withServerUri("tcp://127.0.0.1:" + server.getLocalPort()), false).getSocketFactory();
      SocketFactory tls = PahoOptions.of(
          MqttSettings.defaults("c").withServerUri("ssl://127.0.0.1:" + server.getLocalPort()), false).getSocketFactory();
      assertInstanceOf(SSLSocketFactory.class, tls, "ssl:// needs an SSLSocketFactory (Paho checks)");
      for (SocketFactory factory : new SocketFactory[] {plain, tls}) {
        // As Paho connects: an unconnected socket, then connect.
        try (Socket socket = factory.createSocket()) {
          socket.connect(address, 5000);
          assertTrue(socket.getTcpNoDelay(), factory + " left Nagle on");
        }
        try (Socket socket = factory.createSocket("127.0.0.1", server.getLocalPort())) {
          assertTrue(socket.getTcpNoDelay(), factory + " left Nagle on");
        }
      }
    }
  }
}
