package io.hecate.agent.cli;

import io.hecate.core.config.ConfigProblem;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A command refused to go on (exit code 1); the message says why, and what to do about it. */
final class Refusal extends Exception {

    Refusal(String message) {
        super(message);
    }

    /** Each problem on a line of its own ({@code source:line: key: message}), then {@code conclusion}. */
    static Refusal of(List<ConfigProblem> problems, String conclusion) {
        return new Refusal(Stream.concat(problems.stream().map(ConfigProblem::toString), Stream.of(conclusion))
                .collect(Collectors.joining("\n")));
    }
}
