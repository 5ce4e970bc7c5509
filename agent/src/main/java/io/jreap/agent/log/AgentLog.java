package io.jreap.agent.log;

import io.jreap.event.EventSink;
import io.jreap.kernel.JdkHooks;
import io.jreap.kernel.Kernel;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The agent's event log: an {@code io.jreap.log.sink.EventLogSink} from the {@link IsolatedLoader},
 * installed as {@code Kernel.global()}'s event sink.
 *
 * <p>Start-up ({@link #start}) is cheap: it builds the sink (the hand-off queue) and starts its
 * writer thread, which loads Chronicle and opens the queue off the start-up path; events wait in
 * the hand-off meanwhile. The writer is started by the agent's start-up thread (a host thread,
 * before any sandbox exists), so it and any thread it starts belong to no LWP.
 *
 * <p>Shutdown ({@link #stop}, from the JVM shutdown hook or {@code JreapAgent.stop()}) uninstalls
 * the sink, then closes it (the writer writes what was handed over and a CLOSE record) with a
 * bounded wait.
 *
 * <p>The agent talks to event-log by reflection only: its classes are visible to the isolated
 * loader, not to the application loader that loaded this class. The sink's type,
 * {@link EventSink}, is the runtime's, from the bootstrap loader, for both.
 */
public final class AgentLog {
    /** How long shutdown waits for the writer. */
    static final long CLOSE_TIMEOUT_MS = 10_000;

    private static volatile AgentLog current;

    private final Object sink;
    private final EventSink asSink;
    private final Method close;
    private final Thread hook;
    private boolean stopped;

    private AgentLog(Object sink, Method close) {
        this.sink = sink;
        this.asSink = (EventSink) sink;
        this.close = close;
        this.hook = new Thread(AgentLog::stopCurrent, "jreap event log shutdown");
    }

    /**
     * Creates the sink in a new isolated loader over {@code agentJar}, grants Chronicle its module
     * access, starts the writer and installs the sink. The arguments are {@code AgentOptions.LogSettings}'
     * fields (this package does not see that record).
     */
    public static synchronized AgentLog start(Instrumentation inst, Path agentJar, Path dir, String rollCycle,
            int retainCycles, boolean dropWhenFull, boolean forkStacks, int capacity) throws Exception {
        if (current != null) {
            throw new IllegalStateException("the event log is already running");
        }
        IsolatedLoader loader = new IsolatedLoader(agentJar);
        ModuleAccess.grant(inst, loader.getUnnamedModule());
        Class<?> optionsType = Class.forName("io.jreap.log.sink.EventLogOptions", true, loader);
        Class<?> sinkType = Class.forName("io.jreap.log.sink.EventLogSink", true, loader);
        Constructor<?> oc = optionsType.getConstructor(Path.class, String.class, int.class, boolean.class,
                boolean.class, int.class);
        Object options = oc.newInstance(dir, rollCycle, retainCycles, dropWhenFull, forkStacks, capacity);
        Object sink;
        try {
            sink = sinkType.getConstructor(optionsType).newInstance(options);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
        AgentLog log = new AgentLog(sink, sinkType.getMethod("close", long.class, TimeUnit.class));
        Thread writer = (Thread) sinkType.getMethod("writerThread").invoke(sink);
        writer.setContextClassLoader(loader);
        JdkHooks.quietUnsafeWarning(writer);
        sinkType.getMethod("start").invoke(sink);
        Kernel.global().setEventSink(log.asSink);
        Runtime.getRuntime().addShutdownHook(log.hook);
        current = log;
        return log;
    }

    /** The running log, or null. */
    public static AgentLog current() {
        return current;
    }

    /** The sink object (an {@code EventLogSink} of the isolated loader). */
    public Object sink() {
        return sink;
    }

    /** Stops the running log, if any; true if it is closed (or there was none). */
    public static boolean stopCurrent() {
        AgentLog log = current;
        return log == null || log.stop();
    }

    /**
     * Uninstalls the sink (if it is still the kernel's), then closes it, waiting at most
     * {@link #CLOSE_TIMEOUT_MS}. Idempotent. True if the writer finished in time.
     */
    public synchronized boolean stop() {
        if (stopped) {
            return true;
        }
        stopped = true;
        Kernel k = Kernel.global();
        if (k.eventSink() == asSink) {
            k.setEventSink(EventSink.NONE);
        }
        boolean done;
        try {
            done = (Boolean) close.invoke(sink, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            done = false;
        } catch (IllegalAccessException e) {
            done = false;
        }
        if (!done) {
            System.err.println("jreap: event log: the writer did not finish within " + CLOSE_TIMEOUT_MS / 1000
                    + " s; the log ends without its CLOSE record (what was written before stays readable)");
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs or has run; it finds this log stopped.
            }
        }
        if (done) {
            JdkHooks.quietUnsafeWarning(null);
        }
        if (current == this) {
            current = null;
        }
        return done;
    }
}
