package io.hecate.agent.cli;

import io.hecate.agent.consul.ConsulSettings;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.DocumentTable;
import io.hecate.agent.consul.internal.KvLayout;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command on Hecate's documents in Consul KV: it opens the connection the shared options
 * describe, and turns every failure into a message on stderr, with what to do, and exit code 1.
 */
abstract class ConsulCommand implements Callable<Integer> {

    @Mixin
    private ConsulOptions consulOptions;

    @Spec
    private CommandSpec spec;

    @Override
    public final Integer call() {
        PrintWriter err = err();
        try {
            ConsulSettings settings = consulOptions.settings(System.getenv());
            try (ConsulConnection consul = ConsulConnection.open(settings)) {
                return run(consul, new KvLayout(settings.prefix()));
            }
        } catch (Refusal e) {
            err.println(e.getMessage());
        } catch (ConsulUnavailableException e) {
            err.println(e.getMessage());
            err.println(advice(e));
        } catch (IOException e) {
            err.println("cannot set up TLS for Consul: " + e.getMessage() + " (check --ca-file or CONSUL_CACERT)");
        }
        err.flush();
        return Exit.PROBLEMS;
    }

    /** @return the exit code */
    abstract int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException;

    private static String advice(ConsulUnavailableException e) {
        if (e.tokenRefused()) {
            return "Check the ACL token (CONSUL_HTTP_TOKEN or --token-file; with -c, the file's consul.token_env or"
                    + " consul.token_file): it needs key_prefix read on the prefix to read, write to change, and"
                    + " service_prefix read to check routes against the catalog.";
        }
        if (e.status() == 0) {
            return "Check that Consul is running and that --consul (or CONSUL_HTTP_ADDR) points at its HTTP API.";
        }
        return "Nothing was changed by this command.";
    }

    /** @throws ParameterException (a usage error) when {@code name} cannot name a document in KV */
    String checkedName(DocumentKind kind, String name) {
        if (!DocumentTable.isValidName(name)) {
            throw new ParameterException(spec.commandLine(), "\"" + name + "\" is not a valid " + kind + " "
                    + (kind == DocumentKind.ROUTE ? "id" : "name") + ": use letters, digits, '.', '_' and '-',"
                    + " starting with a letter or digit");
        }
        return name;
    }

    /** {@code 1 route}, {@code 2 routes}. */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
