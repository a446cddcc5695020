package io.hecate.agent.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --file} a document is read from; {@code -} is standard input. */
final class DocumentFile {

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "the document, YAML or JSON, as one entry of the configuration file's routes: list"
                    + " (a route) or one value of its upstreams: (an upstream); - reads standard input")
    private String file;

    /** Names the document in problems. */
    String source() {
        return file.equals("-") ? "<stdin>" : file;
    }

    String read() throws Refusal {
        try {
            return file.equals("-")
                    ? StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(System.in.readAllBytes()))
                            .toString()
                    : Files.readString(Path.of(file));
        } catch (CharacterCodingException e) {
            throw new Refusal(source() + ": is not UTF-8 text");
        } catch (IOException e) {
            throw new Refusal("cannot read " + source() + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }
}
