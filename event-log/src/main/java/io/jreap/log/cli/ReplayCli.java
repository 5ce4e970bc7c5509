package io.jreap.log.cli;

import io.jreap.log.replay.BadArgumentException;
import io.jreap.log.replay.LogException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code replay} command line: {@code tree}, {@code events}, {@code stats}, {@code check},
 * {@code timeline} and {@code follow} over one or more jreap event logs.
 *
 * <p>Exit codes: {@value #OK} success (and {@code check} found nothing), {@value #VIOLATIONS}
 * {@code check} found violations, {@value #BAD_INPUT} bad input or usage (one line on stderr that
 * names the input and the fix; no stack trace unless {@code --stacktrace}), {@value #INTERNAL} an
 * unexpected error (a bug: one line, and the trace with {@code --stacktrace}).
 */
public final class ReplayCli {
    public static final int OK = 0;
    public static final int VIOLATIONS = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL = 3;

    /** Prefix of every error line. */
    static final String PREFIX = "jreap replay: ";

    private ReplayCli() {
    }

    /** The top command; without a subcommand it prints usage and fails. */
    @Command(name = "replay", mixinStandardHelpOptions = true, version = "jreap replay, event log schema "
            + io.jreap.log.format.Schema.VERSION,
            description = "Replays jreap event logs: the process tree at any point, filtered events, figures,"
                    + " invariant checks, a timeline picture, and following a live log.",
            subcommands = {TreeCommand.class, EventsCommand.class, StatsCommand.class, CheckCommand.class,
                    TimelineCommand.class, FollowCommand.class},
            footer = {"", "Exit codes: 0 ok, 1 check found violations, 2 bad input or usage, 3 internal error."})
    static final class Top implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no command given: use one of tree, events, stats, check, timeline, follow");
        }
    }

    /** Runs the command line with {@code args} (without the word {@code replay}); returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean stacktrace = Arrays.asList(args).contains("--stacktrace") || Arrays.asList(args).contains("-v");
        PrintWriter o = new PrintWriter(out, false);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cl = new CommandLine(new Top());
        cl.setOut(o);
        cl.setErr(e);
        cl.setParameterExceptionHandler((ex, a) -> {
            String sub = ex.getCommandLine().getCommandSpec().qualifiedName();
            e.println(PREFIX + oneLine(ex.getMessage()) + " (see '" + sub + " --help')");
            if (stacktrace) {
                ex.printStackTrace(e);
            }
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            o.flush();
            if (ex instanceof LogException || ex instanceof BadArgumentException) {
                e.println(PREFIX + oneLine(ex.getMessage()));
            } else {
                e.println(PREFIX + "internal error: " + oneLine(String.valueOf(ex))
                        + (stacktrace ? "" : " (run again with --stacktrace for details, and report it)"));
            }
            if (stacktrace) {
                ex.printStackTrace(e);
            }
            return ex instanceof LogException || ex instanceof BadArgumentException ? BAD_INPUT : INTERNAL;
        });
        try {
            return cl.execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
