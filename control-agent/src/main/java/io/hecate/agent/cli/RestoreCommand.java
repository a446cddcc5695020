package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.AuditEntry;
import io.hecate.agent.consul.internal.Backup;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.DocumentTable;
import io.hecate.agent.consul.internal.KvDocument;
import io.hecate.agent.consul.internal.KvDocuments;
import io.hecate.agent.consul.internal.KvLayout;
import io.hecate.agent.consul.internal.Transaction;
import io.hecate.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

@Command(name = "restore",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = {"Replace every route and upstream under the prefix with those of a backup.",
                "Every document is checked first, alone and all together; then one Consul transaction clears"
                        + " routes/ and upstreams/, writes the backup's documents and the audit entry. A backup"
                        + " with any problem changes nothing.",
                "Consul allows " + Transaction.MAX_OPERATIONS + " operations in a transaction, so a backup of at"
                        + " most " + RestoreCommand.MAX_DOCUMENTS + " documents can be restored."})
final class RestoreCommand extends ChangeCommand {

    /** Besides the documents, a restore clears two folders and writes its audit entry. */
    static final int MAX_DOCUMENTS = Transaction.MAX_OPERATIONS - 3;

    @Parameters(paramLabel = "FILE", description = "a backup written by hecate backup")
    private Path file;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException {
        Backup backup = read();
        if (backup.size() > MAX_DOCUMENTS) {
            throw new Refusal(file + " holds " + backup.size() + " documents (" + count(backup.routes().size(), "route")
                    + ", " + count(backup.upstreams().size(), "upstream") + "), more than one restore can write:"
                    + " Consul applies at most " + Transaction.MAX_OPERATIONS + " operations in one transaction,"
                    + " and a restore needs 3 besides the documents, so at most " + MAX_DOCUMENTS + " documents."
                    + " Nothing was changed."
                    + " Restore a backup of at most " + MAX_DOCUMENTS + " documents, then add the rest with"
                    + " hecate create.");
        }
        check(consul, DocumentTable.empty(), DocumentTable.of(backup, file.toString()));
        Map<String, String> before = new TreeMap<>();
        KvDocuments stored = KvDocuments.read(consul, layout);
        for (KvDocument document : stored.routes().values()) {
            before.put(document.key(), document.text());
        }
        for (KvDocument document : stored.upstreams().values()) {
            before.put(document.key(), document.text());
        }
        Map<String, String> after = new TreeMap<>();
        backup.routes().forEach((id, text) -> after.put(layout.route(id), text));
        backup.upstreams().forEach((name, text) -> after.put(layout.upstream(name), text));
        AuditEntry audit = AuditEntry.restore(layout, who(), host(), before, after);
        Transaction transaction = new Transaction().deleteTree(layout.routes()).deleteTree(layout.upstreams());
        after.forEach(transaction::set);
        try {
            commit(transaction.set(audit.key(), audit.json()), consul,
                    "restoring " + file + " into " + layout.prefix());
        } catch (Transaction.RolledBack e) {
            throw new Refusal(e.getMessage() + "; nothing was changed.");
        }
        out().println("restored " + count(backup.routes().size(), "route") + " and "
                + count(backup.upstreams().size(), "upstream") + " into " + layout.prefix() + " from " + file
                + " (taken " + backup.taken() + " from " + backup.prefix() + "); audit entry " + audit.key());
        return Exit.OK;
    }

    private Backup read() throws Refusal {
        try {
            return Backup.read(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new Refusal("cannot read " + file + ": " + e);
        } catch (ConfigException e) {
            throw Refusal.of(e.problems(), "Nothing was changed: " + file + " is not a backup hecate restore can"
                    + " read.");
        }
    }
}
