package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.NodePolicy;
import java.util.List;
import java.util.Optional;

/**
 * The node policy's upstream rules applied to Kubernetes Endpoints (or EndpointSlices): what is
 * refused is left out, with an ERROR on the Endpoints that named it. Shared by every front end.
 */
public final class EndpointPolicy {
  private final NodePolicy policy;
  private final ImmutableList.Builder<Diagnostic> diagnostics;

  public EndpointPolicy(NodePolicy policy, ImmutableList.Builder<Diagnostic> diagnostics) {
    this.policy = policy;
    this.diagnostics = diagnostics;
  }

  /** {@code all} with the addresses the policy refuses left out. */
  public ImmutableList<Endpoints> allowed(List<Endpoints> all) {
    ImmutableList.Builder<Endpoints> out = ImmutableList.builder();
    for (Endpoints endpoints : all) {
      ImmutableList.Builder<Endpoints.Subset> subsets = ImmutableList.builder();
      boolean changed = false;
      for (Endpoints.Subset subset : endpoints.subsets()) {
        ImmutableList.Builder<Endpoints.Address> addresses = ImmutableList.builder();
        for (Endpoints.Address address : subset.addresses()) {
          Optional<String> problem = subset.ports().stream()
              .map(p -> policy.upstreamProblem(address.ip(), p.port()))
              .flatMap(Optional::stream).findFirst();
          if (problem.isPresent()) {
            diagnostics.add(Diagnostic.error(endpoints.key(), "", "address " + address.ip() + ": " + problem.get()
                + "; this address is not served"));
            changed = true;
          } else {
            addresses.add(address);
          }
        }
        subsets.add(new Endpoints.Subset(addresses.build(), subset.ports()));
      }
      out.add(changed ? new Endpoints(endpoints.key(), endpoints.serviceName(), subsets.build()) : endpoints);
    }
    return out.build();
  }
}
