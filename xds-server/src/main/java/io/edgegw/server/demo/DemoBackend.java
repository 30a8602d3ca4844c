package io.edgegw.server.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A sample backend that answers every request with its own name, so routing is visible. */
final class DemoBackend implements AutoCloseable {
  private final String name;
  private final HttpServer server;

  private DemoBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  static DemoBackend start(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = (name + " answered " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("x-backend", name);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return new DemoBackend(name, server);
  }

  String name() {
    return name;
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
