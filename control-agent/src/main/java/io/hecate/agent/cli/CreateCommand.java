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

@Command(name = "create",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Add a route or an upstream to Consul KV, checked with the routes and upstreams already there.")
final class CreateCommand extends ChangeCommand {

    @Mixin
    private DocumentId document;

    @Mixin
    private DocumentFile file;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException {
        DocumentKind kind = document.kind;
        String name = document.name;
        String key = kind.key(layout, checkedName(kind, name));
        String text = file.read();
        KvDocuments stored = KvDocuments.read(consul, layout);
        KvDocument existing = kind.stored(stored).get(name);
        if (existing != null) {
            throw new Refusal(kind + " " + name + " already exists (" + key + "): change it with hecate update "
                    + kind + " " + name + " --file FILE, or delete it first");
        }
        DocumentTable before = DocumentTable.of(stored);
        check(consul, before, kind.with(before, name, new DocumentTable.Document(file.source(), text)));
        AuditEntry audit = AuditEntry.change(layout, who(), host(), AuditEntry.Action.CREATE, key, null, text);
        try {
            commit(new Transaction().checkNotExists(key).set(key, text).set(audit.key(), audit.json()), consul,
                    "creating " + key);
        } catch (Transaction.RolledBack e) {
            throw new Refusal(kind + " " + name + " was created in Consul by someone else meanwhile (" + key
                    + "); nothing was written. Look at it with hecate read " + kind + " " + name + ".");
        }
        out().println("created " + kind + " " + name + " (" + key + "); audit entry " + audit.key());
        return Exit.OK;
    }
}
