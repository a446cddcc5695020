package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.AuditEntry;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.DocumentTable;
import io.hecate.agent.consul.internal.KvDocument;
import io.hecate.agent.consul.internal.KvDocuments;
import io.hecate.agent.consul.internal.KvLayout;
import io.hecate.agent.consul.internal.Transaction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "update",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Replace a route or an upstream in Consul KV, checked with the routes and upstreams there;"
                + " refused if someone else changed it since it was read.")
final class UpdateCommand extends ChangeCommand {

    @Mixin
    private DocumentId document;

    @Mixin
    private DocumentFile file;

    @Option(names = "--cas", paramLabel = "INDEX",
            description = "replace it only if it is still at this ModifyIndex (as hecate read --index printed it"
                    + " when you read the text you edited); without it, the index update itself reads")
    private Long expectedIndex;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException {
        DocumentKind kind = document.kind;
        String name = document.name;
        String key = kind.key(layout, checkedName(kind, name));
        String text = file.read();
        KvDocuments stored = KvDocuments.read(consul, layout);
        KvDocument current = kind.stored(stored).get(name);
        if (current == null) {
            throw new Refusal("there is no " + kind + " " + name + " in Consul (" + key + ") to update: add it with"
                    + " hecate create " + kind + " " + name + " --file FILE");
        }
        if (expectedIndex != null && expectedIndex != current.modifyIndex()) {
            throw stale(key, expectedIndex);
        }
        DocumentTable before = DocumentTable.of(stored);
        check(consul, before, kind.with(before, name, new DocumentTable.Document(file.source(), text)));
        AuditEntry audit = AuditEntry.change(layout, who(), host(), AuditEntry.Action.UPDATE, key, current.text(),
                text);
        try {
            commit(new Transaction().cas(key, text, current.modifyIndex()).set(audit.key(), audit.json()), consul,
                    "updating " + key);
        } catch (Transaction.RolledBack e) {
            throw stale(key, current.modifyIndex());
        }
        out().println("updated " + kind + " " + name + " (" + key + "); audit entry " + audit.key());
        return Exit.OK;
    }

    private Refusal stale(String key, long index) {
        DocumentKind kind = document.kind;
        String name = document.name;
        return new Refusal(kind + " " + name + " was changed in Consul since it was read at ModifyIndex " + index
                + " (" + key + "); nothing was written. Read it again (hecate read " + kind + " " + name
                + " --index), redo your change on that text, and update again.");
    }
}
