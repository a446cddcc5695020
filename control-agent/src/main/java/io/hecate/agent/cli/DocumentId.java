package io.hecate.agent.cli;

import picocli.CommandLine.Parameters;

/** The two positional parameters naming one document: {@code route|upstream ID}. */
final class DocumentId {

    @Parameters(index = "0", paramLabel = "route|upstream", converter = DocumentKind.Converter.class,
            description = "the kind of document")
    DocumentKind kind;

    @Parameters(index = "1", paramLabel = "ID", description = "the route's id or the upstream's name")
    String name;
}
