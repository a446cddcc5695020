package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.KvDocument;
import io.hecate.agent.consul.internal.KvDocuments;
import io.hecate.agent.consul.internal.KvLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "read",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Print a route's or an upstream's document exactly as Consul KV stores it.")
final class ReadCommand extends ConsulCommand {

    @Mixin
    private DocumentId document;

    @Option(names = {"-i", "--index"},
            description = "also print the document's ModifyIndex to stderr, for hecate update --cas")
    private boolean showIndex;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException {
        DocumentKind kind = document.kind;
        String name = document.name;
        String key = kind.key(layout, checkedName(kind, name));
        KvDocument document = KvDocuments.one(consul, key);
        if (document == null) {
            throw new Refusal("there is no " + kind + " " + name + " in Consul (" + key + "); hecate list "
                    + kind.plural() + " shows what there is");
        }
        out().print(document.text());
        out().flush();
        if (showIndex) {
            err().println("ModifyIndex " + document.modifyIndex() + " (" + key + ")");
        }
        return Exit.OK;
    }
}
