package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MqttSettingsTest {
  @Test
  void defaultsPointAtTheNodeLocalBroker() {
    MqttSettings settings = MqttSettings.defaults("edgegw-default");
    assertEquals("tcp://127.0.0.1:1883", settings.serverUri());
    assertEquals(1024 * 1024, settings.maxPayloadBytes());
    assertTrue(settings.username().isEmpty());
    assertTrue(settings.caFile().isEmpty());
  }

  @Test
  void toStringNeverShowsThePassword() {
    String text = MqttSettings.defaults("c").withCredentials("edge", "s3cret-pass").toString();
    assertFalse(text.contains("s3cret-pass"), text);
    assertTrue(text.contains("password=<redacted>"), text);
    assertTrue(text.contains("username=edge"), text);
  }

  @Test
  void rejectsNonsense() {
    MqttSettings ok = MqttSettings.defaults("c");
    assertThrows(IllegalArgumentException.class, () -> ok.withMaxPayloadBytes(0));
    assertThrows(IllegalArgumentException.class, () -> ok.withClientId(""));
    assertThrows(IllegalArgumentException.class, () -> ok.withMaxReconnectDelay(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> ok.withSessionExpiry(Duration.ofSeconds(-1)));
  }

  @Test
  void newOptionsAreOffByDefaultAndValidated() {
    MqttSettings settings = MqttSettings.defaults("ssl://broker:8883", "c");
    assertEquals("ssl://broker:8883", settings.serverUri());
    assertTrue(settings.clientCertFile().isEmpty() && settings.kubeedgeTopic().isEmpty());
    MqttSettings configured = settings.withClientCertificate(java.nio.file.Path.of("/etc/edgegw/client.pem"),
        java.nio.file.Path.of("/etc/edgegw/client.key")).withKubeedgeTopic("$hw/events/edgegw/#");
    assertEquals("$hw/events/edgegw/#", configured.kubeedgeTopic().orElseThrow());
    assertTrue(configured.toString().contains("clientKeyFile=/etc/edgegw/client.key"), configured.toString());
    assertThrows(IllegalArgumentException.class, () -> settings.withKubeedgeTopic(" "));
  }
}
