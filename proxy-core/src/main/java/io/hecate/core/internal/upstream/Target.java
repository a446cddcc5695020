package io.hecate.core.internal.upstream;

import java.net.InetSocketAddress;

/**
 * One server of an upstream. The address stays unresolved here: the connect resolves it
 * asynchronously, so a host name never blocks an event loop. Two targets are equal when their
 * addresses are (the {@link #key()}), whatever snapshot they belong to.
 */
public final class Target {

    private final String host;
    private final int port;
    private final int weight;
    private final String key;
    private final TargetHealth health;

    public Target(String host, int port, int weight, String key, TargetHealth health) {
        this.host = host;
        this.port = port;
        this.weight = weight;
        this.key = key;
        this.health = health;
    }

    /** A target with a health state of its own (not shared through a registry). */
    public static Target parse(String address, int weight) {
        return parse(address, weight, TargetHealth.standalone(address));
    }

    public static Target parse(String address, int weight, TargetHealth health) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Target(host, Integer.parseInt(address.substring(colon + 1)), weight, address, health);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int weight() {
        return weight;
    }

    /** The address as configured, {@code host:port}: the key of pools, metrics and health. */
    public String key() {
        return key;
    }

    public TargetHealth health() {
        return health;
    }

    public InetSocketAddress unresolvedAddress() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Target target && key.equals(target.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }
}
