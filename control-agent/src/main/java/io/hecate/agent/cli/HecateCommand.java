package io.hecate.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hecate} command line; it does nothing by itself, so a subcommand is required. */
@Command(name = "hecate",
        description = "An embeddable reverse proxy on Netty.",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        subcommands = {RunCommand.class, ValidateCommand.class, VersionCommand.class,
                ListCommand.class, ReadCommand.class, CreateCommand.class, UpdateCommand.class, DeleteCommand.class,
                BackupCommand.class, RestoreCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                " 0:success (for run: stopped cleanly, also after SIGTERM or SIGINT)",
                " 1:validate found problems; a Consul command was refused (an invalid document, not found,"
                        + " changed meanwhile, Consul unreachable or the token refused); or an unexpected error",
                " 2:run could not start: invalid configuration or a port that cannot be bound",
                " 3:run was stopped by a second SIGTERM/SIGINT before the drain finished",
                "64:unknown command or option"})
public final class HecateCommand {

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        Logs.flush();
        System.exit(code);
    }

    /** The configured command line; tests run commands through it in-process. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new HecateCommand());
        CommandLine.IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
        // Picocli's default for bad usage is 2, which here means "bad configuration".
        commandLine.setParameterExceptionHandler((error, args) -> {
            usage.handleParseException(error, args);
            return Exit.USAGE;
        });
        return commandLine;
    }
}
