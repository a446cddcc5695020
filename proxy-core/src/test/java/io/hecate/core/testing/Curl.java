package io.hecate.core.testing;

import java.nio.file.Path;

/** The curl binary, each run bounded to 20 s (the process to 25 s). */
public final class Curl {

    private static final CommandLineClient CURL = new CommandLineClient("curl", 25, "--max-time", "20");

    private Curl() {
    }

    public static boolean available() {
        return CURL.available();
    }

    public static CommandLineClient.Result run(Path workDir, String... args) throws Exception {
        return CURL.run(workDir, args);
    }
}
