package io.hecate.agent.cli;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Prints a rejected configuration's problems, one per line, in the {@code file:line: key: message} form. */
final class Problems {

    private Problems() {
    }

    static void print(ConfigException rejected, Path file, PrintWriter err) {
        for (ConfigProblem problem : rejected.problems()) {
            // Problems found while binding carry no file, but their key lives in this one.
            ConfigProblem located = problem.source() != null ? problem
                    : new ConfigProblem(file.toString(), problem.line(), problem.path(), problem.message());
            err.println(located);
        }
        err.flush();
    }
}
