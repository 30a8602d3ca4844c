package io.edgegw.fleet.cli;

import java.time.Duration;

/** {@code 500ms}, {@code 2s}, {@code 1m}: the duration syntax of the other commands. */
final class Durations {
  private Durations() {}

  static Duration parse(String text) {
    String t = text.strip();
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      if (t.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 500ms, 2s, 1m)");
  }
}
