package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** What a matched route does: forward to clusters, redirect, or answer directly. */
public sealed interface RouteAction {

  /**
   * Forward to one cluster, or split between several by weight. {@code timeout} zero means none;
   * an empty {@code retry} means no retries at all. {@code hashPolicy} comes from the cluster's
   * consistent-hash load balancer.
   */
  record Forward(
      ImmutableList<WeightedCluster> clusters,
      Duration timeout,
      Optional<RetryPolicy> retry,
      Optional<String> prefixRewrite,
      Optional<String> hostRewrite,
      Optional<RegexRewrite> regexRewrite,
      ImmutableList<Mirror> mirrors,
      Optional<HashPolicy> hashPolicy) implements RouteAction {

    public Forward(
        ImmutableList<WeightedCluster> clusters, Duration timeout, Optional<RetryPolicy> retry,
        Optional<String> prefixRewrite, Optional<String> hostRewrite) {
      this(
          clusters,
          timeout,
          retry,
          prefixRewrite,
          hostRewrite,
          Optional.empty(),
          ImmutableList.of(),
          Optional.empty());
    }
  }

  /** {@code headers} apply only to requests sent to this cluster (and their responses). */
  record WeightedCluster(String cluster, int weight, HeaderMutations headers) {
    public WeightedCluster(String cluster, int weight) {
      this(cluster, weight, HeaderMutations.NONE);
    }
  }

  /** Rewrites the path: every match of the RE2 {@code pattern} is replaced by {@code substitution}. */
  record RegexRewrite(String pattern, String substitution) {}

  /** A copy of a share of the requests to another cluster; its answers are dropped. */
  record Mirror(String cluster, Percentage percentage) {}

  /** {@code previousHosts}: retries prefer another endpoint; {@code backoff} empty means Envoy's default. */
  record RetryPolicy(
      int numRetries, String retryOn, ImmutableList<Integer> retriableStatusCodes, Optional<Duration> perTryTimeout,
      boolean previousHosts, Optional<Duration> backoff) {
    public RetryPolicy(
        int numRetries,
        String retryOn,
        ImmutableList<Integer> retriableStatusCodes,
        Optional<Duration> perTryTimeout) {
      this(numRetries, retryOn, retriableStatusCodes, perTryTimeout, true, Optional.empty());
    }
  }

  /** {@code path} replaces the whole path; {@code prefixRewrite} only the prefix the route matched. */
  record Redirect(
      Optional<String> host,
      Optional<String> path,
      OptionalInt port,
      Optional<String> scheme,
      int code,
      Optional<String> prefixRewrite)
      implements RouteAction {
    public Redirect(
        Optional<String> host, Optional<String> path, OptionalInt port, Optional<String> scheme, int code) {
      this(host, path, port, scheme, code, Optional.empty());
    }
  }

  /** A response Envoy makes itself; the body, if any, is text ({@code body}) or bytes ({@code bytes}), never both. */
  record DirectResponse(int status, Optional<String> body, Optional<ByteString> bytes) implements RouteAction {}
}
