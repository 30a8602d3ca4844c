package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.ResourceKey;

/** A Kubernetes Pod as far as the gateway cares: its labels and IPs ({@code status.podIP(s)}). */
public record Pod(ResourceKey key, ImmutableSortedMap<String, String> labels, ImmutableList<String> ips) {}
