package io.hecate.agent.consul.internal;

import com.ecwid.consul.v1.agent.model.NewService;
import io.hecate.agent.consul.ConsulSettings;
import io.hecate.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * This node's Hecate in the Consul catalog, with an HTTP check on the admin API's {@code /ready}
 * so that Consul (and whatever balances across the nodes) sees when it cannot serve. Registered on
 * a thread of its own, retried until Consul takes it, and removed on shutdown.
 */
public final class NodeRegistration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final ConsulConnection consul;
    private final ConsulSettings.Register register;
    private final InetSocketAddress admin;
    private final Thread thread;
    private volatile boolean registered;
    private volatile boolean closed;

    /** @param admin where the admin API listens; the check asks its {@code /ready} */
    public NodeRegistration(ConsulConnection consul, ConsulSettings.Register register, InetSocketAddress admin) {
        this.consul = consul;
        this.register = register;
        this.admin = admin;
        this.thread = new Thread(this::registerUntilTaken, "consul-register");
        thread.setDaemon(true);
    }

    public NodeRegistration start() {
        thread.start();
        return this;
    }

    public boolean registered() {
        return registered;
    }

    private void registerUntilTaken() {
        NewService service = new NewService();
        service.setId(register.id());
        service.setName(register.service());
        service.setAddress(register.address());
        service.setPort(register.port());
        service.setTags(register.tags());
        NewService.Check check = new NewService.Check();
        check.setHttp("http://" + hostOf(admin) + ":" + admin.getPort() + "/ready");
        check.setInterval(Durations.format(register.checkInterval()));
        check.setTimeout(Durations.format(register.checkInterval().compareTo(Duration.ofSeconds(5)) < 0
                ? register.checkInterval() : Duration.ofSeconds(5)));
        check.setDeregisterCriticalServiceAfter(Durations.format(register.deregisterAfter()));
        service.setCheck(check);
        while (!closed) {
            try {
                consul.call("register " + register.id(), () -> consul.client().agentServiceRegister(service));
                registered = true;
                LOG.info("registered in Consul as {} (service {}, check {})", register.id(), register.service(),
                        check.getHttp());
                return;
            } catch (ConsulUnavailableException e) {
                LOG.warn("could not register in Consul, retrying in {}: {}", Durations.format(RETRY), e.getMessage());
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** The Consul agent runs on this node: a wildcard listener is asked on loopback. */
    private static String hostOf(InetSocketAddress address) {
        String host = address.getAddress() != null && address.getAddress().isAnyLocalAddress() ? "127.0.0.1"
                : address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Deregisters (once, best effort: Consul also removes it after deregister_after critical). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (registered) {
            try {
                consul.call("deregister " + register.id(), () -> consul.client().agentServiceDeregister(register.id()));
                registered = false;
                LOG.info("deregistered {} from Consul", register.id());
            } catch (ConsulUnavailableException e) {
                LOG.warn("could not deregister from Consul: {}", e.getMessage());
            }
        }
    }
}
