package io.edgegw.it.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** TLS connections to 127.0.0.1 with a chosen SNI, and a line exchange over any socket. */
public final class TlsClient {
  private static final int TIMEOUT_MS = 5000;

  private TlsClient() {}

  /** A connected, handshaken TLS socket; the caller closes it. Hostname checking is on, for {@code sni}. */
  public static SSLSocket connect(int port, String sni, SSLContext context) throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress(FreePorts.loopback(), port), TIMEOUT_MS);
    plain.setSoTimeout(TIMEOUT_MS);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, sni, port, true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(sni)));
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  /** The certificate the server presented. */
  public static X509Certificate peer(SSLSocket socket) throws IOException {
    return (X509Certificate) socket.getSession().getPeerCertificates()[0];
  }

  /** A plain TCP connection; the caller closes it. */
  public static Socket plain(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(FreePorts.loopback(), port), TIMEOUT_MS);
    socket.setSoTimeout(TIMEOUT_MS);
    return socket;
  }

  /** Writes one line and reads one line back (a {@link TcpEchoBackend} answers {@code name: line}). */
  public static String echo(Socket socket, String line) throws IOException {
    socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    // Not buffered across calls: read byte by byte up to the newline, so nothing is lost between lines.
    StringBuilder out = new StringBuilder();
    for (int b = socket.getInputStream().read(); b != '\n'; b = socket.getInputStream().read()) {
      if (b < 0) {
        throw new IOException("connection closed after: " + out);
      }
      out.append((char) b);
    }
    return out.toString();
  }
}
