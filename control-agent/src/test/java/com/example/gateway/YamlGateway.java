package com.example.gateway;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.YamlConfigFile;

import java.nio.file.Path;

/** The same gateway, configured by a YAML file that may name {@code api_key} filters. */
public final class YamlGateway {

    private YamlGateway() {
    }

    public static Hecate start(Path configFile) throws ConfigException {
        return Hecate.builder()
                .source(new YamlConfigFile(configFile))     // watched: saved edits apply at once
                .filter(new ApiKeyFilterFactory())          // routes may now say `type: api_key`
                .start();
    }

    public static void main(String[] args) throws Exception {
        Hecate proxy = start(Path.of(args.length > 0 ? args[0] : "gateway.yaml"));
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));   // Ctrl-C drains, then exits
        proxy.awaitStop();
    }
}
