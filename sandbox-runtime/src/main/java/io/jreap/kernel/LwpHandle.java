package io.jreap.kernel;

import java.time.Duration;

/** The result of a fork: the child's pid and the thread that runs it. */
public interface LwpHandle {
    /** The LWP's pid. */
    long pid();

    /** The thread this fork started. */
    Thread thread();

    /** Waits for the thread to end. */
    default void join() throws InterruptedException {
        thread().join();
    }

    /** Waits at most {@code timeout} for the thread to end; true if it did. */
    default boolean join(Duration timeout) throws InterruptedException {
        thread().join(Math.max(1, timeout.toMillis()));
        return !thread().isAlive();
    }
}
