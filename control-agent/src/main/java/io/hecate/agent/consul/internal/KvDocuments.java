package io.hecate.agent.consul.internal;

import com.ecwid.consul.v1.kv.model.GetValue;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The routes (by id) and upstreams (by name) stored under a prefix. Keys nested deeper than one
 * level below {@code routes/} or {@code upstreams/} are no documents and are left out.
 */
public record KvDocuments(SortedMap<String, KvDocument> routes, SortedMap<String, KvDocument> upstreams) {

    public KvDocuments {
        routes = Collections.unmodifiableSortedMap(new TreeMap<>(routes));
        upstreams = Collections.unmodifiableSortedMap(new TreeMap<>(upstreams));
    }

    public static KvDocuments read(ConsulConnection consul, KvLayout layout) throws ConsulUnavailableException {
        return new KvDocuments(folder(consul, layout.routes()), folder(consul, layout.upstreams()));
    }

    /** The document at {@code key}, or {@code null} when there is none. */
    public static KvDocument one(ConsulConnection consul, String key) throws ConsulUnavailableException {
        GetValue value = consul.call("reading " + key, () -> consul.client().getKVValue(key, consul.now()).getValue());
        return value == null ? null : document(value);
    }

    private static SortedMap<String, KvDocument> folder(ConsulConnection consul, String folder)
            throws ConsulUnavailableException {
        // Consul answers 404 for a prefix without keys, which consul-api hands back as no list.
        List<GetValue> values = consul.call("reading " + folder,
                () -> consul.client().getKVValues(folder, consul.now()).getValue());
        SortedMap<String, KvDocument> documents = new TreeMap<>();
        if (values != null) {
            for (GetValue value : values) {
                String leaf = KvLayout.leaf(folder, value.getKey());
                if (leaf != null) {
                    documents.put(leaf, document(value));
                }
            }
        }
        return documents;
    }

    private static KvDocument document(GetValue value) {
        String text = value.getDecodedValue(StandardCharsets.UTF_8);
        return new KvDocument(value.getKey(), text == null ? "" : text, value.getModifyIndex());
    }
}
