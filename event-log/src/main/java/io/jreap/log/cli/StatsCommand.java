package io.jreap.log.cli;

import io.jreap.log.replay.Stats;
import picocli.CommandLine.Command;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Prints figures: events per type and per sandbox, the fork rate (mean over the log's span and"
                + " the busiest second), kill latencies (KILL_BEGIN to KILL_END, and KILL_BEGIN to the last EXIT of"
                + " the LWPs it terminated: p50, p99, max), and dropped events."})
final class StatsCommand extends Base {
    @Override
    int execute() throws Exception {
        Stats.of(load()).print(out());
        return ReplayCli.OK;
    }
}
