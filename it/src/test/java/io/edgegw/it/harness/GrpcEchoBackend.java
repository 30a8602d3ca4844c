package io.edgegw.it.harness;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on 127.0.0.1 (HTTP/2 cleartext) standing for the conformance suite's gRPC echo
 * backends: service {@value #SERVICE} with the methods {@code Echo}, {@code EchoTwo} and {@code
 * EchoThree}, each answering with its own name, so a test sees which backend a call reached.
 * Messages are opaque bytes: the suite's requests are empty EchoRequests, and no generated code is
 * needed on either side.
 */
public final class GrpcEchoBackend implements AutoCloseable {
  public static final String SERVICE = "gateway_api_conformance.echo_basic.grpcecho.GrpcEcho";
  public static final List<String> METHODS = List.of("Echo", "EchoTwo", "EchoThree");

  private final String name;
  private final Server server;

  private GrpcEchoBackend(String name, Server server) {
    this.name = name;
    this.server = server;
  }

  public static GrpcEchoBackend start(String name) {
    ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
    byte[] answer = name.getBytes(StandardCharsets.UTF_8);
    for (String method : METHODS) {
      service.addMethod(
          method(method),
          ServerCalls.asyncUnaryCall(
              (request, response) -> {
                response.onNext(answer);
                response.onCompleted();
              }));
    }
    try {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(FreePorts.loopback(), 0))
              .addService(service.build())
              .build()
              .start();
      return new GrpcEchoBackend(name, server);
    } catch (IOException e) {
      throw new UncheckedIOException("gRPC backend " + name + " cannot listen", e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Calls {@code method} of {@value #SERVICE} through {@code port} (the gateway's) with {@code
   * authority} and the metadata {@code headers}; returns the name of the backend that answered.
   * A call that fails throws {@link io.grpc.StatusRuntimeException} (e.g. UNIMPLEMENTED when no
   * route matches: Envoy's 404).
   */
  public static String call(int port, String authority, String method, Map<String, String> headers) {
    return call(
        NettyChannelBuilder.forAddress(FreePorts.LOOPBACK, port).usePlaintext().overrideAuthority(authority).build(),
        method, headers);
  }

  /**
   * As {@link #call(int, String, String, Map)}, over TLS (SNI and the name checked: {@code authority})
   * trusting only {@code caPem}; grpc-java insists on ALPN h2, so an answer proves HTTP/2 inside TLS.
   */
  public static String callTls(int port, String authority, String caPem, String method, Map<String, String> headers) {
    try {
      ChannelCredentials tls = TlsChannelCredentials.newBuilder()
          .trustManager(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))).build();
      return call(NettyChannelBuilder.forAddress(FreePorts.LOOPBACK, port, tls).overrideAuthority(authority).build(),
          method, headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String call(ManagedChannel channel, String method, Map<String, String> headers) {
    try {
      Metadata metadata = new Metadata();
      headers.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
      byte[] answer =
          ClientCalls.blockingUnaryCall(
              ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata)),
              method(method),
              CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
              new byte[0]);
      return new String(answer, StandardCharsets.UTF_8);
    } finally {
      channel.shutdownNow();
    }
  }

  private static MethodDescriptor<byte[], byte[]> method(String method) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, method))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  @Override
  public void close() {
    server.shutdownNow();
  }

  @Override
  public String toString() {
    return "GrpcEchoBackend[" + name + " on " + FreePorts.LOOPBACK + ":" + port() + "]";
  }
}
