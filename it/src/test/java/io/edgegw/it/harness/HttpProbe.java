package io.edgegw.it.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 client for requests through Envoy with any Host header. java.net.http refuses to
 * set Host unless a system property is set before its first use, which a shared test JVM cannot promise;
 * a plain socket also shows exactly what Envoy answered (no redirects followed, no retries, no pooling).
 */
public final class HttpProbe {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);

  /** One response. Header names are lower case; repeated headers are joined with ",". */
  public record Response(int status, String body, Map<String, String> headers) {
    public Response {
      headers = Map.copyOf(headers);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The backend that answered (its x-backend header), or null when Envoy answered itself. */
    public String backend() {
      return header("x-backend");
    }
  }

  private HttpProbe() {}

  public static Response get(int port, String host, String path) {
    return request(port, "GET", host, path, Map.of(), null);
  }

  public static Response get(int port, String host, String path, Map<String, String> headers) {
    return request(port, "GET", host, path, headers, null);
  }

  /**
   * Sends one request on a new connection to 127.0.0.1:port ({@code Connection: close}) and reads the
   * whole response. Connecting may take 2 s, the response 5 s in all.
   *
   * @param body request body, or null for none
   * @throws UncheckedIOException when the connection fails or the response is late or malformed
   */
  public static Response request(int port, String method, String host, String path, Map<String, String> headers,
      String body) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("Connection: close\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(FreePorts.loopback(), port), (int) CONNECT_TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      return read(new DeadlineInput(socket, System.nanoTime() + RESPONSE_TIMEOUT.toNanos()), method);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " http://" + host + path + " via 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  /**
   * One GET on a connection the caller holds open (plain or TLS). Unless {@code close}, the connection
   * stays usable for another request, to show that an open connection keeps working.
   */
  public static Response get(Socket socket, String host, String path, boolean close) throws IOException {
    String head = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return read(new DeadlineInput(socket, System.nanoTime() + RESPONSE_TIMEOUT.toNanos()), "GET");
  }

  /**
   * Sends {@code n} GETs and counts the answers by backend (x-backend), or by status when Envoy answered
   * itself ("404", "503", ...).
   */
  public static Map<String, Integer> distribution(int port, String host, String path, int n) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Response response = get(port, host, path);
      String key = response.backend() != null ? response.backend() : String.valueOf(response.status());
      counts.merge(key, 1, Integer::sum);
    }
    return counts;
  }

  private static Response read(DeadlineInput in, String method) throws IOException {
    String statusLine = in.line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String line = in.line(); !line.isEmpty(); line = in.line()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
            (a, b) -> a + "," + b);
      }
    }
    byte[] body;
    if (method.equals("HEAD") || status == 204 || status == 304 || status < 200) {
      body = new byte[0];
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = in.chunked();
    } else if (headers.containsKey("content-length")) {
      body = in.exactly(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.untilEof();
    }
    return new Response(status, new String(body, StandardCharsets.UTF_8), headers);
  }

  /** Reads from a socket with one deadline for the whole response, not one per read. */
  private static final class DeadlineInput {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;

    DeadlineInput(Socket socket, long deadlineNanos) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.deadline = deadlineNanos;
    }

    int read() throws IOException {
      arm();
      return in.read();
    }

    String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = read(); b != '\n'; b = read()) {
        if (b < 0) {
          throw new IOException("connection closed mid-line after: " + line.toString(StandardCharsets.ISO_8859_1));
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    byte[] exactly(int length) throws IOException {
      byte[] bytes = new byte[length];
      for (int off = 0; off < length; ) {
        arm();
        int n = in.read(bytes, off, length - off);
        if (n < 0) {
          throw new IOException("connection closed after " + off + " of " + length + " body bytes");
        }
        off += n;
      }
      return bytes;
    }

    byte[] chunked() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semicolon = size.indexOf(';');
        int length = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
        if (length == 0) {
          // Trailers, if any, end with an empty line.
          String trailer;
          do {
            trailer = line();
          } while (!trailer.isEmpty());
          return body.toByteArray();
        }
        body.write(exactly(length));
        line();
      }
    }

    byte[] untilEof() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      while (true) {
        arm();
        int n = in.read(buffer);
        if (n < 0) {
          return body.toByteArray();
        }
        body.write(buffer, 0, n);
      }
    }

    private void arm() throws IOException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no complete response within " + RESPONSE_TIMEOUT.toMillis() + " ms");
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
    }
  }
}
