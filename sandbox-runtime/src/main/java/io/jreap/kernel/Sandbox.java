package io.jreap.kernel;

import io.jreap.proc.KillResult;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.Signal;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a host creates for one plugin: a new session and process group led by a thread-less reaper
 * LWP. Everything the plugin starts descends from that reaper, which is never signalled (not even
 * by the plugin's own {@code killpg}) and exits only when {@link #close} finds nothing running, so
 * the plugin's orphans are never handed to init.
 *
 * <p>{@link #kill()} is {@code PROC_REAP_KILL} with {@code KILL}; {@link #shutdown} sends
 * {@code TERM}, waits, then {@code KILL}s what is left.
 */
public final class Sandbox implements AutoCloseable {
    private final Kernel kernel;
    private final String name;
    final int maxLwps;
    Lwp reaper;

    // Guarded by the kernel's tree lock.
    /** LWPs not yet reaped (the limit counts these), the reaper excluded. */
    int lwps;
    /** LWPs not yet exited, the reaper excluded. */
    int running;
    boolean closed;

    private final ReentrantLock termLock = new ReentrantLock();
    private final Condition terminated = termLock.newCondition();

    Sandbox(Kernel kernel, String name, int maxLwps) {
        this.kernel = kernel;
        this.name = name;
        this.maxLwps = maxLwps;
    }

    public String name() {
        return name;
    }

    /** The pid of the sandbox's reaper; also its session id and group id. */
    public long pid() {
        return reaper.pid;
    }

    /** The most LWPs that may be alive in the sandbox at once. */
    public int maxLwps() {
        return maxLwps;
    }

    /** LWPs of the sandbox that have not exited yet. */
    public int liveLwps() {
        return kernel.running(this);
    }

    /** Starts {@code task} in a new LWP, a child of the sandbox's reaper, on a platform thread. */
    public LwpHandle spawn(Runnable task) {
        return spawn(ForkOptions.platform(), task);
    }

    /**
     * Starts {@code task} in a new LWP, a child of the sandbox's reaper.
     *
     * @throws IllegalStateException if the sandbox is closed
     * @throws io.jreap.proc.LwpLimitException (EAGAIN) at the sandbox's LWP limit
     * @throws PermissionDeniedException (EPERM) if the calling thread belongs to an
     *     LWP: LWPs fork with {@link Kernel#fork}
     */
    public LwpHandle spawn(ForkOptions options, Runnable task) {
        if (kernel.inLwp()) {
            // A spawn forks from the reaper, which is never signalled, with no check point of the
            // caller and not under the caller's group lock: an LWP that a kill already marked could
            // start a child that escapes the kill (or, from another sandbox, plant one here).
            throw new PermissionDeniedException("only the host spawns into sandbox " + name
                    + "; pid " + kernel.getpid() + " is an LWP and forks with Kernel.fork");
        }
        return kernel.forkThread(reaper, false, options, task);
    }

    /** Sends {@code sig} to every LWP of the sandbox ({@code PROC_REAP_KILL}); nothing to signal is 0 killed. */
    public KillResult signal(Signal sig) {
        try {
            return kernel.reaperKill(reaper.pid, sig, Kernel.REAPER_KILL_ALL, 0);
        } catch (NoSuchProcessException e) {
            return e.partialResult().orElse(new KillResult(0, -1, new long[0]));
        }
    }

    /**
     * {@code PROC_REAP_KILL} with {@code KILL}: when it returns, every LWP of the sandbox, including
     * any whose birth overlapped the kill, is marked killed; their threads are interrupted and fail
     * at their next check point. Waiting for them is {@link #awaitTermination}.
     */
    public KillResult kill() {
        return signal(Signal.KILL);
    }

    /** {@code TERM}, wait up to {@code grace}, then {@code KILL} and wait up to {@code grace} again. */
    public boolean shutdown(Duration grace) throws InterruptedException {
        signal(Signal.TERM);
        if (awaitTermination(grace)) {
            return true;
        }
        kill();
        return awaitTermination(grace);
    }

    /** Waits until no LWP of the sandbox runs; true if that happened within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        termLock.lock();
        try {
            while (kernel.running(this) > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            termLock.unlock();
        }
    }

    /** Called by the thread that just changed {@link #running}, after it released the tree lock. */
    void signalIfEmpty() {
        if (running == 0) { // racy but safe: a stale value only skips a wake-up nobody needs
            termLock.lock();
            try {
                terminated.signalAll();
            } finally {
                termLock.unlock();
            }
        }
    }

    /** Whether {@link #close} completed. */
    public boolean isClosed() {
        return !reaper.alive();
    }

    /**
     * Kills what is left, waits up to {@code timeout} for it to end, then ends the reaper.
     *
     * @throws IllegalStateException if LWPs still run after {@code timeout} (threads that ignore
     *     interrupts and reach no check point); the sandbox stays open and close may be retried
     */
    public void close(Duration timeout) throws InterruptedException {
        if (isClosed()) {
            return;
        }
        kill();
        if (!awaitTermination(timeout) || !kernel.closeSandbox(this)) {
            throw new IllegalStateException("sandbox " + name + ": " + liveLwps() + " LWPs still run "
                    + timeout.toMillis() + " ms after KILL (threads that ignore interrupts and reach no "
                    + "check point); close() again to retry");
        }
    }

    /** {@link #close(Duration)} with 30 seconds. */
    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return "Sandbox[" + name + ", pid " + (reaper == null ? "?" : reaper.pid) + "]";
    }
}
