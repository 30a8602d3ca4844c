package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.function.Function;

/**
 * What the gateway sees, as istiod for a gateway proxy in its namespace: VirtualServices, ServiceEntries
 * and DestinationRules whose {@code exportTo} leaves that namespace out do not exist for it. Delegate
 * VirtualServices are not filtered: istiod checks them against the root's namespace, not the gateway's.
 */
final class Visibility {
  private Visibility() {}

  static DecodedInputs forGateway(
      DecodedInputs inputs, String namespace, ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableList<VirtualService> virtualServices = visible(inputs.virtualServices(),
        vs -> vs.isDelegate() ? ExportTo.EVERYWHERE : vs.exportTo(), VirtualService::key, namespace, diagnostics);
    ImmutableList<ServiceEntry> serviceEntries =
        visible(
            inputs.serviceEntries(),
            ServiceEntry::exportTo,
            ServiceEntry::key,
            namespace,
            diagnostics);
    ImmutableList<DestinationRule> destinationRules = visible(inputs.destinationRules(), DestinationRule::exportTo,
        DestinationRule::key, namespace, diagnostics);
    if (virtualServices.size() == inputs.virtualServices().size()
        && serviceEntries.size() == inputs.serviceEntries().size()
        && destinationRules.size() == inputs.destinationRules().size()) {
      return inputs; // the common case: everything exported everywhere
    }
    return new DecodedInputs(
        inputs.gateways(),
        virtualServices,
        serviceEntries,
        destinationRules,
        inputs.workloadEntries(),
        inputs.services(),
        inputs.endpoints(),
        inputs.endpointSlices(),
        inputs.pods(),
        inputs.secrets(),
        inputs.rejected());
  }

  private static <T> ImmutableList<T> visible(
      ImmutableList<T> all,
      Function<T, ExportTo> exportTo,
      Function<T, ResourceKey> key,
      String namespace,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    // Built only once an item is left out: usually none is, and then the list is the one handed in.
    ImmutableList.Builder<T> out = null;
    for (int i = 0; i < all.size(); i++) {
      T item = all.get(i);
      ExportTo export = exportTo.apply(item);
      if (export.visibleTo(key.apply(item).namespace(), namespace)) {
        if (out != null) {
          out.add(item);
        }
      } else {
        if (out == null) {
          out = ImmutableList.<T>builder().addAll(all.subList(0, i));
        }
        diagnostics.add(
            Diagnostic.warning(
                key.apply(item),
                "spec.exportTo",
                "exportTo "
                    + export.entries()
                    + " does not include the gateway's namespace "
                    + namespace
                    + " (--gateway-namespace): ignored by this gateway, as istiod does"));
      }
    }
    return out == null ? all : out.build();
  }
}
