package io.jreap.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * The agent's entry points: {@code -javaagent:jreap-agent.jar[=options]} ({@link #premain}) and
 * dynamic attach ({@link #agentmain}).
 *
 * <p>This one class is compiled for Java 8 (see the agent's pom), so that on a JDK older than 17
 * it still loads and can say, in one line, that the JDK is not supported, instead of the JVM's
 * {@code UnsupportedClassVersionError} and a crashed agent. It refers to no other class of the
 * agent by name: on a supported JDK it hands over to {@code Startup} by reflection.
 */
public final class JreapAgent {
    /** The oldest JDK (feature release) jreap runs on. */
    static final int OLDEST_JDK = 17;

    private JreapAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /**
     * {@code java -jar jreap-agent.jar replay ...}: the replay command line (exits with its status);
     * {@code java -jar jreap-agent.jar}: how to use the jar.
     */
    public static void main(String[] args) {
        if (args.length > 0 && "replay".equals(args[0])) {
            String jdk = unsupportedJdk(feature(System.getProperty("java.specification.version")));
            if (jdk != null) {
                System.err.println("jreap: " + jdk.replace("or start it without the jreap agent", "to replay a log"));
                System.exit(1);
            }
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            int status;
            try {
                status = (Integer) Class.forName("io.jreap.agent.log.ReplayCommand")
                        .getDeclaredMethod("run", String[].class).invoke(null, (Object) rest);
            } catch (InvocationTargetException e) {
                System.err.println("jreap: replay failed: " + e.getCause());
                status = 1;
            } catch (ReflectiveOperationException e) {
                System.err.println("jreap: the agent jar is incomplete (" + e + "); use the jreap-agent.jar the build "
                        + "produced");
                status = 1;
            }
            System.exit(status);
        }
        System.out.println("jreap agent: attach it to a JVM with -javaagent:jreap-agent.jar[=key=value,...]");
        System.out.println("  options: onFailure=stop|continue  exit=lwp|sandbox  verbose=false|true");
        System.out.println("           log=DIR  log.roll=FAST_HOURLY  log.retain=0  log.full=block|drop");
        System.out.println("           log.stacks=false|true  log.capacity=65536");
        System.out.println("  (or -Djreap.<key>=<value>; see docs/AGENT.md)");
        System.out.println("replay an event log: java -jar jreap-agent.jar replay <command> ... (see docs/REPLAY.md)");
    }

    /**
     * Stops what the agent runs that can be stopped: uninstalls the event log and closes it (it
     * writes what was handed over and a CLOSE record), waiting a bounded time. The sandboxing stays.
     * A host calls it when it wants the log complete before the JVM ends; the agent's shutdown hook
     * does the same at exit. Idempotent.
     *
     * @return true if nothing is left running (no log, or its writer finished in time)
     */
    public static boolean stop() {
        try {
            Class<?> log = Class.forName("io.jreap.agent.log.AgentLog");
            return (Boolean) log.getMethod("stopCurrent").invoke(null);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("jreap: stopping the event log failed", e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            return true; // no agent (or no log) in this JVM
        }
    }

    private static void start(String args, Instrumentation inst, boolean dynamic) {
        String jdk = unsupportedJdk(feature(System.getProperty("java.specification.version")));
        if (jdk != null) {
            stop(jdk, dynamic);
            return;
        }
        try {
            Class.forName("io.jreap.agent.Startup")
                    .getDeclaredMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, args, inst, dynamic);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause; // a failed dynamic attach: the attaching tool is told
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            stop("the agent jar is incomplete (" + e + "); use the jreap-agent.jar the build produced", dynamic);
        }
    }

    /** The feature release in {@code java.specification.version}: "1.8" is 8, "11" is 11. */
    static int feature(String specificationVersion) {
        String v = specificationVersion == null ? "" : specificationVersion.trim();
        if (v.startsWith("1.")) {
            v = v.substring(2);
        }
        int dot = v.indexOf('.');
        if (dot >= 0) {
            v = v.substring(0, dot);
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Null if this JDK is supported, else the line that says why not and what to do. */
    static String unsupportedJdk(int feature) {
        if (feature < OLDEST_JDK) {
            return "JDK " + (feature > 0 ? String.valueOf(feature) : "(unknown version)")
                    + " is not supported: jreap needs JDK " + OLDEST_JDK
                    + " or newer; run this application on JDK 17+, or start it without the jreap agent";
        }
        return null;
    }

    /**
     * Ends a start-up: at JVM start, one line on standard error and the JVM exits with status 1
     * before {@code main} runs; in a dynamic attach, an exception, which fails the attach (the
     * attaching tool gets {@code AgentInitializationException}) and leaves the JVM running.
     */
    static void stop(String line, boolean dynamic) {
        if (dynamic) {
            throw new AttachFailed("jreap: " + line);
        }
        System.err.println("jreap: " + line);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }

    /**
     * Fails a dynamic attach. The JVM prints it on its standard error (with the reflection frames
     * that called {@code agentmain}); its own stack trace would only add the agent's frames.
     */
    static final class AttachFailed extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        AttachFailed(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
