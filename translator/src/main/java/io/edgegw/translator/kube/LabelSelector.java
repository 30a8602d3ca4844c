package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.decode.Field;
import java.util.Map;

/**
 * A Kubernetes label selector ({@code matchLabels} and {@code matchExpressions}, all ANDed), as
 * the Gateway API's {@code allowedRoutes.namespaces.selector} uses it. An empty selector selects
 * everything, as in Kubernetes.
 */
public record LabelSelector(
    ImmutableSortedMap<String, String> matchLabels, ImmutableList<Expression> matchExpressions) {

  /** {@code key operator values}; operator In, NotIn, Exists or DoesNotExist. */
  public record Expression(String key, String operator, ImmutableSet<String> values) {
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        default -> value == null; // DoesNotExist: the decoder allows no other operator
      };
    }
  }

  public boolean matches(Map<String, String> labels) {
    for (Map.Entry<String, String> e : matchLabels.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return matchExpressions.stream().allMatch(x -> x.matches(labels));
  }

  /** Decodes {@code field} (an object), reporting wrong operators and values as ERRORs. */
  public static LabelSelector decode(Field field) {
    field.allowOnly(ImmutableSet.of("matchLabels", "matchExpressions"));
    ImmutableList.Builder<Expression> expressions = ImmutableList.builder();
    for (Field x : field.get("matchExpressions").items()) {
      if (!x.isObject()) {
        x.error("required");
        continue;
      }
      x.allowOnly(ImmutableSet.of("key", "operator", "values"));
      String key = x.get("key").string("");
      if (key.isEmpty()) {
        x.get("key").error("required");
      }
      String operator = x.get("operator").string("");
      ImmutableSet<String> values = ImmutableSet.copyOf(x.get("values").strings());
      switch (operator) {
        case "In", "NotIn" -> {
          if (values.isEmpty()) {
            x.get("values").error("required (non-empty) for operator " + operator);
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (!values.isEmpty()) {
            x.get("values").error("must be empty for operator " + operator);
          }
        }
        default ->
            x.get("operator")
                .error("must be In, NotIn, Exists or DoesNotExist, got '" + operator + "'");
      }
      expressions.add(new Expression(key, operator, values));
    }
    return new LabelSelector(field.get("matchLabels").stringMap(), expressions.build());
  }
}
