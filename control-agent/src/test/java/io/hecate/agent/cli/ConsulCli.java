package io.hecate.agent.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs hecate's Consul commands in-process against a Consul test double, and reads what they left there. */
record ConsulCli(ConsulTestDouble consul) {

    /** {@code hecate ARGS --consul <the double>}. */
    Cli run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--consul");
        all.add(consul.address());
        return Cli.execute(all.toArray(String[]::new));
    }

    /** Like {@link #run}, with {@code input} as standard input. */
    Cli runWithInput(String input, String... args) {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(stdin);
        }
    }

    /** The audit entries under {@code prefix}, oldest first, as JSON. */
    List<JsonObject> audit(String prefix) {
        return consul.kv(prefix + "audit/").values().stream()
                .map(json -> JsonParser.parseString(json).getAsJsonObject())
                .toList();
    }

    Map<String, String> everything() {
        return consul.kv("");
    }

    /** Whether any transaction reached Consul: a refused change must not even try. */
    boolean anyTransaction() {
        return consul.requests().stream().anyMatch(request -> request.path().equals("/v1/txn"));
    }
}
