package io.hecate.agent.consul.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The last complete answers from Consul, kept in a file so that a node started while Consul is
 * down serves Consul's routes as they last were instead of its file's alone. Written whole or not
 * at all (a temporary file renamed over the old one), read only at start.
 */
public final class StateCache {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** The file's content. */
    private record Snapshot(String written, List<ConsulState.Document> routes, List<ConsulState.Document> upstreams,
                            Map<String, List<String>> services, Map<String, List<ConsulState.Instance>> instances) {
    }

    private final Path file;

    public StateCache(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Writes what {@code state} holds now. */
    public void save(ConsulState state) throws IOException {
        Snapshot snapshot = new Snapshot(Instant.now().toString(), List.copyOf(state.routes().values()),
                List.copyOf(state.upstreams().values()), new TreeMap<>(state.serviceTags()),
                new TreeMap<>(state.instances()));
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, GSON.toJson(snapshot), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Puts the cached answers into {@code state}, unless Consul answered first.
     *
     * @return when they were written, or {@code null} when there is no cache or Consul answered first
     * @throws IOException when the file cannot be read or is not a cache
     */
    public Instant restore(ConsulState state) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Snapshot snapshot;
        try {
            snapshot = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Snapshot.class);
        } catch (JsonParseException e) {
            throw new IOException(file + " is not a Consul cache of Hecate's: " + e.getMessage(), e);
        }
        if (snapshot == null || snapshot.routes() == null || snapshot.upstreams() == null || snapshot.written() == null) {
            throw new IOException(file + " is not a Consul cache of Hecate's");
        }
        boolean taken = state.seed(byKey(snapshot.routes()), byKey(snapshot.upstreams()),
                snapshot.services() == null ? Map.of() : snapshot.services(),
                snapshot.instances() == null ? Map.of() : snapshot.instances());
        return taken ? Instant.parse(snapshot.written()) : null;
    }

    private static SortedMap<String, ConsulState.Document> byKey(List<ConsulState.Document> documents) {
        SortedMap<String, ConsulState.Document> map = new TreeMap<>();
        documents.forEach(d -> map.put(d.key(), d));
        return map;
    }
}
