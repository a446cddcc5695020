package com.example.gateway;

import io.hecate.core.Hecate;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;

import java.net.InetSocketAddress;

/** An application that embeds Hecate: /api/* goes to a backend, / is answered by Hecate itself. */
public final class Gateway implements AutoCloseable {

    private final String listen;
    private final String backend;
    private final Hecate proxy;

    public Gateway(String listen, String backend) throws ConfigException {
        this.listen = listen;
        this.backend = backend;
        this.proxy = Hecate.builder()
                .config(config("Hello from Hecate\n"))
                .start();                                   // binds, or throws ConfigException
    }

    private ProxyConfig config(String greeting) {
        return ProxyConfig.builder()
                .listen(listen)
                .admin(AdminConfig.disabled())              // or leave it on: 127.0.0.1:9901
                .upstream("app", UpstreamConfig.of(backend))
                .route(RouteConfig.of("api", MatchConfig.prefix("/api/"),
                        ProxyAction.to("app").withStripPrefix("/api")))   // /api/users -> /users
                .route(RouteConfig.of("home", MatchConfig.any().withPath("/"),
                        RespondAction.of(200, greeting)))
                .build();
    }

    /** Swaps in a new configuration; requests in flight finish on the old one. */
    public void greet(String greeting) throws ConfigException {
        proxy.apply(config(greeting));
    }

    public InetSocketAddress address() {
        return proxy.httpAddress();
    }

    /** Stops accepting, lets requests in flight finish (up to drain_timeout, 30s by default). */
    @Override
    public void close() {
        proxy.close();
    }

    public static void main(String[] args) throws Exception {
        String backend = args.length > 0 ? args[0] : "127.0.0.1:3000";
        try (Gateway gateway = new Gateway("127.0.0.1:8080", backend)) {
            InetSocketAddress address = gateway.address();
            System.out.println("Serving on http://" + address.getHostString() + ":" + address.getPort()
                    + "; press Enter to stop");
            gateway.greet("Hello again\n");
            System.in.read();
        }
    }
}
