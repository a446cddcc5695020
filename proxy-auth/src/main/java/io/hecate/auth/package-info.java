/**
 * Route filters that decide who may use a route: {@link io.hecate.auth.ForwardAuthFilterFactory
 * forward} (generic forward auth), {@link io.hecate.auth.AuthentikFilterFactory authentik} (its
 * preset for Authentik's outpost), {@link io.hecate.auth.BasicAuthFilterFactory basic} (HTTP Basic
 * with bcrypt hashes) and {@link io.hecate.auth.IpFilterFactory ip} (allow and deny CIDR lists), and
 * their {@link io.hecate.auth.AuthMetrics metrics}. Register the factories with
 * {@code Hecate.builder().filter(...)}, or let {@link java.util.ServiceLoader} find them
 * ({@code META-INF/services/io.hecate.core.filter.RouteFilterFactory}). Everything under
 * {@code io.hecate.auth.internal} is implementation, not API. See {@code docs/auth.md}.
 */
package io.hecate.auth;
