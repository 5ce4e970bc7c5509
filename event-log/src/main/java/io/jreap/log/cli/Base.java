package io.jreap.log.cli;

import io.jreap.log.replay.BadArgumentException;
import io.jreap.log.replay.LogException;
import io.jreap.log.replay.LogSet;
import io.jreap.log.replay.Point;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What the subcommands share: the log arguments, output, and loading. */
abstract class Base implements Callable<Integer> {
    @Mixin
    LogArgs logArgs;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    LogSet load() throws LogException {
        return LogSet.load(logArgs.dirs);
    }

    /** Parses an optional point option; null stays null. */
    static Point point(String option, String text, LogSet logs) throws BadArgumentException {
        return text == null ? null : Point.parse(option, text, logs);
    }

    @Override
    public final Integer call() throws Exception {
        try {
            return execute();
        } finally {
            out().flush();
        }
    }

    abstract int execute() throws Exception;
}
