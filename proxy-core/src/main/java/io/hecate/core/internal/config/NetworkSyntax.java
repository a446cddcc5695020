package io.hecate.core.internal.config;

import io.netty.util.NetUtil;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the spelling of host names, addresses and CIDRs without resolving anything: validation
 * must give the same answer offline, in CI and on the production box.
 */
public final class NetworkSyntax {

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
                    + "(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");

    private NetworkSyntax() {
    }

    /** A DNS name or an IPv4/IPv6 literal (IPv6 without brackets). */
    public static boolean isHost(String host) {
        return HOST_NAME.matcher(host).matches()
                || NetUtil.isValidIpV4Address(host)
                || NetUtil.isValidIpV6Address(host);
    }

    /**
     * What is wrong with {@code host:port} or {@code [v6]:port} whose port must be 1..65535, or
     * empty when nothing is.
     */
    public static Optional<String> hostPortProblem(String address) {
        String host;
        String port;
        if (address.startsWith("[")) {
            int close = address.indexOf("]:");
            if (close < 0) {
                return Optional.of("\"" + address + "\" is not [ipv6]:port");
            }
            host = address.substring(1, close);
            port = address.substring(close + 2);
            if (!NetUtil.isValidIpV6Address(host)) {
                return Optional.of("\"" + host + "\" is not an IPv6 address");
            }
        } else {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                return Optional.of("\"" + address + "\" is not host:port");
            }
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
            if (host.contains("://")) {
                return Optional.of("\"" + address + "\" must be host:port without a scheme");
            }
            if (host.indexOf(':') >= 0) {
                return Optional.of("\"" + address + "\" needs brackets around the IPv6 address, e.g. [::1]:8080");
            }
            if (!isHost(host)) {
                return Optional.of("\"" + host + "\" is not a valid host name or IP address");
            }
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return Optional.of("port \"" + port + "\" is outside 1..65535");
        }
        return Optional.empty();
    }

    /** An IP literal or {@code ip/prefix-length}, parsed without DNS. */
    public static boolean isCidr(String text) {
        int slash = text.indexOf('/');
        String ip = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
        if (bytes == null) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String length = text.substring(slash + 1);
        return length.matches("[0-9]{1,3}") && Integer.parseInt(length) <= bytes.length * 8;
    }
}
