package io.jreap.log.cli;

import io.jreap.log.replay.BadArgumentException;
import io.jreap.log.replay.EventFilter;
import io.jreap.log.replay.LogSet;
import io.jreap.log.replay.Point;
import picocli.CommandLine.Option;

/** The event filters of {@code events} and {@code follow}. */
final class FilterArgs {
    @Option(names = "--pid", paramLabel = "PID", description = "Only events about this LWP (its own, and the FORKs of"
            + " its children).")
    Long pid;

    @Option(names = "--subtree", description = "With --pid: also the events of its descendants (known from FORK"
            + " events and snapshots).")
    boolean subtree;

    @Option(names = "--pgid", paramLabel = "PGID", description = "Only events whose process group is PGID.")
    Long pgid;

    @Option(names = "--type", paramLabel = "TYPE[,TYPE...]", description = "Only these event types (any case):"
            + " FORK, FORK_DENIED, FORK_FAILED, THREAD_ADD, EXIT, REAP, REPARENT, SIGNAL_SENT, SIGNAL_DELIVERED,"
            + " KILL_BEGIN, KILL_END, SETPGID, SETSID, REAPER_ACQUIRE, REAPER_RELEASE, SANDBOX, EXIT_CALL.")
    String types;

    @Option(names = "--json", description = "One JSON object per line instead of text.")
    boolean json;

    EventFilter filter(LogSet logs, String from, String to) throws BadArgumentException {
        if (subtree && pid == null) {
            throw new BadArgumentException("--subtree needs --pid PID: give the LWP whose subtree you want.");
        }
        Point f = from == null ? null : Point.parse("--from", from, logs);
        Point t = to == null ? null : Point.parse("--to", to, logs);
        return new EventFilter(pid, subtree, pgid, types == null ? null : EventFilter.parseTypes("--type", types), f, t);
    }
}
