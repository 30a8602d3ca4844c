package io.edgegw.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of a sample. */
record Stats(double[] sorted) {
  static Stats of(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return new Stats(a);
  }

  double p(double percentile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  int n() {
    return sorted.length;
  }
}
