package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Catalog and health reads, all blocking queries:
 * <ul>
 *   <li>{@code GET /v1/catalog/services} — https://developer.hashicorp.com/consul/api-docs/catalog#list-services:
 *       each service name with the union of its instances' tags;</li>
 *   <li>{@code GET /v1/catalog/service/:name} — …/catalog#list-nodes-for-service, with {@code ?tag};</li>
 *   <li>{@code GET /v1/health/service/:name} — https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service,
 *       with {@code ?passing} (only instances whose checks, the node's included, are all passing) and {@code ?tag}.</li>
 * </ul>
 * An unknown service is an empty list, not a 404, as in Consul.
 *
 * <p>Simplifications: {@code filter}, {@code near}, {@code node-meta}, {@code cached} and namespaces are ignored.
 */
final class CatalogEndpoint {

    private record Read<T>(T value, long index) {
    }

    private final RaftState state;
    private final Catalog catalog;
    private final String datacenter;

    CatalogEndpoint(RaftState state, Catalog catalog, String datacenter) {
        this.state = state;
        this.catalog = catalog;
        this.datacenter = datacenter;
    }

    /** "List Services" (https://developer.hashicorp.com/consul/api-docs/catalog#list-services). */
    ApiResponse services(ApiRequest r) {
        Read<Map<String, List<String>>> result = BlockingQuery.of(r).run(state, r,
                () -> new Read<>(catalog.serviceTags(), catalog.servicesTableIndex()), Read::index);
        JsonObject o = new JsonObject();
        result.value().forEach((name, tags) -> o.add(name, JsonShapes.strings(tags)));
        return ApiResponse.indexed(o, result.index());
    }

    /** "List Nodes for Service" (https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-service). */
    ApiResponse service(ApiRequest r, String name) {
        if (name.isEmpty()) {
            throw ApiError.badRequest("Missing service name");
        }
        Read<List<Catalog.Instance>> result = instances(r, name);
        JsonArray a = new JsonArray();
        result.value().forEach(i -> a.add(JsonShapes.catalogService(i, datacenter)));
        return ApiResponse.indexed(a, result.index());
    }

    /** "List Service Instances for Service" (https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service). */
    ApiResponse health(ApiRequest r, String name) {
        if (name.isEmpty()) {
            throw ApiError.badRequest("Missing service name");
        }
        boolean passing = false;
        if (r.has("passing")) {
            String v = r.param("passing");
            passing = switch (v.toLowerCase()) {
                case "", "1", "t", "true" -> true;
                case "0", "f", "false" -> false;
                default -> throw ApiError.badRequest("Invalid value for ?passing");
            };
        }
        Read<List<Catalog.Instance>> result = instances(r, name);
        JsonArray a = new JsonArray();
        for (Catalog.Instance i : result.value()) {
            if (!passing || i.passing()) {
                a.add(JsonShapes.healthEntry(i, datacenter));
            }
        }
        return ApiResponse.indexed(a, result.index());
    }

    private Read<List<Catalog.Instance>> instances(ApiRequest r, String name) {
        List<String> tags = r.params("tag");
        return BlockingQuery.of(r).run(state, r,
                () -> new Read<>(catalog.instances(name, tags), catalog.serviceIndex(name)), Read::index);
    }
}
