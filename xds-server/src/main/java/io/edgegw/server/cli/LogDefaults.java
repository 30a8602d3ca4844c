package io.edgegw.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration, in code: one line per event on stderr (stdout stays clean for command
 * output such as translate and bootstrap), {@code EDGEGW_LOG_LEVEL} (env) for the level, the libraries'
 * chatter at WARN. Found by logback through {@code META-INF/services}; in code rather than
 * logback.xml because reading XML loads about 500 classes (a tenth of the sidecar's) and 0.1-0.2 s
 * before the sidecar can serve anything. {@code --log-format} and {@code --log-level} replace the
 * appender later ({@link LogSetup}).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogDefaults extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LogSetup.logToStderr(context, LogSetup.encoder(LogSetup.Format.text, context),
        Level.toLevel(System.getenv("EDGEGW_LOG_LEVEL"), Level.INFO));
    for (String quiet : new String[] {"io.envoyproxy.controlplane", "io.grpc", "io.netty", "io.grpc.netty.shaded"}) {
      context.getLogger(quiet).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
