package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
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
      Optional<HashPolicy> hashPolicy) implements RouteAction {}

  record WeightedCluster(String cluster, int weight) {}

  record RetryPolicy(int numRetries, String retryOn, ImmutableList<Integer> retriableStatusCodes, Optional<Duration> perTryTimeout) {}

  record Redirect(Optional<String> host, Optional<String> path, OptionalInt port, Optional<String> scheme, int code) implements RouteAction {}

  record DirectResponse(int status, Optional<String> body) implements RouteAction {}
}
