package io.hecate.agent.consul.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The upstreams the Consul catalog offers: a service tagged {@code hecate.enable=true} is one,
 * named as {@link CatalogTags#upstreamName} names it (its {@code hecate.upstream=NAME} tag, or else
 * the service's name), exactly as the nodes name it.
 */
public final class CatalogUpstreams {

    public static final String ENABLE_TAG = CatalogTags.ENABLE;
    public static final String UPSTREAM_TAG = "hecate.upstream=";

    private CatalogUpstreams() {
    }

    /**
     * The upstream names the catalog offers, asked of Consul only when a route of {@code tables}
     * names an upstream that no document there defines.
     */
    public static Set<String> neededBy(ConsulConnection consul, DocumentTable.Checked... tables)
            throws ConsulUnavailableException {
        for (DocumentTable.Checked table : tables) {
            if (!table.upstreamsOutside().isEmpty()) {
                return names(consul);
            }
        }
        return Set.of();
    }

    /** The upstream names of every service tagged {@value #ENABLE_TAG} ({@code GET /v1/catalog/services}). */
    public static Set<String> names(ConsulConnection consul) throws ConsulUnavailableException {
        Map<String, List<String>> services = consul.call("listing the catalog's services",
                () -> consul.client().getCatalogServices(consul.now()).getValue());
        Set<String> names = new TreeSet<>();
        (services == null ? Map.<String, List<String>>of() : services).forEach((service, tags) -> {
            if (CatalogTags.enabled(tags)) {
                names.add(CatalogTags.upstreamName(service, tags));
            }
        });
        return names;
    }
}
