package io.jreap.log.cli;

import io.jreap.log.replay.LogSet;
import io.jreap.log.replay.Timeline;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "timeline", mixinStandardHelpOptions = true,
        description = {"Writes one self-contained HTML file (inline SVG, CSS and JavaScript; no network, no external"
                + " fonts) showing LWPs as lanes over time with forks, signals, exits, and kills as bands labelled"
                + " 'kill'. Lanes are grouped by sandbox and process group; large groups start collapsed to a density"
                + " row (click to expand). Zoom with the mouse wheel, the buttons, or the range form; --from/--to"
                + " bound what is written."})
final class TimelineCommand extends Base {
    @Option(names = "--html", paramLabel = "FILE", required = true, description = "The HTML file to write.")
    Path html;

    @Mixin
    RangeArgs range;

    @Override
    int execute() throws Exception {
        LogSet logs = load();
        int lanes;
        try {
            lanes = Timeline.write(logs, point("--from", range.from, logs), point("--to", range.to, logs), html);
        } catch (java.io.IOException e) {
            throw new io.jreap.log.replay.BadArgumentException("--html " + html + ": cannot write the file (" + e
                    + "). Give a file in a writable directory.");
        }
        out().println("timeline: " + lanes + " lanes written to " + html.toAbsolutePath());
        return ReplayCli.OK;
    }
}
