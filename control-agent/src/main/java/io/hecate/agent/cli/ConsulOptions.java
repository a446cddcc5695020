package io.hecate.agent.cli;

import io.hecate.agent.consul.ConsulSettings;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where Consul is and how to reach it, shared by every command on Hecate's documents in KV: from
 * these options and Consul's own environment variables, or from the {@code consul:} section of a
 * Hecate configuration file.
 */
final class ConsulOptions {

    @Option(names = "--consul", paramLabel = "URL",
            description = "Consul's HTTP API (default: $CONSUL_HTTP_ADDR, else http://127.0.0.1:8500)")
    private String address;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "read the ACL token from FILE (default: the token in $CONSUL_HTTP_TOKEN)")
    private Path tokenFile;

    @Option(names = "--datacenter", paramLabel = "DC", description = "the datacenter to ask (default: the agent's)")
    private String datacenter;

    @Option(names = "--prefix", paramLabel = "P", description = "Hecate's KV prefix (default: hecate/)")
    private String prefix;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM file of the CA that signed Consul's HTTPS certificate (default: $CONSUL_CACERT)")
    private Path caFile;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "take address, token, TLS, datacenter and prefix from this Hecate configuration file's"
                    + " consul: section instead (--prefix may still override the prefix)")
    private Path configFile;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    /**
     * @param environment where CONSUL_HTTP_ADDR, CONSUL_HTTP_SSL, CONSUL_HTTP_TOKEN and CONSUL_CACERT
     *                    (or the variables the configuration file names) are looked up
     * @throws ParameterException when the options contradict each other or the address is no URL
     */
    ConsulSettings settings(Map<String, String> environment) throws Refusal {
        ConsulSettings settings;
        if (configFile != null) {
            if (address != null || tokenFile != null || caFile != null || datacenter != null) {
                throw new ParameterException(command.commandLine(), "-c/--config takes Consul's address, token, TLS"
                        + " and datacenter from " + configFile + ": leave out --consul, --token-file, --ca-file and"
                        + " --datacenter (only --prefix may be combined with it)");
            }
            settings = fromConfigFile(environment);
        } else {
            settings = fromOptions(environment);
        }
        if (prefix != null) {
            settings = settings.withPrefix(prefix);
            if (settings.prefix().isEmpty()) {
                throw new ParameterException(command.commandLine(),
                        "--prefix must not be empty: Hecate's keys need a folder of their own");
            }
        }
        return settings;
    }

    private ConsulSettings fromOptions(Map<String, String> environment) throws Refusal {
        ConsulSettings settings = ConsulSettings.of(address(environment));
        String token = token(environment);
        if (token != null) {
            settings = settings.withToken(token);
        }
        if (datacenter != null) {
            settings = settings.withDatacenter(datacenter);
        }
        String caVariable = environment.get("CONSUL_CACERT");
        Path ca = caFile != null ? caFile : present(caVariable) ? Path.of(caVariable.trim()) : null;
        return ca == null ? settings : settings.withTls(new ConsulSettings.Tls(ca, null, null));
    }

    private URI address(Map<String, String> environment) {
        String origin = address != null ? "--consul" : "CONSUL_HTTP_ADDR";
        String text = address != null ? address : environment.get("CONSUL_HTTP_ADDR");
        if (!present(text)) {
            return ConsulSettings.DEFAULT_ADDRESS;
        }
        text = text.trim();
        if (!text.contains("://")) {
            // Consul's own tools take host:port, and CONSUL_HTTP_SSL=true for HTTPS.
            text = ("true".equalsIgnoreCase(environment.get("CONSUL_HTTP_SSL")) ? "https://" : "http://") + text;
        }
        try {
            URI uri = URI.create(text);
            if (List.of("http", "https").contains(uri.getScheme()) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // Reported below, like any other address that is no http(s) URL.
        }
        throw new ParameterException(command.commandLine(), origin + ": expected http://host:port or"
                + " https://host:port, got \"" + text + "\"");
    }

    private String token(Map<String, String> environment) throws Refusal {
        if (tokenFile != null) {
            try {
                String token = Files.readString(tokenFile).trim();
                if (token.isEmpty()) {
                    throw new Refusal("--token-file " + tokenFile + " is empty: it should hold the ACL token");
                }
                return token;
            } catch (IOException e) {
                throw new Refusal("cannot read the token file " + tokenFile + ": " + reason(e));
            }
        }
        String token = environment.get(ConsulSettings.DEFAULT_TOKEN_ENV);
        return present(token) ? token.trim() : null;
    }

    private ConsulSettings fromConfigFile(Map<String, String> environment) throws Refusal {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(configFile.toString()).setSchema(new CoreSchema()).build())
                    .loadFromString(Files.readString(configFile));
        } catch (IOException e) {
            throw new Refusal("cannot read " + configFile + ": " + reason(e));
        } catch (YamlEngineException e) {
            throw new Refusal(configFile + ": invalid YAML: " + e.getMessage());
        }
        Object section = root instanceof Map<?, ?> top ? top.get("consul") : null;
        try {
            // The command line registers nothing in the catalog: these defaults fill a registration it never makes.
            return ConsulSettings.from(section, environment,
                    new ConsulSettings.RegisterDefaults("hecate", "127.0.0.1", 0));
        } catch (ConfigException e) {
            throw Refusal.of(e.problems().stream()
                    .map(p -> new ConfigProblem(configFile.toString(), p.line(), p.path(), p.message()))
                    .toList(), "Fix the consul: section of " + configFile + ", or give the options instead of -c.");
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static String reason(IOException e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }
}
