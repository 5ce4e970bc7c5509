package io.jreap.log.cli;

import io.jreap.log.replay.Point;
import picocli.CommandLine.Option;

/** --from/--to of the commands that work on a range of the log. */
final class RangeArgs {
    @Option(names = "--from", paramLabel = "SEQ|TIME", description = "From this point on (inclusive): " + Point.SYNTAX + ".")
    String from;

    @Option(names = "--to", paramLabel = "SEQ|TIME", description = "Up to this point (inclusive); same forms as --from.")
    String to;
}
