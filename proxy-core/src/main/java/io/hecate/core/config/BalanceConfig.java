package io.hecate.core.config;

import java.util.Locale;

/**
 * How an upstream spreads requests over its targets. Every policy honours the targets' weights
 * and skips targets that are down (failing active checks or ejected by outlier detection).
 *
 * @param policy the algorithm
 * @param hashOn what {@link Policy#CONSISTENT_HASH} hashes; required by it and only used by it,
 *               otherwise {@code null}
 */
public record BalanceConfig(Policy policy, HashOn hashOn) {

    public static final BalanceConfig DEFAULT = new BalanceConfig(Policy.ROUND_ROBIN, null);

    public static BalanceConfig roundRobin() {
        return DEFAULT;
    }

    public static BalanceConfig leastRequest() {
        return new BalanceConfig(Policy.LEAST_REQUEST, null);
    }

    public static BalanceConfig random() {
        return new BalanceConfig(Policy.RANDOM, null);
    }

    public static BalanceConfig consistentHash(HashOn hashOn) {
        return new BalanceConfig(Policy.CONSISTENT_HASH, hashOn);
    }

    /** The balancing algorithms; {@link #configName()} is the YAML spelling. */
    public enum Policy {
        /** Smooth weighted round-robin (the default). */
        ROUND_ROBIN,
        /** Power of two choices: of two targets drawn by weight, the one with fewer requests in flight per weight. */
        LEAST_REQUEST,
        /** A target drawn at random, in proportion to its weight. */
        RANDOM,
        /** Maglev consistent hashing of a request key: the same key goes to the same target. */
        CONSISTENT_HASH;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The policy spelled {@code name} in a config file, or {@code null}. */
        public static Policy byConfigName(String name) {
            for (Policy policy : values()) {
                if (policy.configName().equals(name)) {
                    return policy;
                }
            }
            return null;
        }
    }

    /**
     * The request key of consistent hashing: exactly one of a header's value, a cookie's value or
     * the client address (after the trusted-proxy rules). A request without the key is balanced
     * as by {@link Policy#RANDOM}.
     */
    public record HashOn(String header, String cookie, boolean clientAddress) {

        public static HashOn onHeader(String name) {
            return new HashOn(name, null, false);
        }

        public static HashOn onCookie(String name) {
            return new HashOn(null, name, false);
        }

        public static HashOn onClientAddress() {
            return new HashOn(null, null, true);
        }

        /** How many of the three keys are set; a valid {@code HashOn} has exactly one. */
        public int keysSet() {
            return (header != null ? 1 : 0) + (cookie != null ? 1 : 0) + (clientAddress ? 1 : 0);
        }
    }
}
