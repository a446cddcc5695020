package io.hecate.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What can be checked without a second process: usage, version, and refusing to start. */
class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void versionFallsBackToDevOutsideTheJar() {
        Cli result = Cli.execute("version");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("hecate dev\n");
    }

    @Test
    void helpListsTheExitCodes() {
        Cli result = Cli.execute("--help");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("run", "validate", "version", "Exit codes:", "could not start");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"run", "validate", "version"}) {
            Cli result = Cli.execute(command, "--help");

            assertThat(result.exitCode()).as(command).isZero();
            assertThat(result.out()).as(command).startsWith("Usage: hecate " + command);
        }
    }

    @Test
    void badUsageExits64() {
        assertThat(Cli.execute("serve").exitCode()).isEqualTo(64);
        assertThat(Cli.execute().exitCode()).isEqualTo(64);
        assertThat(Cli.execute("run", "--no-such-option").exitCode()).isEqualTo(64);
    }

    @Test
    void runRefusesAnInvalidFirstConfigWithExitTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                listen:
                  http: "127.0.0.1:0"
                drain_timeout: 5
                """);

        Cli result = Cli.execute("run", "--config", file.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.errLines()).containsExactly(
                file + ":3: drain_timeout: expected a duration like 30s or 250ms, got \"5\" (a unit is required)");
    }
}
