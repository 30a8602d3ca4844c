package io.edgegw.it.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format (0.0.4): every line is a sample, HELP, TYPE or empty. */
public final class PrometheusText {
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)( -?\\d+)?");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  private PrometheusText() {}

  /** {@code name{labels}} (labels as printed) to value; throws on a line that is not Prometheus text. */
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
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)),
          Double.parseDouble(m.group(3).replace("+Inf", "Infinity")));
    }
    return samples;
  }
}
