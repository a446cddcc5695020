package io.hecate.agent.cli;

/** The process exit codes, shared by every command so scripts can tell failures apart. */
final class Exit {

    static final int OK = 0;
    /** {@code validate} found problems, a Consul command was refused, or something unexpected failed. */
    static final int PROBLEMS = 1;
    /** {@code run}: the first configuration was invalid or a listener could not be bound. */
    static final int CANNOT_START = 2;
    /** {@code run}: a second SIGTERM/SIGINT cut the drain short. */
    static final int FORCED = 3;
    /** Unknown command or option; kept apart from 2 so "bad config" stays unambiguous. */
    static final int USAGE = 64;

    private Exit() {
    }
}
