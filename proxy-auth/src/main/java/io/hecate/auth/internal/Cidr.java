package io.hecate.auth.internal;

import io.netty.util.NetUtil;

/** An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or a single address. */
public record Cidr(byte[] network, int prefix, String written) {

    /** @throws IllegalArgumentException when {@code text} is not an IP literal with an optional /prefix */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String ip = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = NetUtil.createByteArrayFromIpAddressString(ip);
        if (address == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR like 10.0.0.0/8");
        }
        address = unmapped(address);
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("\"" + text + "\": the prefix length must be 0.." + max);
            }
        }
        return new Cidr(address, prefix, trimmed);
    }

    /** The client address as bytes (IPv4-mapped IPv6 turned into IPv4), or null when it is not an IP. */
    public static byte[] address(String text) {
        if (text == null) {
            return null;
        }
        String ip = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int zone = ip.indexOf('%');
        if (zone >= 0) {
            ip = ip.substring(0, zone);
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
        return bytes == null ? null : unmapped(bytes);
    }

    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[full] & mask) == (network[full] & mask);
    }

    private static byte[] unmapped(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xFF || address[11] != (byte) 0xFF) {
            return address;
        }
        return new byte[] {address[12], address[13], address[14], address[15]};
    }

    @Override
    public String toString() {
        return written;
    }
}
