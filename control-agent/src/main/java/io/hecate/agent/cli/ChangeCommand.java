package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.CatalogUpstreams;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.DocumentTable;
import io.hecate.agent.consul.internal.Transaction;
import io.hecate.core.config.ConfigProblem;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A command that changes documents in KV: it checks the change against the route table it
 * joins, and writes it together with its audit entry in one transaction.
 */
abstract class ChangeCommand extends ConsulCommand {

    @Option(names = "--who", paramLabel = "NAME",
            description = "who makes the change, for the audit trail (default: $USER)")
    private String who;

    /**
     * Refuses a change whose table has problems the table before it had not. Problems that were
     * there already (a catalog service gone since, a document written by other means) do not
     * block changes, or nothing could be fixed one document at a time; they are shown as warnings.
     */
    void check(ConsulConnection consul, DocumentTable before, DocumentTable after)
            throws Refusal, ConsulUnavailableException {
        DocumentTable.Checked was = before.check();
        DocumentTable.Checked will = after.check();
        Set<String> catalog = CatalogUpstreams.neededBy(consul, was, will);
        List<ConfigProblem> known = was.problems(catalog);
        List<ConfigProblem> found = will.problems(catalog);
        List<ConfigProblem> made = found.stream()
                .filter(problem -> known.stream().noneMatch(old -> samePlace(old, problem)))
                .toList();
        if (!made.isEmpty()) {
            throw Refusal.of(made, "Nothing was written: fix the " + (made.size() == 1 ? "problem" : "problems")
                    + " above and run the command again.");
        }
        found.forEach(problem -> err().println("warning (already in Consul before this change): " + problem));
    }

    /** The same key of the same document: the message may differ (a suggestion, say) for the same fault. */
    private static boolean samePlace(ConfigProblem a, ConfigProblem b) {
        return Objects.equals(a.source(), b.source()) && Objects.equals(a.path(), b.path());
    }

    /** Commits {@code transaction}; a lost connection leaves unknown whether Consul applied it, and says so. */
    void commit(Transaction transaction, ConsulConnection consul, String what)
            throws Transaction.RolledBack, ConsulUnavailableException, Refusal {
        try {
            transaction.commit(consul, what);
        } catch (ConsulUnavailableException e) {
            if (e.status() != 0) {
                throw e;
            }
            throw new Refusal(e.getMessage() + "\nWhether Consul applied the change before the connection failed"
                    + " is unknown: look with hecate read or hecate list (and at the audit trail) before trying"
                    + " again.");
        }
    }

    /** Who the audit entry names: {@code --who}, else the user running the command. */
    String who() {
        if (who != null && !who.isBlank()) {
            return who;
        }
        String user = System.getenv("USER");
        return user != null && !user.isBlank() ? user : System.getProperty("user.name", "unknown");
    }

    /** The host the audit entry names: this one. */
    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String host = System.getenv("HOSTNAME");
            return host != null && !host.isBlank() ? host : "unknown";
        }
    }
}
