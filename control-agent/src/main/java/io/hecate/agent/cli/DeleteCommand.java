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

import java.util.List;

@Command(name = "delete",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Remove a route or an upstream from Consul KV; an upstream that a route still uses is kept.")
final class DeleteCommand extends ChangeCommand {

    @Mixin
    private DocumentId document;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException {
        DocumentKind kind = document.kind;
        String name = document.name;
        String key = kind.key(layout, checkedName(kind, name));
        KvDocuments stored = KvDocuments.read(consul, layout);
        KvDocument current = kind.stored(stored).get(name);
        if (current == null) {
            throw new Refusal("there is no " + kind + " " + name + " in Consul (" + key + "); hecate list "
                    + kind.plural() + " shows what there is");
        }
        // Taking a document away can break the table in one way only: a route left without its upstream.
        if (kind == DocumentKind.UPSTREAM) {
            List<String> users = DocumentTable.of(stored).check().routesUsing(name);
            if (!users.isEmpty()) {
                throw new Refusal("upstream " + name + " is still used by " + (users.size() == 1 ? "route " : "routes ")
                        + String.join(", ", users) + "; nothing was deleted. Delete those routes or point them at"
                        + " another upstream first.");
            }
        }
        AuditEntry audit = AuditEntry.change(layout, who(), host(), AuditEntry.Action.DELETE, key, current.text(),
                null);
        try {
            commit(new Transaction().deleteCas(key, current.modifyIndex()).set(audit.key(), audit.json()), consul,
                    "deleting " + key);
        } catch (Transaction.RolledBack e) {
            throw new Refusal(kind + " " + name + " was changed in Consul since it was read at ModifyIndex "
                    + current.modifyIndex() + " (" + key + "); nothing was deleted. Look at it again with hecate read "
                    + kind + " " + name + " before deleting it.");
        }
        out().println("deleted " + kind + " " + name + " (" + key + "); audit entry " + audit.key());
        if (kind.stored(stored).size() == 1) {
            err().println("warning: that was the last " + kind + " in Consul: nodes refuse an empty " + kind.plural()
                    + "/ folder and keep serving what they had, unless their consul.allow_empty is true");
        }
        return Exit.OK;
    }
}
