package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/**
 * One way through a listener: for the SNI {@code serverNames} (empty: any), TLS terminated or not, then HTTP or TCP.
 */
public record FilterChain(
    ImmutableList<String> serverNames, Optional<DownstreamTls> tls, NetworkFilter filter) {}
