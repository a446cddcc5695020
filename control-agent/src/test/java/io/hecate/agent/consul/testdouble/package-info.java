/**
 * A test double of HashiCorp Consul's HTTP API, for tests on machines where no Consul server can run.
 *
 * <p>{@link io.hecate.agent.consul.testdouble.ConsulTestDouble} is the entry point: it starts an HTTP (or
 * HTTPS) server on 127.0.0.1 that answers, as https://developer.hashicorp.com/consul/api-docs documents,
 * the KV, transaction, session, catalog, health, agent-service and status endpoints, with blocking
 * queries, and gives the test control over its data, its ACL token, its lifecycle (stop, restart, index
 * reset) and a record of the requests it received.
 *
 * <p>The pieces, one job each:
 * <ul>
 *   <li>{@code RaftState} — the lock, the Raft index and the wake-up of blocking queries;</li>
 *   <li>{@code KvStore}, {@code SessionStore}, {@code Catalog}, {@code AgentServices} (with
 *       {@code HttpCheckRunner}) — the state, with Consul's index bookkeeping;</li>
 *   <li>{@code ConsulRouter} — recording, ACL, datacenter, routing and response headers;</li>
 *   <li>{@code KvEndpoint}, {@code TxnEndpoint}, {@code SessionEndpoint}, {@code CatalogEndpoint},
 *       {@code AgentEndpoint} — one per API page, each citing the doc section it follows and saying what it
 *       simplifies;</li>
 *   <li>{@code JsonShapes}, {@code BlockingQuery}, {@code Durations}, {@code ApiRequest},
 *       {@code ApiResponse}, {@code ApiError} — shapes and parsing.</li>
 * </ul>
 */
package io.hecate.agent.consul.testdouble;
