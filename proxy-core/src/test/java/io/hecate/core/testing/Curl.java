package io.hecate.core.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the curl binary with a hard time limit; tests skip themselves when it is not on PATH. */
public final class Curl {

    /** Exit code and combined stdout/stderr. */
    public record Result(int exitCode, String output) {
    }

    private Curl() {
    }

    public static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "curl"))) {
                return true;
            }
        }
        return false;
    }

    public static Result run(Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("curl");
        command.add("--max-time");
        command.add("20");
        command.addAll(List.of(args));
        Path log = Files.createTempFile(workDir, "curl", ".out");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(25, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("curl did not finish in 25s: " + command);
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}
