package io.hecate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class YamlConfigFileWatchTest {

    private static final String THREAD_NAME = "hecate-config-watch";
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final AtomicInteger changes = new AtomicInteger();

    @Test
    void reportsAWriteToTheFile() throws IOException {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, "drain_timeout: 30s\n");
        try (YamlConfigFile source = new YamlConfigFile(file)) {
            source.watch(changes::incrementAndGet);

            Files.writeString(file, "drain_timeout: 10s\n");

            await().atMost(PATIENCE).until(() -> changes.get() == 1);
        }
    }

    @Test
    void reportsAFileReplacedByAnAtomicRename() throws Exception {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, "drain_timeout: 30s\n");
        try (YamlConfigFile source = new YamlConfigFile(file)) {
            source.watch(changes::incrementAndGet);

            Path next = dir.resolve(".hecate.yaml.tmp");
            Files.writeString(next, "drain_timeout: 10s\n");
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            await().atMost(PATIENCE).until(() -> changes.get() == 1);
            assertThat(source.load().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        }
    }

    /** The way Kubernetes updates a mounted ConfigMap: the file is a symlink through {@code ..data}. */
    @Test
    void reportsASwapOfTheSymlinkTheFileResolvesThrough() throws IOException {
        Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(dir.resolve("..v1/hecate.yaml"), "drain_timeout: 30s\n");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Path file = Files.createSymbolicLink(dir.resolve("hecate.yaml"), Path.of("..data/hecate.yaml"));
        try (YamlConfigFile source = new YamlConfigFile(file)) {
            source.watch(changes::incrementAndGet);

            Files.createDirectory(dir.resolve("..v2"));
            Files.writeString(dir.resolve("..v2/hecate.yaml"), "drain_timeout: 10s\n");
            Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
            Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

            await().atMost(PATIENCE).until(() -> changes.get() == 1);
        }
    }

    @Test
    void foldsABurstOfWritesIntoOneReport() throws IOException {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, "drain_timeout: 30s\n");
        try (YamlConfigFile source = new YamlConfigFile(file)) {
            source.watch(changes::incrementAndGet);

            for (int seconds = 1; seconds <= 5; seconds++) {
                Files.writeString(file, "drain_timeout: " + seconds + "s\n");
            }

            await().atMost(PATIENCE).until(() -> changes.get() >= 1);
            await().during(Duration.ofMillis(600)).atMost(PATIENCE).until(() -> changes.get() == 1);
        }
    }

    @Test
    void ignoresOtherFilesInTheDirectory() throws IOException {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, "drain_timeout: 30s\n");
        try (YamlConfigFile source = new YamlConfigFile(file)) {
            source.watch(changes::incrementAndGet);

            Files.writeString(dir.resolve("notes.txt"), "unrelated\n");
            await().during(Duration.ofMillis(600)).atMost(PATIENCE).until(() -> changes.get() == 0);

            Files.writeString(file, "drain_timeout: 10s\n");
            await().atMost(PATIENCE).until(() -> changes.get() == 1);
        }
    }

    @Test
    void closeStopsTheWatchThread() throws IOException {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, "drain_timeout: 30s\n");
        YamlConfigFile source = new YamlConfigFile(file);
        source.watch(changes::incrementAndGet);
        assertThat(watchThreadRunning()).isTrue();

        source.close();

        assertThat(watchThreadRunning()).isFalse();
        Files.writeString(file, "drain_timeout: 10s\n");
        await().during(Duration.ofMillis(600)).atMost(PATIENCE).until(() -> changes.get() == 0);
    }

    private static boolean watchThreadRunning() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(THREAD_NAME) && thread.isAlive());
    }
}
