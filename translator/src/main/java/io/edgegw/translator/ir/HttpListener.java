package io.edgegw.translator.ir;

/** A listener on {@code address:port} serving HTTP with routes from the route configuration named. */
public record HttpListener(String name, String address, int port, String routeConfigName) {}
