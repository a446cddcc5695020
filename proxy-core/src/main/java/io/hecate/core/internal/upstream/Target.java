package io.hecate.core.internal.upstream;

import java.net.InetSocketAddress;

/**
 * One server of an upstream. The address stays unresolved here: the connect resolves it
 * asynchronously, so a host name never blocks an event loop.
 */
public record Target(String host, int port, int weight, String key) {

    public static Target parse(String address, int weight) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Target(host, Integer.parseInt(address.substring(colon + 1)), weight, address);
    }

    public InetSocketAddress unresolvedAddress() {
        return InetSocketAddress.createUnresolved(host, port);
    }
}
