package io.hecate.agent.consul.internal;

import com.ecwid.consul.v1.kv.model.GetValue;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Follows the {@code routes/} and {@code upstreams/} folders of the KV prefix with blocking watches. */
public final class KvWatcher implements AutoCloseable {

    private final ConsulConnection consul;
    private final ConsulState state;
    private final KvLayout layout;
    private final boolean allowEmpty;
    private final Runnable changed;
    private BlockingWatch<List<GetValue>> routes;
    private BlockingWatch<List<GetValue>> upstreams;

    public KvWatcher(ConsulConnection consul, ConsulState state, KvLayout layout, boolean allowEmpty,
                     Runnable changed) {
        this.consul = consul;
        this.state = state;
        this.layout = layout;
        this.allowEmpty = allowEmpty;
        this.changed = changed;
    }

    public void start() {
        routes = watch(layout.routes(), documents -> state.routes(documents, allowEmpty));
        upstreams = watch(layout.upstreams(), documents -> state.upstreams(documents, allowEmpty));
    }

    private BlockingWatch<List<GetValue>> watch(String folder, java.util.function.Predicate<SortedMap<String,
            ConsulState.Document>> take) {
        String query = "kv " + folder;
        return new BlockingWatch<>(query, consul, params -> consul.client().getKVValues(folder, params),
                new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(List<GetValue> values, long index) {
                        take.test(documents(values));
                        state.watchChanged(query, index);
                        // Also after a refusal: the refusal itself is news for the status.
                        KvWatcher.this.changed.run();
                    }

                    @Override
                    public void failed(ConsulUnavailableException error) {
                        state.watchFailed(query, error.getMessage());
                    }
                }).start();
    }

    private static SortedMap<String, ConsulState.Document> documents(List<GetValue> values) {
        SortedMap<String, ConsulState.Document> documents = new TreeMap<>();
        if (values != null) {
            for (GetValue value : values) {
                String text = value.getDecodedValue();
                if (text != null && !value.getKey().endsWith("/")) {
                    documents.put(value.getKey(), new ConsulState.Document(value.getKey(), text,
                            value.getModifyIndex()));
                }
            }
        }
        return documents;
    }

    @Override
    public void close() {
        if (routes != null) {
            routes.close();
        }
        if (upstreams != null) {
            upstreams.close();
        }
    }
}
