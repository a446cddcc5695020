package io.hecate.core.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command-line client (curl, nghttp) with a hard time limit, capturing its output. */
public final class CommandLineClient {

    /** Exit code and combined stdout/stderr. */
    public record Result(int exitCode, String output) {
    }

    private final String program;
    private final List<String> fixedArgs;
    private final long limitSeconds;

    CommandLineClient(String program, long limitSeconds, String... fixedArgs) {
        this.program = program;
        this.fixedArgs = List.of(fixedArgs);
        this.limitSeconds = limitSeconds;
    }

    public boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    public Result run(Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(fixedArgs);
        command.addAll(List.of(args));
        Path log = Files.createTempFile(workDir, program, ".out");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(program + " did not finish in " + limitSeconds + "s: " + command);
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}
