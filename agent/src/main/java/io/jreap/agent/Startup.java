package io.jreap.agent;

import io.jreap.agent.log.AgentLog;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * The start-up once the JDK is known to be supported (see {@link JreapAgent}, which calls this by
 * reflection): checks the options, defines the runtime in the bootstrap loader
 * ({@link BootInjector}), and only then touches runtime classes (through {@link Installer}): a
 * runtime class loaded earlier would come from the application loader, a second copy.
 *
 * <p>Failure policy: bad options stop the JVM with one line (a dynamic attach fails instead). If
 * instrumentation cannot be installed, the JVM stops unless {@code onFailure=continue}, which runs
 * it without sandboxing and says so; it never runs unprotected silently.
 */
final class Startup {
    private Startup() {
    }

    static void start(String args, Instrumentation inst, boolean dynamic) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, System.getProperties());
        } catch (AgentOptions.Invalid e) {
            stop(e.getMessage(), dynamic);
            return;
        }
        if (BootInjector.alreadyDefined()) {
            System.err.println("jreap: the agent is already installed in this JVM; this second "
                    + (dynamic ? "attach" : "-javaagent") + " is ignored, with its options");
            return;
        }
        try {
            if (dynamic) {
                List<String> early = BootInjector.loadedElsewhere(inst);
                if (!early.isEmpty()) {
                    throw new IllegalStateException("the application already loaded jreap's runtime from its own "
                            + "class path (" + early.get(0) + "); start the JVM with -javaagent instead of attaching");
                }
            }
            long t0 = System.nanoTime();
            int defined = BootInjector.defineRuntime(inst);
            Installer.install(inst, options, defined, t0);
        } catch (Throwable e) {
            String why = e instanceof IllegalStateException ? e.getMessage() : String.valueOf(e);
            if (options.continueOnFailure()) {
                System.err.println("jreap: WARNING: could not instrument this JVM (" + why + "); it runs WITHOUT "
                        + "sandboxing because onFailure=continue");
                return;
            }
            stop("could not instrument this JVM (" + why + "); pass onFailure=continue to run it without "
                    + "sandboxing", dynamic);
            return;
        }
        if (options.log() != null) {
            startLog(inst, options, dynamic);
        }
    }

    /** Starts the event log (after the hooks, which it needs to keep Chronicle quiet on JDK 24+). */
    private static void startLog(Instrumentation inst, AgentOptions options, boolean dynamic) {
        AgentOptions.LogSettings l = options.log();
        try {
            AgentLog.start(inst, BootInjector.agentJar(), l.dir(), l.rollCycle(), l.retainCycles(), l.dropWhenFull(),
                    l.forkStacks(), l.capacity());
        } catch (Throwable e) {
            String why = e instanceof IllegalStateException || e instanceof IllegalArgumentException ? e.getMessage()
                    : String.valueOf(e);
            if (options.continueOnFailure()) {
                System.err.println("jreap: WARNING: could not start the event log in " + l.dir() + " (" + why
                        + "); the JVM runs WITHOUT it because onFailure=continue");
                return;
            }
            stop("could not start the event log in " + l.dir() + " (" + why + "); fix log=" + l.dir()
                    + " or remove it", dynamic);
            return;
        }
        if (options.verbose()) {
            System.err.println("jreap: event log: writing to " + l.dir().toAbsolutePath() + " (roll " + l.rollCycle()
                    + ", keep " + (l.retainCycles() == 0 ? "all cycles" : l.retainCycles() + " cycles") + ", "
                    + (l.dropWhenFull() ? "drop" : "block") + " when full, hand-off " + l.capacity() + " events"
                    + (l.forkStacks() ? ", fork stacks" : "") + ")");
        }
    }

    private static void stop(String line, boolean dynamic) {
        JreapAgent.stop(line, dynamic);
    }
}
