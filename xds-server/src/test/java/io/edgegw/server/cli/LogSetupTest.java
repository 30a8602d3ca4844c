package io.edgegw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @Test
  void jsonFormatIsOneObjectPerLineWithTheFormattedMessage() throws Exception {
    Logger logger = context.getLogger("io.edgegw.server.ConfigLoop");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
        "rejected {}: {}", new IllegalStateException("boom\nsecond line"), new Object[] {"VirtualService default/x", "bad\nregex"});
    String line = new String(LogSetup.encoder(LogSetup.Format.json, context).encode(event), StandardCharsets.UTF_8);

    assertTrue(line.endsWith("\n"), line);
    assertEquals(-1, line.substring(0, line.length() - 1).indexOf('\n'), "one line: " + line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("WARN", json.path("level").asText());
    assertEquals("io.edgegw.server.ConfigLoop", json.path("loggerName").asText());
    assertEquals("rejected VirtualService default/x: bad\nregex", json.path("formattedMessage").asText());
    assertEquals("boom\nsecond line", json.path("throwable").path("message").asText());
    assertTrue(json.path("timestamp").asLong() > 0);
    assertFalse(json.has("arguments"), "the message is already formatted");
  }

  @Test
  void textFormatIsThePatternOfLogbackXml() {
    Logger logger = context.getLogger("io.edgegw.server.ConfigLoop");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "accepted {}", null,
        new Object[] {"Gateway default/gw"});
    String line = new String(LogSetup.encoder(LogSetup.Format.text, context).encode(event), StandardCharsets.UTF_8);
    assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ConfigLoop - accepted Gateway default/gw\\R"), line);
  }
}
