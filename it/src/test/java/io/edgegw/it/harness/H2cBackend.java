package io.edgegw.it.harness;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamFrame;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP/2 cleartext server on 127.0.0.1 that speaks only HTTP/2 with prior knowledge (RFC 9113
 * 3.3): an HTTP/1.1 request is a protocol error to it, so an answer proves the proxy spoke HTTP/2.
 * It answers as {@link HttpBackend} does ({@code x-backend}, a JSON echo) and adds the protocol it
 * was spoken to in. {@link #get} is the matching client, for requests to Envoy in h2c.
 */
public final class H2cBackend implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 5;

  private final String name;
  private final NioEventLoopGroup group;
  private final Channel server;

  private H2cBackend(String name, NioEventLoopGroup group, Channel server) {
    this.name = name;
    this.group = group;
    this.server = server;
  }

  public static H2cBackend start(String name) {
    NioEventLoopGroup group = new NioEventLoopGroup(1, daemons("h2c-backend-" + name));
    try {
      Channel server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                  new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                      stream.pipeline().addLast(new Echo(name));
                    }
                  }));
            }
          })
          .bind(new InetSocketAddress(FreePorts.loopback(), 0)).sync().channel();
      return new H2cBackend(name, group, server);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IllegalStateException("interrupted starting h2c backend " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * One GET over a new HTTP/2 cleartext connection with prior knowledge (no HTTP/1.1 Upgrade) to
   * 127.0.0.1:{@code port}, {@code :authority} {@code host}. Response header names are lower case.
   *
   * @throws UncheckedIOException when the connection fails, is refused or the answer is late
   */
  public static HttpProbe.Response get(int port, String host, String path) {
    NioEventLoopGroup group = new NioEventLoopGroup(1, daemons("h2c-client"));
    try {
      Channel connection = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                  new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                      // The client opens streams; it never accepts one.
                    }
                  }));
            }
          })
          .connect(new InetSocketAddress(FreePorts.loopback(), port)).sync().channel();
      CompletableFuture<HttpProbe.Response> response = new CompletableFuture<>();
      Http2StreamChannel stream =
          new Http2StreamChannelBootstrap(connection).handler(new Collect(response)).open().sync().getNow();
      Http2Headers request = new DefaultHttp2Headers().method("GET").scheme("http").authority(host).path(path);
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(request, true));
      connection.closeFuture().addListener(f -> response.completeExceptionally(
          new UncheckedIOException(new java.io.IOException("connection closed before the response"))));
      return response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new UncheckedIOException("h2c GET http://" + host + path + " via 127.0.0.1:" + port + ": " + e,
          new java.io.IOException(e));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "H2cBackend[" + name + " on 127.0.0.1:" + port() + "]";
  }

  static ThreadFactory daemons(String name) {
    return r -> {
      Thread thread = new Thread(r, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Answers each request stream once it has ended (a GET ends with its headers). */
  private static final class Echo extends SimpleChannelInboundHandler<Http2StreamFrame> {
    private final String name;
    private Http2Headers request;

    Echo(String name) {
      this.name = name;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      boolean ended = false;
      if (frame instanceof Http2HeadersFrame headers) {
        request = headers.headers();
        ended = headers.isEndStream();
      } else if (frame instanceof Http2DataFrame data) {
        ended = data.isEndStream();
      }
      if (!ended || request == null) {
        return;
      }
      StringBuilder json = new StringBuilder("{\"backend\":\"").append(name).append("\",\"protocol\":\"HTTP/2.0\"")
          .append(",\"method\":\"").append(request.method()).append('"')
          .append(",\"path\":\"").append(request.path()).append('"')
          .append(",\"host\":\"").append(request.authority()).append("\"}");
      ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
      ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
          .set("content-type", "application/json").set("x-backend", name)));
      ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true));
    }
  }

  /** Collects one response stream into {@code response}. */
  private static final class Collect extends SimpleChannelInboundHandler<Http2StreamFrame> {
    private final CompletableFuture<HttpProbe.Response> response;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Map<String, String> headers = new TreeMap<>();
    private int status;

    Collect(CompletableFuture<HttpProbe.Response> response) {
      this.response = response;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      boolean ended = false;
      if (frame instanceof Http2HeadersFrame h) {
        h.headers().forEach(e -> {
          String key = e.getKey().toString().toLowerCase(Locale.ROOT);
          if (key.equals(":status")) {
            status = Integer.parseInt(e.getValue().toString());
          } else if (!key.startsWith(":")) {
            headers.merge(key, e.getValue().toString(), (a, b) -> a + "," + b);
          }
        });
        ended = h.isEndStream();
      } else if (frame instanceof Http2DataFrame d) {
        byte[] bytes = new byte[d.content().readableBytes()];
        d.content().readBytes(bytes);
        body.write(bytes, 0, bytes.length);
        ended = d.isEndStream();
      }
      if (ended) {
        response.complete(new HttpProbe.Response(status, body.toString(StandardCharsets.UTF_8), headers));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      response.completeExceptionally(cause);
    }
  }
}
