package io.edgegw.translator.istio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The estimate is never below the program size Envoy 1.40 reports for the same regex ("RE2 program
 * size of N" in its rejection, measured with the error level set to 1; docs/resilience.md), and stays
 * within a small factor of it for plain ASCII patterns so that ordinary regexes are never refused.
 */
class Re2ProgramSizeTest {
  @ParameterizedTest(name = "{0} (Envoy: {1})")
  @CsvSource(delimiter = ' ', value = {
      "/a{1000} 1005",
      "/[a-z]{1,200}x 405",
      "/a{100} 105",
      "(a{10}){10} 124",
      "((a{5}){5}){5} 189",
      "(ab){0,100} 504",
      "[a-z]{1,1000} 2003",
      ".{1,1000} 3003",
      "[^/]{1,100} 303",
      "\\pL{1,300} 2403",
      "(\\S{1,100}){1,10} 5023",
      "(?i)[a-zäöü]{1,500} 3003",
      "\\pL{50} 354",
      "[äöü]{50} 204",
      "\\w{50} 154",
      "\\S{50} 204",
      "(a|bc|def)* 12",
      "/api/v[0-9]+/.* 15",
      "^/a$ 4",
      "[^/]+ 7",
  })
  void neverBelowEnvoysSize(String regex, int envoy) {
    OptionalInt estimate = Re2ProgramSize.estimate(regex);
    assertTrue(estimate.isPresent(), "re2j's program could not be read: was re2j upgraded?");
    assertTrue(estimate.getAsInt() >= envoy, regex + ": estimate " + estimate.getAsInt() + " < Envoy's " + envoy);
    if (regex.chars().allMatch(c -> c < 0x80) && !regex.contains("\\p") && !regex.contains(".") && !regex.contains("^/]")
        && !regex.contains("\\S")) {
      assertTrue(estimate.getAsInt() <= 2 * envoy, regex + ": estimate " + estimate.getAsInt() + " is far over Envoy's " + envoy);
    }
  }
}
