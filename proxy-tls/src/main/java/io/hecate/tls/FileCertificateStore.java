package io.hecate.tls;

import io.hecate.tls.internal.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default {@link CertificateStore}: files under one folder, written by temp file and rename
 * (a reader never sees half a file), folders {@code rwx------} and files {@code rw-------}. Its
 * lock is per process: two Hecates must not share the folder.
 */
public final class FileCertificateStore implements CertificateStore {

    private final Path root;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public FileCertificateStore(Path root) {
        this.root = root;
    }

    private Path file(String key) {
        Path file = root.resolve(key.replace("*", "_wildcard")).normalize();
        if (!file.startsWith(root.normalize())) {
            throw new IllegalArgumentException("key outside the store: " + key);
        }
        return file;
    }

    @Override
    public String read(String key) throws IOException {
        try {
            return Files.readString(file(key), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void write(String key, String text) throws IOException {
        AtomicFiles.createPrivateDirectory(root);
        AtomicFiles.write(file(key), text);
    }

    @Override
    public Lock lock(String name) throws InterruptedException {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
        lock.lockInterruptibly();
        return lock::unlock;
    }
}
