package io.jreap.log.cli;

import io.jreap.log.replay.EventFormat;
import io.jreap.log.replay.Follower;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "follow", mixinStandardHelpOptions = true,
        description = {"Prints events as they arrive, like tail -f: from the end of the log by default, or from its"
                + " start with --from-start. Runs until Ctrl-C; --exit-after-close stops once every log has its CLOSE"
                + " record (the writer shut down), --idle-exit stops after a quiet spell. Takes the filters of"
                + " 'events'."})
final class FollowCommand extends Base {
    @Mixin
    FilterArgs filters;

    @Option(names = "--from-start", description = "First print what the log already holds.")
    boolean fromStart;

    @Option(names = "--exit-after-close", description = "Stop once every log is closed (its writer wrote CLOSE).")
    boolean exitAfterClose;

    @Option(names = "--idle-exit", paramLabel = "MILLIS", defaultValue = "0",
            description = "Stop after MILLIS milliseconds without a new record; 0 (the default) never.")
    long idleExitMillis;

    @Option(names = "--poll", paramLabel = "MILLIS", defaultValue = "100",
            description = "How often to look for new records. Default: ${DEFAULT-VALUE} ms.")
    long pollMillis;

    @Override
    int execute() throws Exception {
        if (idleExitMillis < 0 || pollMillis < 1) {
            throw new io.jreap.log.replay.BadArgumentException("--idle-exit must be 0 or more and --poll 1 or more"
                    + " (milliseconds); got " + idleExitMillis + " and " + pollMillis + ".");
        }
        // Points need a loaded log to anchor times; following has none, so only the other filters apply.
        Follower f = new Follower(logArgs.dirs, filters.filter(null, null, null), fromStart, exitAfterClose,
                idleExitMillis, pollMillis);
        PrintWriter out = out();
        // Stderr, so that stdout holds only events; it also tells a script that following has begun.
        PrintWriter err = spec.commandLine().getErr();
        f.run((item, several) -> {
            out.println(filters.json ? EventFormat.json(item) : EventFormat.text(item, several));
            out.flush();
        }, () -> err.println(ReplayCli.PREFIX + "following " + logArgs.dirs.size() + " log"
                + (logArgs.dirs.size() == 1 ? "" : "s") + (fromStart ? " from the start" : " from the end")
                + (exitAfterClose ? " until closed" : "; Ctrl-C stops")));
        return ReplayCli.OK;
    }
}
