package io.hecate.core.config;

import java.time.Duration;

/**
 * Passive health checking: a target whose tries keep failing is ejected (takes no requests) for a
 * while, without waiting for an active check to notice.
 *
 * @param enabled             {@code false} turns outlier detection off for the upstream
 * @param consecutiveFailures failed tries in a row that eject a target: connect failures, broken
 *                            connections, response timeouts and, with {@code count5xx}, 5xx responses.
 *                            Any other outcome resets the count
 * @param count5xx            whether a 5xx response counts as a failure (otherwise as a success)
 * @param baseEjectionTime    the first ejection lasts this long; each further one lasts
 *                            {@code baseEjectionTime × ejections so far} (the count decays by one per
 *                            {@code baseEjectionTime} spent healthy)
 * @param maxEjectionTime     the longest an ejection lasts
 * @param maxEjectionPercent  at most this share of an upstream's targets is ejected at once
 *                            (rounded down: with 50%, one target of two or three, none of one)
 */
public record OutlierDetectionConfig(boolean enabled, int consecutiveFailures, boolean count5xx,
                                     Duration baseEjectionTime, Duration maxEjectionTime, int maxEjectionPercent) {

    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    public static final boolean DEFAULT_COUNT_5XX = true;
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;

    /** On, with every setting at its default. */
    public static final OutlierDetectionConfig DEFAULT = new OutlierDetectionConfig(true, DEFAULT_CONSECUTIVE_FAILURES,
            DEFAULT_COUNT_5XX, DEFAULT_BASE_EJECTION_TIME, DEFAULT_MAX_EJECTION_TIME, DEFAULT_MAX_EJECTION_PERCENT);

    /** Off: no target is ever ejected. */
    public static final OutlierDetectionConfig DISABLED = new OutlierDetectionConfig(false, DEFAULT_CONSECUTIVE_FAILURES,
            DEFAULT_COUNT_5XX, DEFAULT_BASE_EJECTION_TIME, DEFAULT_MAX_EJECTION_TIME, DEFAULT_MAX_EJECTION_PERCENT);

    public static OutlierDetectionConfig of(int consecutiveFailures, Duration baseEjectionTime) {
        return new OutlierDetectionConfig(true, consecutiveFailures, DEFAULT_COUNT_5XX, baseEjectionTime,
                DEFAULT_MAX_EJECTION_TIME, DEFAULT_MAX_EJECTION_PERCENT);
    }

    public OutlierDetectionConfig withCount5xx(boolean count) {
        return new OutlierDetectionConfig(enabled, consecutiveFailures, count, baseEjectionTime, maxEjectionTime,
                maxEjectionPercent);
    }

    public OutlierDetectionConfig withMaxEjectionPercent(int percent) {
        return new OutlierDetectionConfig(enabled, consecutiveFailures, count5xx, baseEjectionTime, maxEjectionTime,
                percent);
    }

    public OutlierDetectionConfig withMaxEjectionTime(Duration max) {
        return new OutlierDetectionConfig(enabled, consecutiveFailures, count5xx, baseEjectionTime, max,
                maxEjectionPercent);
    }
}
