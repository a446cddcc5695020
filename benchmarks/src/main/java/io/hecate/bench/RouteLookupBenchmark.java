package io.hecate.bench;

import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.internal.route.Route;
import io.hecate.core.internal.route.RouteTable;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;

/**
 * Route lookup with 10, 1,000 and 10,000 routes: half keyed by host (with a path prefix), half by
 * path prefix only, looked up with a rotating set of requests that hit both kinds.
 */
@State(Scope.Thread)
public class RouteLookupBenchmark {

    @Param({"10", "1000", "10000"})
    int routes;

    private RouteTable table;
    private String[] hosts;
    private String[] paths;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private int next;

    @Setup
    public void build() {
        RouteTable.Builder builder = RouteTable.builder();
        for (int i = 0; i < routes / 2; i++) {
            MatchConfig byHost = MatchConfig.host("svc" + i + ".example.com").withPathPrefix("/api/");
            builder.add(byHost, route("host-" + i, byHost));
            MatchConfig byPath = MatchConfig.prefix("/tenant/" + i + "/");
            builder.add(byPath, route("path-" + i, byPath));
        }
        table = builder.build();
        hosts = new String[1024];
        paths = new String[1024];
        for (int i = 0; i < hosts.length; i++) {
            int n = (i * 7919) % Math.max(1, routes / 2);
            hosts[i] = "svc" + n + ".example.com";
            paths[i] = i % 2 == 0 ? "/api/v1/users/42" : "/tenant/" + n + "/orders?page=2";
        }
    }

    private static Route route(String id, MatchConfig match) {
        return new Route(id, match.methods(), match.headers(), RespondAction.of(200, id), List.of(), null);
    }

    @Benchmark
    public Route lookup() {
        int i = next++ & 1023;
        return table.find(hosts[i], paths[i], HttpMethod.GET, headers);
    }
}
