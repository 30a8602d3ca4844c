package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.kube.ConfigMap;
import io.edgegw.translator.kube.Endpoints;
import io.edgegw.translator.kube.Namespace;
import io.edgegw.translator.kube.Pod;
import io.edgegw.translator.kube.Secret;
import io.edgegw.translator.kube.Service;
import io.edgegw.translator.model.ResourceKey;

/**
 * What the Gateway API front end reads: its own kinds and the Kubernetes objects every front end
 * shares ({@code rejected}: the keys of inputs refused, so a reference to one says so).
 */
public record GatewayApiInputs(
    ImmutableList<GatewayClass> classes,
    ImmutableList<ApiGateway> gateways,
    ImmutableList<HttpRoute> routes,
    ImmutableList<ReferenceGrant> referenceGrants,
    ImmutableList<Namespace> namespaces,
    ImmutableList<Service> services,
    ImmutableList<Endpoints> endpoints,
    ImmutableList<Endpoints> endpointSlices,
    ImmutableList<Pod> pods,
    ImmutableList<Secret> secrets,
    ImmutableSet<ResourceKey> rejected,
    ImmutableList<GrpcRoute> grpcRoutes,
    ImmutableList<L4Route> l4Routes,
    ImmutableList<BackendTlsPolicy> backendTlsPolicies,
    ImmutableList<ConfigMap> configMaps,
    ImmutableList<ListenerSet> listenerSets) {}
