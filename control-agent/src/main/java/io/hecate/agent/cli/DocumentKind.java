package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.DocumentTable;
import io.hecate.agent.consul.internal.KvDocument;
import io.hecate.agent.consul.internal.KvDocuments;
import io.hecate.agent.consul.internal.KvLayout;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;
import java.util.SortedMap;

/** What a document describes, a route or an upstream: each kind lives in a KV folder of its own. */
enum DocumentKind {
    ROUTE, UPSTREAM;

    String noun() {
        return name().toLowerCase(Locale.ROOT);
    }

    String plural() {
        return noun() + "s";
    }

    String folder(KvLayout layout) {
        return this == ROUTE ? layout.routes() : layout.upstreams();
    }

    String key(KvLayout layout, String name) {
        return folder(layout) + name;
    }

    SortedMap<String, KvDocument> stored(KvDocuments documents) {
        return this == ROUTE ? documents.routes() : documents.upstreams();
    }

    DocumentTable with(DocumentTable table, String name, DocumentTable.Document document) {
        return this == ROUTE ? table.withRoute(name, document) : table.withUpstream(name, document);
    }

    @Override
    public String toString() {
        return noun();
    }

    /** Takes {@code route} or {@code routes}, {@code upstream} or {@code upstreams}, in any case. */
    static final class Converter implements ITypeConverter<DocumentKind> {
        @Override
        public DocumentKind convert(String value) {
            String word = value.toLowerCase(Locale.ROOT);
            for (DocumentKind kind : values()) {
                if (word.equals(kind.noun()) || word.equals(kind.plural())) {
                    return kind;
                }
            }
            throw new TypeConversionException("expected route or upstream, got \"" + value + "\"");
        }
    }
}
