package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.Backup;
import io.hecate.agent.consul.internal.CatalogUpstreams;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.DocumentTable;
import io.hecate.agent.consul.internal.KvDocuments;
import io.hecate.agent.consul.internal.KvLayout;
import io.hecate.core.config.ConfigProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

@Command(name = "backup",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Write every route and upstream under the prefix, as stored, into one YAML document for"
                + " hecate restore.")
final class BackupCommand extends ConsulCommand {

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "where to write it (default: stdout)")
    private Path file;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws Refusal, ConsulUnavailableException {
        KvDocuments stored = KvDocuments.read(consul, layout);
        Backup backup = Backup.of(layout.prefix(), Instant.now().truncatedTo(ChronoUnit.MILLIS), stored);
        warnIfUnrestorable(consul, stored);
        if (file == null) {
            out().print(backup.write());
            out().flush();
            return Exit.OK;
        }
        write(backup.write());
        out().println("backed up " + count(backup.routes().size(), "route") + " and "
                + count(backup.upstreams().size(), "upstream") + " from " + layout.prefix() + " to " + file);
        return Exit.OK;
    }

    /** A restore checks every document, so one that is broken now would make the backup refused then. */
    private void warnIfUnrestorable(ConsulConnection consul, KvDocuments stored) throws ConsulUnavailableException {
        DocumentTable.Checked table = DocumentTable.of(stored).check();
        List<ConfigProblem> problems = table.problems(CatalogUpstreams.neededBy(consul, table));
        if (!problems.isEmpty()) {
            err().println("warning: the documents in Consul have problems; hecate restore will refuse this backup"
                    + " until they are fixed (in Consul, or in the backup):");
            problems.forEach(problem -> err().println("  " + problem));
        }
    }

    /** Through a temporary file, so an interrupted backup never leaves a truncated one under the name. */
    private void write(String text) throws Refusal {
        Path target = file.toAbsolutePath();
        try {
            Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(temporary, text);
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new Refusal("cannot write the backup to " + file + ": " + e);
        }
    }
}
