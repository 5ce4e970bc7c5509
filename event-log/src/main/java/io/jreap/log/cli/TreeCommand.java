package io.jreap.log.cli;

import io.jreap.log.replay.LogSet;
import io.jreap.log.replay.Point;
import io.jreap.log.replay.TreeAt;
import io.jreap.log.replay.TreePrinter;
import io.jreap.log.replay.WriterLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tree", mixinStandardHelpOptions = true,
        description = {"Prints the process tree at a point of the log (default: its end), pstree-like: pid, group,"
                + " session, state (running, dying(SIG... sent), zombie(exit N), zombie(killed-by-SIG...)), reaper and"
                + " pool marks, sandbox.",
                "Starts from the latest snapshot at or before the point, so it works on logs whose oldest cycles"
                        + " were deleted. With several logs, prints one tree per log."})
final class TreeCommand extends Base {
    @Option(names = "--at", paramLabel = "SEQ|TIME", description = "The point: " + Point.SYNTAX
            + ". A sequence number means after that event; a time, after every event made by then.")
    String at;

    @Override
    int execute() throws Exception {
        LogSet logs = load();
        Point p = point("--at", at, logs);
        boolean first = true;
        for (WriterLog log : logs.logs()) {
            if (!first) {
                out().println();
            }
            first = false;
            TreePrinter.print(TreeAt.of(log, p), out());
        }
        return ReplayCli.OK;
    }
}
