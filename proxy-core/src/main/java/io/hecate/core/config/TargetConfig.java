package io.hecate.core.config;

/** One server of an upstream, as {@code host:port}, with its share of the traffic. */
public record TargetConfig(String address, int weight) {

    public static final int DEFAULT_WEIGHT = 1;

    public static TargetConfig of(String address) {
        return new TargetConfig(address, DEFAULT_WEIGHT);
    }
}
