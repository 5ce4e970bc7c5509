package io.jreap.kernel;

import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * What the kernel does to the executor behind a pool LWP, and to a killed LWP's timer thread. A killed pool is shut down with
 * {@code shutdownNow}: later submissions get the pool's own {@code RejectedExecutionException}.
 * The agent installs a {@link #shutdowns} consumer that runs the shutdown on a host thread of its
 * own, because {@code shutdownNow} and the {@code terminated()} hook it calls may be overridden by
 * plugin code, which must not run on the killer's thread.
 */
final class PoolSupport {
    /** Runs shutdowns; null until an agent installs one (then they run inline). */
    static volatile Consumer<Object> shutdowns;

    private PoolSupport() {
    }

    /**
     * Ends a killed LWP's {@code java.util.Timer} thread, which swallows interrupts: the same as
     * {@code Timer.cancel()}, done from outside (the Timer object itself is not reachable from its
     * thread). Needs {@code java.util} opened to the runtime, which the agent does.
     */
    static void cancelTimerThread(Thread t) {
        try {
            Class<?> c = t.getClass();
            java.lang.reflect.Field more = c.getDeclaredField("newTasksMayBeScheduled");
            java.lang.reflect.Field q = c.getDeclaredField("queue");
            more.setAccessible(true);
            q.setAccessible(true);
            Object queue = q.get(t);
            java.lang.reflect.Method clear = queue.getClass().getDeclaredMethod("clear");
            clear.setAccessible(true);
            synchronized (queue) {
                more.setBoolean(t, false);
                clear.invoke(queue);
                queue.notify();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Not opened (no agent) or another JDK layout: the interrupt is all the thread gets.
        }
    }

    static boolean isTimerThread(Thread t) {
        return t.getClass().getName().equals("java.util.TimerThread");
    }

    /**
     * Whether {@link #shutdownNow} hands the shutdown to another thread. Then a killed pool with no
     * worker is exited by that thread once the pool is shut down, not at once: whoever waits for
     * the sandbox must find the pool refusing work, not a pool that a host submission would give a
     * new (host) worker.
     */
    static boolean shutsDownLater() {
        return shutdowns != null;
    }

    static void shutdownNow(Object pool) {
        Consumer<Object> c = shutdowns;
        if (c != null) {
            c.accept(pool);
        } else if (pool instanceof ExecutorService es) {
            es.shutdownNow();
        } else if (pool instanceof Thread t) {
            cancelTimerThread(t);
        }
    }

    /** Whether a pool that was just shut down has terminated (no worker, none to come). */
    static boolean isTerminated(Object pool) {
        try {
            return pool instanceof ExecutorService es && es.isTerminated();
        } catch (RuntimeException e) {
            return false; // a plugin override that throws: the pool stays until it is killed
        }
    }

    /** Whether a pool LWP whose last worker just ended is done (shut down by its owner). */
    static boolean isShutdown(Object pool) {
        try {
            return pool instanceof ExecutorService es && es.isShutdown();
        } catch (RuntimeException e) {
            return false; // a plugin override that throws: the pool stays until it is killed
        }
    }
}
