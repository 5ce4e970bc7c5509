package io.jreap.log.cli;

import io.jreap.log.replay.EventFilter;
import io.jreap.log.replay.EventFormat;
import io.jreap.log.replay.Item;
import io.jreap.log.replay.LogSet;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Prints the events of the log, filtered: one line each (#seq, local time, type, fields), or"
                + " one JSON object per line with --json. DROPPED and CLOSE records are shown when no pid, group or"
                + " type filter is given. With several logs, events are merged by time and each names its log."})
final class EventsCommand extends Base {
    @Mixin
    FilterArgs filters;

    @Mixin
    RangeArgs range;

    @Override
    int execute() throws Exception {
        LogSet logs = load();
        EventFilter f = filters.filter(logs, range.from, range.to);
        PrintWriter out = out();
        boolean several = logs.several();
        for (Item it : logs.merged()) {
            if (f.accepts(it)) {
                out.println(filters.json ? EventFormat.json(it) : EventFormat.text(it, several));
            }
        }
        return ReplayCli.OK;
    }
}
