package io.jreap.kernel;

import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * What the kernel does to the executor behind a pool LWP. A killed pool is shut down with
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

    static void shutdownNow(Object pool) {
        Consumer<Object> c = shutdowns;
        if (c != null) {
            c.accept(pool);
        } else if (pool instanceof ExecutorService es) {
            es.shutdownNow();
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
