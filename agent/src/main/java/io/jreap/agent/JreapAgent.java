package io.jreap.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:jreap-agent.jar[=options]} ({@link #premain}) and
 * dynamic attach ({@link #agentmain}). It checks the options and the JDK, defines the runtime in the
 * bootstrap loader ({@link BootInjector}), and only then touches runtime classes (through
 * {@link Installer}): a runtime class loaded earlier would come from the application loader, a
 * second copy.
 *
 * <p>Failure policy: bad options stop the JVM with one line (a dynamic attach fails instead). If
 * instrumentation cannot be installed, the JVM stops unless {@code onFailure=continue}, which runs
 * it without sandboxing and says so; it never runs unprotected silently.
 */
public final class JreapAgent {
    private JreapAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /** {@code java -jar jreap-agent.jar}: how to use it. */
    public static void main(String[] args) {
        System.out.println("jreap agent: attach it to a JVM with -javaagent:" + jarName() + "[=key=value,...]");
        System.out.println("  options: onFailure=stop|continue  exit=lwp|sandbox  verbose=false|true");
        System.out.println("  (or -Djreap.<key>=<value>; see docs/AGENT.md)");
    }

    private static void start(String args, Instrumentation inst, boolean dynamic) {
        String jdk = AgentOptions.unsupportedJdk(Runtime.version().feature());
        if (jdk != null) {
            stop(jdk, dynamic);
            return;
        }
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, System.getProperties());
        } catch (AgentOptions.Invalid e) {
            stop(e.getMessage(), dynamic);
            return;
        }
        if (BootInjector.alreadyDefined()) {
            System.err.println("jreap: the agent is already installed in this JVM; the second -javaagent/attach is ignored");
            return;
        }
        try {
            if (dynamic) {
                java.util.List<String> early = BootInjector.loadedElsewhere(inst);
                if (!early.isEmpty()) {
                    throw new IllegalStateException("the host already loaded jreap's runtime from its own class path ("
                            + early.get(0) + "); attach the agent at start-up with -javaagent instead");
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
            stop("could not instrument this JVM: " + why + "; fix that, or pass onFailure=continue to run without "
                    + "sandboxing", dynamic);
        }
    }

    private static void stop(String line, boolean dynamic) {
        if (dynamic) {
            throw new IllegalStateException("jreap: " + line);
        }
        System.err.println("jreap: " + line);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }

    private static String jarName() {
        try {
            return BootInjector.agentJar().getFileName().toString();
        } catch (Exception e) {
            return "jreap-agent.jar";
        }
    }
}
