package io.edgegw.bench;

/** Binaries the benchmarks run: ENVOY_BIN and MOSQUITTO_BIN, set by bench/run. */
final class Tools {
  private Tools() {}

  static String envoy() {
    return required("ENVOY_BIN");
  }

  static String mosquitto() {
    String m = System.getenv("MOSQUITTO_BIN");
    return m == null || m.isBlank() ? "/usr/sbin/mosquitto" : m;
  }

  private static String required(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set (bench/run sets it)");
    }
    return v;
  }
}
