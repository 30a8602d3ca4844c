package io.edgegw.translator.frontend;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;

/**
 * One API's inputs (Istio's, the Gateway API's) to a piece of the IR. Several front ends translate the
 * same input set side by side; {@link IrMerger} joins their pieces into one {@code GatewayConfig} and
 * reports what two of them both claim. A front end sees only its decoded inputs ({@code I}) and the
 * Kubernetes objects shared by all, never another front end's objects or Envoy types.
 *
 * @param <I> the decoded inputs this front end reads
 */
public interface FrontEnd<I> {
  /** Diagnostics go to {@code diagnostics}, on the resource concerned, with its field path. */
  IrPiece translate(I inputs, GatewayIdentity identity, ImmutableList.Builder<Diagnostic> diagnostics);
}
