package io.hecate.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateCommandTest {

    @TempDir
    Path dir;

    @Test
    void validFileIsSummarisedAndExitsZero() throws IOException {
        Path file = Files.writeString(dir.resolve("good.yaml"), """
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                routes:
                  - id: api
                    match: { path_prefix: "/api/" }
                    proxy: { upstream: app, strip_prefix: "/api" }
                  - id: hello
                    respond: { body: "hi\\n" }
                """);

        Cli result = Cli.execute("validate", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(file + ": ok (2 routes, 1 upstream)\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void everyProblemIsPrintedWithFileAndLineAndExitsOne() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                routes:
                  - id: api
                    proxy:
                      upstream: ap
                  - id: hello
                    match: { methods: [get] }
                    respond: { body: "hi" }
                """);

        Cli result = Cli.execute("validate", file.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).containsExactly(
                file + ":7: routes[0].proxy.upstream: no upstream named \"ap\" (did you mean \"app\"?)",
                file + ":9: routes[1].match.methods[0]: \"get\" is not an uppercase method name like GET");
    }

    @Test
    void missingFileIsAProblem() {
        Path file = dir.resolve("absent.yaml");

        Cli result = Cli.execute("validate", file.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).startsWith(file + ": no such file");
    }
}
