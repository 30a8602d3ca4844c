package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.NodePolicy;
import java.util.Optional;

/**
 * Applies the node policy's upstream rules to every endpoint a cluster could get: ServiceEntry
 * endpoints (their own or selected) and DNS hosts without endpoints (Kubernetes Endpoints:
 * {@code kube.EndpointPolicy}). What is refused is left out, with an ERROR on the resource that named it.
 */
final class UpstreamPolicy {
  private final NodePolicy policy;
  private final ImmutableList.Builder<Diagnostic> diagnostics;

  UpstreamPolicy(NodePolicy policy, ImmutableList.Builder<Diagnostic> diagnostics) {
    this.policy = policy;
    this.diagnostics = diagnostics;
  }

  /** The members of {@code entry} the policy allows, checked at every port of the entry. */
  ImmutableList<ServiceEntry.WorkloadEndpoint> allowed(
      ServiceEntry entry, ImmutableList<ServiceEntry.WorkloadEndpoint> members) {
    ImmutableList.Builder<ServiceEntry.WorkloadEndpoint> out = ImmutableList.builder();
    boolean own = entry.workloadSelector().isEmpty();
    for (int i = 0; i < members.size(); i++) {
      ServiceEntry.WorkloadEndpoint member = members.get(i);
      Optional<String> problem = Optional.empty();
      for (ServiceEntry.Port port : entry.ports()) {
        int target = member.ports().getOrDefault(port.name(), port.targetPort().orElse(port.number()));
        problem = policy.upstreamProblem(member.address(), target);
        if (problem.isPresent()) {
          break;
        }
      }
      if (problem.isPresent()) {
        String field = own ? "spec.endpoints[" + i + "].address" : "spec.workloadSelector";
        diagnostics.add(
            Diagnostic.error(
                entry.key(),
                field,
                (own ? "" : "selected endpoint " + member.address() + ": ")
                    + problem.get()
                    + "; this endpoint is not served"));
      } else {
        out.add(member);
      }
    }
    return out.build();
  }

  /** Whether {@code host} of a DNS entry without endpoints (Envoy resolves the host itself) is allowed. */
  boolean allowedHost(ServiceEntry entry, String host) {
    if (entry.resolution() == ServiceEntry.Resolution.NONE || entry.resolution() == ServiceEntry.Resolution.STATIC
        || !entry.endpoints().isEmpty() || entry.workloadSelector().isPresent()) {
      return true;
    }
    for (ServiceEntry.Port port : entry.ports()) {
      Optional<String> problem = policy.upstreamProblem(host, port.targetPort().orElse(port.number()));
      if (problem.isPresent()) {
        diagnostics.add(Diagnostic.error(entry.key(), "spec.hosts[" + entry.hosts().indexOf(host) + "]",
            problem.get() + "; this host is not served"));
        return false;
      }
    }
    return true;
  }
}
