package io.hecate.agent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "version",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Print the version.")
final class VersionCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(ManifestVersion.text());
    }
}
