package io.hecate.core.internal.config;

import io.hecate.core.config.Durations;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueSyntaxTest {

    @Test
    void readsDurationsWithUnits() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Durations.parse("30")).hasMessageEndingWith("(a unit is required)");
        assertThatThrownBy(() -> Durations.parse("1.5s")).hasMessageStartingWith("expected a duration");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999h")).hasMessageEndingWith("is too large");
    }

    @Test
    void formatsDurationsTheWayTheyAreWritten() {
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void readsSizesInBytesKibibytesAndMebibytes() {
        assertThat(ByteSizes.parse("8192")).isEqualTo(8192);
        assertThat(ByteSizes.parse("8KiB")).isEqualTo(8192);
        assertThat(ByteSizes.parse("1MiB")).isEqualTo(1 << 20);
        assertThatThrownBy(() -> ByteSizes.parse("8KB")).hasMessageContaining("8KiB, 1MiB or 2GiB");
        assertThatThrownBy(() -> ByteSizes.parse("4096MiB")).hasMessageContaining("is too large");
        assertThat(ByteSizes.parseLong("3GiB")).isEqualTo(3L * 1024 * 1024 * 1024);
    }

    @Test
    void suggestsOnlyPlausibleTypos() {
        assertThat(Suggestions.distance("tiemout", "timeout")).isEqualTo(1);
        assertThat(Suggestions.closest("tiemout", List.of("upstream", "timeout", "host"))).contains("timeout");
        assertThat(Suggestions.closest("ap", List.of("app", "api-v2"))).contains("app");
        assertThat(Suggestions.closest("db", List.of("app"))).isEmpty();
    }

    @Test
    void checksReplacementsAgainstTheGroupsOfTheirPattern() {
        assertThat(RegexChecks.replacementProblem("^/old/(.*)", "/new/$1")).isEmpty();
        assertThat(RegexChecks.replacementProblem("^/(?<rest>.*)", "/x/${rest}")).isEmpty();
        assertThat(RegexChecks.replacementProblem("^/(?<rest>.*)", "/x/${rst}")).isPresent();
        assertThat(RegexChecks.replacementProblem("^/old/(.*)", "/new/$2")).isPresent();
        assertThat(RegexChecks.replacementProblem("^/", "\\$1")).isEmpty();
    }
}
