package io.hecate.agent.cli;

import io.hecate.agent.consul.ConsulAgent;
import io.hecate.agent.consul.ConsulCertificateStore;
import io.hecate.auth.AuthMetrics;
import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.tls.TlsModule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = {
                "Serve a configuration file until stopped.",
                "Edits to the file are applied while running; so is SIGHUP. A version with mistakes is"
                        + " rejected and logged, and the previous one stays in force.",
                "SIGTERM or SIGINT stops accepting connections and lets requests in flight finish for up"
                        + " to drain_timeout; a second signal stops at once."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped cleanly (after SIGTERM or SIGINT)",
                "1:an unexpected error",
                "2:could not start: the configuration has problems (printed to stderr) or a port cannot be bound",
                "3:a second SIGTERM/SIGINT stopped it before the drain finished"})
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the YAML configuration file (default: conf/hecate.yaml in the Hecate directory)")
    private Path config;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Path file = config != null ? config : DefaultConfig.path();
        PrintWriter err = spec.commandLine().getErr();
        Hecate hecate;
        TlsModule tls = null;
        ConsulAgent consul = null;
        try {
            YamlConfigFile source = new YamlConfigFile(file);
            Hecate.Builder builder = withInstalledFilters(Hecate.builder()).source(source);
            ProxyConfig first = source.load();
            consul = ConsulAgent.install(builder, source, first);
            tls = installTls(builder, first, consul);
            hecate = builder.start();
            if (consul != null) {
                consul.started(hecate);
            }
            if (tls != null) {
                tls.started();
            }
        } catch (ConfigException e) {
            close(tls, consul);
            Problems.print(e, file, err);
            return Exit.CANNOT_START;
        }
        new Lifecycle(hecate).install();
        hecate.awaitStop();
        close(tls, consul);
        return Exit.OK;
    }

    /** With {@code consul.certificates}, ACME storage is shared through Consul (one node orders, all serve). */
    private static TlsModule installTls(Hecate.Builder builder, ProxyConfig first, ConsulAgent consul)
            throws ConfigException {
        if (consul == null || consul.settings().certificates() == null) {
            return TlsModule.install(builder, first);
        }
        return TlsModule.install(builder, first, storage -> ConsulCertificateStore.open(consul.connection(), storage));
    }

    private static void close(TlsModule tls, ConsulAgent consul) {
        if (tls != null) {
            tls.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    /**
     * Makes every route filter type on the class path available to the configuration: each jar
     * lists its factories in {@code META-INF/services/io.hecate.core.filter.RouteFilterFactory}
     * (proxy-auth: {@code forward}, {@code authentik}, {@code basic}, {@code ip}).
     */
    static Hecate.Builder withInstalledFilters(Hecate.Builder builder) {
        for (RouteFilterFactory factory : ServiceLoader.load(RouteFilterFactory.class)) {
            builder.filter(factory);
        }
        return builder.metrics(AuthMetrics.shared()::renderTo);
    }
}
