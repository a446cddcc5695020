package io.hecate.core.testing;

import java.nio.file.Path;

/**
 * nghttp2's HTTP/2 client ({@code nghttp}, Debian package nghttp2-client), each run bounded to
 * 25 s: with {@code -v} it prints every frame it sends and receives, which tests read to check
 * what went over the wire.
 */
public final class Nghttp {

    private static final CommandLineClient NGHTTP = new CommandLineClient("nghttp", 25, "--timeout=20");

    private Nghttp() {
    }

    public static boolean available() {
        return NGHTTP.available();
    }

    public static CommandLineClient.Result run(Path workDir, String... args) throws Exception {
        return NGHTTP.run(workDir, args);
    }
}
