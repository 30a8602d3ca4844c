package io.edgegw.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories whose sockets have TCP_NODELAY set. Paho leaves Nagle's algorithm on, so a small
 * MQTT packet written while the previous one is still unacknowledged (a PUBACK, then a status message)
 * waits for the peer's delayed ACK, up to 40 ms on Linux: measured in {@code Propagation}, the broker's
 * side alone (mosquitto's {@code set_tcp_nodelay}) took a new host's publish-to-snapshot from p50 66 to
 * 33 ms. Every packet the sidecar sends is a whole message, so there is nothing to coalesce.
 */
final class NoDelaySockets {
  private NoDelaySockets() {}

  static SocketFactory plain(SocketFactory delegate) {
    return new SocketFactory() {
      @Override
      public Socket createSocket() throws IOException {
        return noDelay(delegate.createSocket());
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(delegate.createSocket(host, port, localHost, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
          throws IOException {
        return noDelay(delegate.createSocket(address, port, localAddress, localPort));
      }
    };
  }

  static SSLSocketFactory tls(SSLSocketFactory delegate) {
    return new SSLSocketFactory() {
      @Override
      public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
      }

      @Override
      public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
      }

      @Override
      public Socket createSocket() throws IOException {
        return noDelay(delegate.createSocket());
      }

      @Override
      public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return noDelay(delegate.createSocket(socket, host, port, autoClose));
      }

      @Override
      public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
        return noDelay(delegate.createSocket(socket, consumed, autoClose));
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(delegate.createSocket(host, port, localHost, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
          throws IOException {
        return noDelay(delegate.createSocket(address, port, localAddress, localPort));
      }
    };
  }

  private static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}
