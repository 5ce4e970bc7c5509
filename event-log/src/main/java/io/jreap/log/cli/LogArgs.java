package io.jreap.log.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every subcommand takes: the log directories, and whether to show stack traces. */
final class LogArgs {
    @Parameters(arity = "1..*", paramLabel = "DIR",
            description = "A queue directory the jreap agent wrote (agent option log=DIR); several directories are"
                    + " several JVMs, merged by wall-clock time.")
    List<Path> dirs = new ArrayList<>();

    @Option(names = {"-v", "--stacktrace"}, description = "On an error, also print the stack trace.")
    boolean stacktrace;
}
