package io.jreap.kernel;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The "jreap killer" threads: platform threads that run the locking part of a kill called from a
 * virtual thread ({@link Kernel#kill}, {@link Kernel#killpg}, {@link Kernel#reaperKill}, so
 * {@link Sandbox#kill} and {@link Sandbox#shutdown} too), while the virtual caller waits.
 *
 * <p>Why: a kill waits for its group's kill lock exclusively, and a waiter polls (see
 * {@link PollingRwLock}). A virtual killer needs a carrier for every poll. Virtual forks pinned in
 * {@code synchronized} blocks or class initialisers can hold every carrier while they wait for
 * the same lock, and they pass a waiting writer after a while (they must: the writer may have no
 * carrier); so they kept forking and the virtual killer found no carrier to take the lock with
 * when it was free (AgentStorm, pinned mode, JDK 25, two carriers: 1 trial in 60 stalled). A
 * platform killer polls whenever the OS runs it and got in. So a virtual killer hands its
 * locked part to one of these threads and waits (unmounted if it can; pinned, it waits on its
 * carrier, bounded by the locked part, which needs no carrier of its own).
 *
 * <p>What runs here is only the part under locks: snapshots under the tree lock and marks under
 * group kill locks. Everything else stays on the caller: argument checks, look-ups and the
 * permission checks (for the caller's LWP, computed before the hand-off), the event sink's
 * {@code reserve} (which may block), the wake-ups (interrupts, unparks, pool shutdowns, which may
 * run plugin code) and every exception a kill throws. Events published here carry the caller's
 * thread ({@link #actingFor}), so the record looks as if the caller had marked. A job never
 * throws but for a jreap bug or a VM error, which the caller then rethrows.
 *
 * <p>The threads belong to no LWP of any kernel: they are platform daemon threads in the root
 * thread group, with no inherited thread locals and no context class loader, started lazily by
 * the first virtual kill that finds none idle (at most {@link #MAX} of them; further kills queue)
 * and never ending; the agent's start hook treats a {@link Worker} as a host thread whatever
 * starts it ({@code JdkHooks.ownerOf}). A kill never waits for another kill except through the
 * group locks, so one thread would do; a few let kills of different groups run side by side.
 */
final class KillerThreads {
    /** The most killer threads; a kill that finds all busy waits for one in the queue. */
    static final int MAX = 4;
    static final String NAME = "jreap killer";

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition WORK = LOCK.newCondition();
    /** Guarded by {@link #LOCK}. */
    private static final ArrayDeque<Job> QUEUE = new ArrayDeque<>();
    private static int threads;
    private static int idle;
    /** Jobs run on killer threads so far (for tests). */
    private static final AtomicLong JOBS_RUN = new AtomicLong();

    private KillerThreads() {
    }

    /** The locked part of one kill; {@link #locked} must not throw but for bugs and VM errors. */
    abstract static class Job {
        /** The thread that called the kill (made the job); it waits for {@link #locked} to be run. */
        final Thread callerThread = Thread.currentThread();
        private volatile boolean done;
        private volatile Throwable failure;
        /** Set by the one thread that runs it: a killer thread, or the caller itself as a fallback. */
        private final AtomicBoolean taken = new AtomicBoolean();

        /** The kill's part under locks. */
        abstract void locked();

        private boolean take() {
            return taken.compareAndSet(false, true);
        }

        private void runHere() {
            try {
                locked();
            } catch (Throwable e) {
                failure = e;
            } finally {
                done = true;
                LockSupport.unpark(callerThread);
            }
        }
    }

    /**
     * Runs {@code job.locked()} on a killer thread and waits for it, interrupts deferred (a kill
     * is not interruptible: it returns once its marks are made). Rethrows what the job threw.
     */
    static void run(Job job) {
        assert job.callerThread == Thread.currentThread() : "a kill's job is run for the thread that made it";
        boolean start = false;
        LOCK.lock();
        try {
            QUEUE.add(job);
            if (QUEUE.size() <= idle) {
                WORK.signal();
            } else if (threads < MAX) {
                threads++;
                start = true;
            } // else all are busy: the first free one takes it
        } finally {
            LOCK.unlock();
        }
        if (start && !startWorker()) {
            LOCK.lock();
            try {
                threads--;
            } finally {
                LOCK.unlock();
            }
            if (job.take()) {
                job.runHere(); // no thread could be started (out of native threads): the old way
            }
        }
        boolean interrupted = false;
        while (!job.done) {
            LockSupport.park(job);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
        if (f != null) {
            throw new IllegalStateException("jreap: the kill failed on its killer thread", f);
        }
    }

    private static boolean startWorker() {
        try {
            ThreadGroup root = Thread.currentThread().getThreadGroup();
            while (root != null && root.getParent() != null) {
                root = root.getParent();
            }
            Worker w = new Worker(root);
            w.setDaemon(true);
            w.setContextClassLoader(null);
            w.start();
            return true;
        } catch (Throwable e) { // OutOfMemoryError: unable to create native thread, and the like
            return false;
        }
    }

    /** The thread a killer thread marks for right now, or null; for events ({@link Kernel#publish}). */
    static Thread actingFor(Thread t) {
        return t instanceof Worker ? ((Worker) t).client : null;
    }

    /** Whether {@code t} is a killer thread. */
    static boolean isKillerThread(Thread t) {
        return t instanceof Worker;
    }

    /** Killer threads running now; for tests. */
    static int threads() {
        LOCK.lock();
        try {
            return threads;
        } finally {
            LOCK.unlock();
        }
    }

    /** Jobs run on killer threads so far; for tests. */
    static long jobsRun() {
        return JOBS_RUN.get();
    }

    /** A killer thread. Never an LWP: the agent's start hook checks for this class first. */
    static final class Worker extends Thread {
        /** The caller of the job being run, while one runs. */
        volatile Thread client;

        Worker(ThreadGroup group) {
            super(group, null, NAME, 0, false);
        }

        @Override
        public void run() {
            for (;;) {
                Job job;
                LOCK.lock();
                try {
                    while (QUEUE.isEmpty()) {
                        idle++;
                        try {
                            WORK.awaitUninterruptibly();
                        } finally {
                            idle--;
                        }
                    }
                    job = QUEUE.poll();
                } finally {
                    LOCK.unlock();
                }
                if (!job.take()) {
                    continue;
                }
                client = job.callerThread;
                try {
                    JOBS_RUN.incrementAndGet(); // before the caller can see the job done
                    job.runHere();
                } finally {
                    client = null;
                }
            }
        }
    }
}
