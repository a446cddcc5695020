package io.hecate.agent.cli;

import java.nio.file.Path;

/**
 * Where {@code run} looks without {@code --config}: {@code conf/hecate.yaml} in the Hecate directory
 * (the {@code hecate} script passes it as {@code -Dhecate.home}, so the command works from any
 * directory), or in the working directory when started some other way.
 */
final class DefaultConfig {

    static final String HOME_PROPERTY = "hecate.home";
    private static final String RELATIVE = "conf/hecate.yaml";

    private DefaultConfig() {
    }

    static Path path() {
        String home = System.getProperty(HOME_PROPERTY);
        Path file = home == null ? Path.of(RELATIVE) : Path.of(home).resolve(RELATIVE);
        // Problems quote the file as named, so name it as briefly as the working directory allows.
        Path cwd = Path.of("").toAbsolutePath();
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute) : absolute;
    }
}
