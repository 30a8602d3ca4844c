package io.edgegw.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format (0.0.4) for tests: every sample line must parse. */
public final class PrometheusText {
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)( -?\\d+)?");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  private PrometheusText() {}

  /** {@code name{labels}} to value; throws on any line that is neither a sample nor HELP/TYPE. */
  public static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || COMMENT.matcher(line).matches()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not Prometheus text: " + line);
      }
      String labels = m.group(2) == null ? "" : m.group(2);
      samples.put(m.group(1) + labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity")));
    }
    return samples;
  }
}
