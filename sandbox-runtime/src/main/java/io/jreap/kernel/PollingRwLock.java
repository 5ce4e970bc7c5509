package io.jreap.kernel;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * A reader/writer lock without hand-off: a waiter polls (spins, then yields, then parks for a
 * bounded time) until it can take the lock itself; nobody ever has to wake it. jreap uses it for
 * the group kill locks and the tree lock because of virtual threads:
 *
 * <p>With a queued lock ({@code ReentrantReadWriteLock}, {@code StampedLock}) a releasing thread
 * hands the lock to the first waiter by unparking it, and the waiters behind wait for that one to
 * run. A virtual waiter needs a carrier to run. When every carrier is held by virtual threads that
 * are pinned (inside a class initialiser or a native frame; inside {@code synchronized} before JDK
 * 24) and blocked behind that waiter, it never runs, and the fork and the kill deadlock. Here a
 * lock held or wanted by a thread that has no carrier blocks no one but itself, provided the
 * kernel keeps its rule that <em>a thread holding a jreap lock never parks or yields</em> (so a
 * virtual holder keeps its carrier until it releases).
 *
 * <p>Writers have preference: a waiting writer sets {@link #WRITER_WAITING}, which keeps new
 * readers out until a writer got in. That makes readers depend on the waiting writer; so that a
 * reader that may hold a carrier others need never depends on it for good (the writer may be a
 * virtual thread without a carrier), a <em>virtual</em> reader, or one that holds another jreap
 * lock ({@code readLockOnCarrier}), that has already waited through its spins, yields and a
 * first park ignores the flag and takes the lock as soon as no writer holds it.
 *
 * <p>With {@link #platformReadersDefer} (the group kill locks), a <em>platform</em> reader that
 * holds no other jreap lock defers to a waiting writer until that writer has waited 5 s if it is
 * a platform thread, 100 ms if it is a virtual one (counted from when it announced itself, not
 * from when the reader came). The writer gets that long with no new platform reader, enough for
 * the holders to drain, so a storm of platform-thread forks cannot starve a kill: with old readers
 * passing every waiting writer after about 100 us, a few hundred forking threads on two cores kept
 * the read count above zero and delayed kills by 30-60 s (found by AgentStorm). Bounded, because
 * a platform reader is not as harmless as it looks: it may hold a class initialisation (or a
 * monitor) that pinned virtual threads wait for on every carrier while the writer, a virtual
 * thread, waits for a carrier. Deferring without bound, that cycle stalled a kill until a
 * platform thread killed too (AgentStorm, pinned mode: 2 trials of 1000); now it costs at most
 * 100 ms. A platform writer can always run, but a holder it waits for may not (a virtual one
 * that unmounted on a contended monitor, JDK 24+), hence its bound too. Virtual forkers pass after
 * waiting long as before, but only as many hold the lock at once as there are carriers. The tree
 * lock does not set it: its readers include a reap kill's own snapshots, which must not wait
 * behind every fork's and exit's write.
 *
 * <p>Kills are never virtual writers: a kill called on a virtual thread takes its locks on a
 * kernel platform thread ({@link KillerThreads}), since a virtual killer against virtual forks
 * that pass it (above) and hold every carrier, pinned, could find no carrier to take the lock
 * when it was free (AgentStorm, pinned mode, JDK 25). The virtual writers left are
 * {@code setpgid}/{@code setsid} called on virtual threads; the 100 ms bound is for them, and
 * stays, since the cycle above needs nothing but a writer without a carrier.
 *
 * <p>A waiter that holds another jreap lock must keep its carrier: it calls the
 * {@code ...OnCarrier} variants, where a virtual thread only spins. Every other waiter spins,
 * yields, then parks, since nobody depends on it. Not reentrant.
 */
final class PollingRwLock {
    private static final AtomicIntegerFieldUpdater<PollingRwLock> STATE =
            AtomicIntegerFieldUpdater.newUpdater(PollingRwLock.class, "state");

    private static final int WRITER = 1 << 31;
    private static final int WRITER_WAITING = 1 << 30;
    private static final int READERS = WRITER_WAITING - 1;

    /** WRITER | WRITER_WAITING | number of readers. */
    private volatile int state;
    /** The thread holding the write lock, for assertions. */
    private volatile Thread writer;
    /** Threads waiting right now, for diagnostics and tests. */
    private volatile int waiters;
    private static final AtomicIntegerFieldUpdater<PollingRwLock> WAITERS =
            AtomicIntegerFieldUpdater.newUpdater(PollingRwLock.class, "waiters");
    /** Platform readers holding no other jreap lock defer to a writer's first 5 s (100 ms) of waiting. */
    private final boolean platformReadersDefer;
    /** How long a waiting platform writer keeps new platform readers out, with {@link #platformReadersDefer}. */
    static final long DEFER_TO_PLATFORM_WRITER_NANOS = 5_000_000_000L;
    /** The same for a virtual writer, which may have no carrier (see the class comment). */
    static final long DEFER_TO_VIRTUAL_WRITER_NANOS = 100_000_000L;
    /** When the waiting writer announced itself, and how long it keeps platform readers out (set before the flag). */
    private volatile long writerWaitingSince;
    private volatile long writerDeferNanos;

    /** A lock whose old readers pass a waiting writer (the tree lock). */
    PollingRwLock() {
        this(false);
    }

    /** @param platformReadersDefer platform readers holding no other jreap lock defer to a writer's first 5 s (100 ms) */
    PollingRwLock(boolean platformReadersDefer) {
        this.platformReadersDefer = platformReadersDefer;
    }

    /** Takes the lock shared; a virtual waiter may unmount while it waits. */
    void readLock() {
        if (!tryReadLock()) {
            readLockSlow(false);
        }
    }

    /** Takes the lock shared for a thread that holds another jreap lock: it waits on its carrier. */
    void readLockOnCarrier() {
        if (!tryReadLock()) {
            readLockSlow(true);
        }
    }

    private boolean tryReadLock() {
        int s = state;
        return (s & (WRITER | WRITER_WAITING)) == 0 && STATE.compareAndSet(this, s, s + 1);
    }

    private void readLockSlow(boolean onCarrier) {
        Backoff b = new Backoff(this, onCarrier);
        boolean deferLong = platformReadersDefer && !onCarrier && !b.virtual;
        try {
            for (;;) {
                int s = state;
                if ((s & WRITER) == 0 && ((s & WRITER_WAITING) == 0
                        || (deferLong ? System.nanoTime() - writerWaitingSince >= writerDeferNanos : b.waitedLong()))) {
                    if (STATE.compareAndSet(this, s, s + 1)) {
                        return;
                    }
                } else {
                    b.pause();
                }
            }
        } finally {
            b.done();
        }
    }

    void readUnlock() {
        int s = STATE.getAndDecrement(this);
        assert (s & READERS) != 0 : "read lock not held";
    }

    /** Takes the write lock if nobody holds the lock; does not announce a waiting writer. */
    boolean tryWriteLock() {
        int s = state;
        if ((s & (WRITER | READERS)) == 0 && STATE.compareAndSet(this, s, (s & ~WRITER_WAITING) | WRITER)) {
            writer = Thread.currentThread();
            return true;
        }
        return false;
    }

    /** Takes the lock exclusively; a virtual waiter may unmount while it waits. */
    void writeLock() {
        if (!tryWriteLock()) {
            writeLockSlow(false);
        }
    }

    /** Takes the lock exclusively for a thread that holds another jreap lock: it waits on its carrier. */
    void writeLockOnCarrier() {
        if (!tryWriteLock()) {
            writeLockSlow(true);
        }
    }

    private void writeLockSlow(boolean onCarrier) {
        Backoff b = new Backoff(this, onCarrier);
        try {
            for (;;) {
                int s = state;
                if ((s & (WRITER | READERS)) == 0) {
                    // Taking it clears WRITER_WAITING; other waiting writers set it again.
                    if (STATE.compareAndSet(this, s, WRITER)) {
                        writer = Thread.currentThread();
                        return;
                    }
                } else if ((s & WRITER_WAITING) == 0) {
                    writerDeferNanos = b.virtual ? DEFER_TO_VIRTUAL_WRITER_NANOS : DEFER_TO_PLATFORM_WRITER_NANOS;
                    writerWaitingSince = System.nanoTime(); // racing writers: any of their values will do
                    STATE.compareAndSet(this, s, s | WRITER_WAITING);
                } else {
                    b.pause();
                }
            }
        } finally {
            b.done();
        }
    }

    void writeUnlock() {
        assert writer == Thread.currentThread() : "write lock not held by " + Thread.currentThread();
        writer = null;
        int s;
        do {
            s = state;
        } while (!STATE.compareAndSet(this, s, s & ~WRITER));
    }

    boolean isWriteLockedByCurrentThread() {
        return writer == Thread.currentThread();
    }

    /** Whether anyone holds the lock (read or write): the strongest check a read holder can assert. */
    boolean isLocked() {
        return (state & (WRITER | READERS)) != 0;
    }

    int readers() {
        return state & READERS;
    }

    /** Number of threads waiting for the lock right now. */
    int waiters() {
        return waiters;
    }

    /**
     * Spin, then yield, then park for growing but bounded times (at most 1 ms, or k ms while 64 k
     * threads wait for the lock, up to 20 ms); or, for a virtual thread that must keep its carrier,
     * only spin. A waiter that cannot run (a virtual thread without a carrier) delays only itself.
     * Interrupts are swallowed while waiting and restored afterwards, so a set interrupt flag
     * cannot turn the parks into a busy loop.
     *
     * <p>Why the longest park grows: thousands of virtual forkers waiting behind a kill, each
     * remounted every millisecond to poll, kept two carriers busy with polls alone, and every
     * other virtual thread, a virtual killer included, waited seconds for a carrier after each
     * yield or park (AgentStorm, long storms on JDK 25 with a virtual killer: slowest kill 29 and
     * 35 s in two runs of 30 trials, 7 and 15 s with this).
     */
    private static final class Backoff {
        private static final int SPINS = 64;
        private static final int YIELDS = 16;
        private static final long MAX_PARK_NANOS = 1_000_000;
        /** With 64 k waiters, the longest park is k ms, up to this many. */
        private static final int MAX_PARK_FACTOR = 20;

        private final PollingRwLock lock;
        final boolean virtual;
        private final boolean spinOnly;
        private int rounds;
        private boolean interrupted;

        Backoff(PollingRwLock lock, boolean onCarrierIfVirtual) {
            this.lock = lock;
            this.virtual = ForkOptions.isVirtual(Thread.currentThread());
            this.spinOnly = onCarrierIfVirtual && virtual;
            WAITERS.incrementAndGet(lock);
        }

        /** Past the spins, the yields and a first park: long enough to stop deferring to writers. */
        boolean waitedLong() {
            return rounds > SPINS + YIELDS;
        }

        void pause() {
            int r = rounds++;
            if (spinOnly || r < SPINS) {
                Thread.onSpinWait();
            } else if (r < SPINS + YIELDS) {
                Thread.yield();
            } else {
                // Many waiters each waking every millisecond would keep the carriers busy with
                // nothing but polls, and a virtual holder or writer would wait for a carrier
                // behind them: the longest park grows with the number of waiters.
                long max = MAX_PARK_NANOS * Math.max(1, Math.min(MAX_PARK_FACTOR, lock.waiters / 64));
                LockSupport.parkNanos(lock, Math.min(max, 1_000L << Math.min(25, r - SPINS - YIELDS)));
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        }

        void done() {
            WAITERS.decrementAndGet(lock);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
