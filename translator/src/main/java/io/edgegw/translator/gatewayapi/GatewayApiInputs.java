package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.kube.Endpoints;
import io.edgegw.translator.kube.Pod;
import io.edgegw.translator.kube.Service;

/** What the Gateway API front end reads: its own kinds and the Kubernetes objects every front end shares. */
public record GatewayApiInputs(
    ImmutableList<GatewayClass> classes,
    ImmutableList<ApiGateway> gateways,
    ImmutableList<HttpRoute> routes,
    ImmutableList<Service> services,
    ImmutableList<Endpoints> endpoints,
    ImmutableList<Endpoints> endpointSlices,
    ImmutableList<Pod> pods,
    ImmutableList<GrpcRoute> grpcRoutes,
    ImmutableList<L4Route> l4Routes) {}
