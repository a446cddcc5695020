package io.hecate.agent.cli;

import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.KvDocument;
import io.hecate.agent.consul.internal.KvDocuments;
import io.hecate.agent.consul.internal.KvLayout;
import io.hecate.core.config.ConfigDocuments;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RedirectAction;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.SortedMap;
import java.util.stream.Collectors;

@Command(name = "list",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = {"List the routes or the upstreams in Consul KV, one line each.",
                "Routes:    ID  HOST/PATH -> UPSTREAM (or: respond STATUS, redirect STATUS URL)",
                "Upstreams: NAME  TARGET, TARGET...",
                "HOST is * for any host; PATH ends in * for a prefix, starts with ~ for a regex."})
final class ListCommand extends ConsulCommand {

    @Parameters(index = "0", paramLabel = "routes|upstreams", converter = DocumentKind.Converter.class,
            description = "what to list")
    private DocumentKind kind;

    @Override
    int run(ConsulConnection consul, KvLayout layout) throws ConsulUnavailableException {
        SortedMap<String, KvDocument> documents = kind.stored(KvDocuments.read(consul, layout));
        if (documents.isEmpty()) {
            err().println("no " + kind.plural() + " under " + kind.folder(layout));
        }
        int width = documents.keySet().stream().mapToInt(String::length).max().orElse(0);
        documents.forEach((name, document) ->
                out().println(String.format("%-" + width + "s  %s", name, summary(name, document))));
        out().flush();
        return Exit.OK;
    }

    /** What the document does, or why it cannot be read: a listing must not stop at one broken document. */
    private String summary(String name, KvDocument document) {
        String source = "consul:" + document.key();
        try {
            return kind == DocumentKind.ROUTE
                    ? route(ConfigDocuments.route(source, name, document.text()))
                    : upstream(ConfigDocuments.upstream(source, document.text()));
        } catch (ConfigException e) {
            return "(cannot be read: " + e.problems().get(0) + ")";
        }
    }

    private static String route(RouteConfig route) {
        MatchConfig match = route.match();
        String host = match.host() == null ? "*" : match.host();
        String path = match.path() != null ? match.path()
                : match.pathRegex() != null ? "~" + match.pathRegex()
                : (match.pathPrefix() == null ? "/" : match.pathPrefix()) + "*";
        String target;
        if (route.action() instanceof ProxyAction proxy) {
            target = proxy.upstream();
        } else if (route.action() instanceof RespondAction respond) {
            target = "respond " + respond.status();
        } else if (route.action() instanceof RedirectAction redirect) {
            target = "redirect " + redirect.status() + " " + redirect.location();
        } else {
            target = "(no action)";
        }
        return host + path + " -> " + target;
    }

    private static String upstream(UpstreamConfig upstream) {
        return upstream.targets().stream().map(TargetConfig::address).collect(Collectors.joining(", "));
    }
}
