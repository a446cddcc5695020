package io.hecate.agent.cli;

import io.hecate.agent.consul.ConsulSettings;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.YamlConfigFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "validate",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Check a configuration file without starting anything.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the file is valid; prints FILE: ok (N routes, M upstreams)",
                "1:the file has problems; each is printed to stderr as FILE:LINE: KEY: MESSAGE"})
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the YAML configuration file")
    private Path file;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        ProxyConfig config;
        try {
            config = new YamlConfigFile(file).load();
            TlsSetup.validate(config);
            if (config.extension("consul") != null) {
                ConsulSettings.from(config.extension("consul"), System.getenv(),
                        new ConsulSettings.RegisterDefaults("node", "", config.listen().http().port()));
            }
        } catch (ConfigException e) {
            Problems.print(e, file, spec.commandLine().getErr());
            return Exit.PROBLEMS;
        }
        spec.commandLine().getOut().println(file + ": ok ("
                + count(config.routes().size(), "route") + ", "
                + count(config.upstreams().size(), "upstream") + ")");
        return Exit.OK;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
