package io.jreap.agent;

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
        }
    }

    private static void stop(String line, boolean dynamic) {
        JreapAgent.stop(line, dynamic);
    }
}
