package io.hecate.core.internal.http;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/** The peers whose X-Forwarded-* headers are believed: CIDRs or single addresses from the config. */
public final class TrustedProxies {

    public static final TrustedProxies NONE = new TrustedProxies(new IpSubnetFilterRule[0]);

    private final IpSubnetFilterRule[] rules;

    private TrustedProxies(IpSubnetFilterRule[] rules) {
        this.rules = rules;
    }

    /** Entries are validated before; an address here is an IP literal, never a name to resolve. */
    public static TrustedProxies of(List<String> entries) {
        IpSubnetFilterRule[] rules = new IpSubnetFilterRule[entries.size()];
        for (int i = 0; i < rules.length; i++) {
            String entry = entries.get(i);
            int slash = entry.indexOf('/');
            String ip = slash < 0 ? entry : entry.substring(0, slash);
            int bits = slash < 0 ? (ip.indexOf(':') >= 0 ? 128 : 32) : Integer.parseInt(entry.substring(slash + 1));
            rules[i] = new IpSubnetFilterRule(ip, bits, IpFilterRuleType.ACCEPT);
        }
        return new TrustedProxies(rules);
    }

    public boolean isEmpty() {
        return rules.length == 0;
    }

    public boolean trusts(InetSocketAddress peer) {
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(peer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The original client: walking X-Forwarded-For from the right, the first address that is not a
     * trusted proxy. Without a trusted peer, the peer itself.
     */
    public String clientAddress(InetSocketAddress peer, String peerIp, String forwardedFor) {
        if (forwardedFor == null || rules.length == 0 || !trusts(peer)) {
            return peerIp;
        }
        int end = forwardedFor.length();
        while (end > 0) {
            int comma = forwardedFor.lastIndexOf(',', end - 1);
            String hop = forwardedFor.substring(comma + 1, end).trim();
            end = comma < 0 ? 0 : comma;
            if (hop.isEmpty()) {
                continue;
            }
            byte[] raw = NetUtil.createByteArrayFromIpAddressString(hop);
            if (raw == null) {
                return hop;
            }
            try {
                if (!trusts(new InetSocketAddress(InetAddress.getByAddress(raw), 0))) {
                    return hop;
                }
            } catch (UnknownHostException impossibleForRawBytes) {
                return hop;
            }
        }
        return peerIp;
    }
}
