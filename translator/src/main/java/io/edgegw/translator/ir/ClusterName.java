package io.edgegw.translator.ir;

/** Istio's cluster naming, which users see in Envoy stats and config dumps: {@code outbound|port|subset|host}. */
public final class ClusterName {
  private ClusterName() {}

  public static String outbound(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }
}
