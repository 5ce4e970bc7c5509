package io.jreap.kernel;

import io.jreap.proc.ExitStatus;
import io.jreap.proc.LwpState;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A lightweight process: a pid and the JVM threads that run it.
 *
 * <p>Three intrusive lists link it, as {@code struct proc} is linked in FreeBSD: its parent's
 * children ({@code sibling}), its reaper's reap list ({@code reapSibling}) and its group's members
 * ({@code member}). Links, {@link #parent}, {@link #reaper}, {@link #reapSubtree},
 * {@link #isReaper} and {@link #group} are written only under the kernel's tree lock held
 * exclusively; {@code group} is also volatile because a fork reads it before it locks anything.
 *
 * <p>Signal state ({@link #killSignal}, {@link #stopped}, {@link #pending}, {@link #receivedKills})
 * is written by senders only under this LWP's group kill lock held exclusively; the LWP itself
 * consumes pending bits atomically at check points. Thread bookkeeping is guarded by this object's
 * monitor, held only for a few field writes.
 */
final class Lwp {
    private static final AtomicIntegerFieldUpdater<Lwp> PENDING =
            AtomicIntegerFieldUpdater.newUpdater(Lwp.class, "pending");
    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Lwp, LwpState> STATE =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(Lwp.class, LwpState.class, "state");

    final long pid;
    /** The forking LWP's pid, fixed at birth (the parent link may later move to a reaper). */
    final long birthParentPid;
    /** Null for init. */
    final Sandbox sandbox;
    /** The root reaper of a sandbox: never signalled, exits only when the sandbox closes. */
    final boolean sandboxReaper;
    /** Kills whose signal the parent had survived when it forked this LWP; never re-signalled by them. */
    final KillRun[] inheritedKills;

    // ---- tree (guarded by the tree lock) ----
    Lwp parent;
    Lwp reaper;
    long reapSubtree;
    boolean isReaper;
    volatile ProcessGroup group;
    Lwp firstChild;
    Lwp nextSibling;
    Lwp prevSibling;
    Lwp firstReap;
    Lwp nextReapSibling;
    Lwp prevReapSibling;
    Lwp nextMember;
    Lwp prevMember;
    /** Threads blocked in waitpid on this LWP's children; unparked on a child's exit. */
    List<Thread> childWaiters;

    volatile LwpState state = LwpState.NEW;
    volatile ExitStatus exitStatus;
    /** Declared before forking: keep exited children as zombies until waitpid collects them. */
    volatile boolean keepsZombies;

    // ---- signals ----
    /** The terminating signal received, or null. Once set it never changes. */
    volatile Signal killSignal;
    volatile boolean stopped;
    /** Bits of caught signals waiting for a check point. */
    volatile int pending;
    volatile KillRun[] receivedKills;
    /**
     * While the agent's fork of this LWP is open (between the JDK start method's entry and exit):
     * the starting thread, or a {@link ChildExited} naming it if the child already ran and ended;
     * else null.
     * See {@link JdkHooks#afterStart} and {@link JdkHooks#threadExit}.
     */
    volatile Object starter;
    /** The mark a child that ended during its own fork leaves for its starter. */
    record ChildExited(Object starter) {
    }
    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Lwp, Object> STARTER =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(Lwp.class, Object.class, "starter");

    /** Whether {@code t} has this LWP's fork open (its child may have ended meanwhile). */
    boolean startedBy(Thread t) {
        Object s = starter;
        return s == t || s instanceof ChildExited c && c.starter() == t;
    }

    /** Closes the open fork; true if the child ended during it. */
    boolean closeStart() {
        return STARTER.getAndSet(this, null) instanceof ChildExited;
    }

    /**
     * Called by the child's exit: if the fork is still open, leaves a mark for the starter (which
     * then drops the child's binding itself) and returns true.
     */
    boolean markChildExitedIfOpen() {
        for (;;) {
            Object s = starter;
            if (s == null || s instanceof ChildExited) {
                return false;
            }
            if (STARTER.compareAndSet(this, s, new ChildExited(s))) {
                return true;
            }
        }
    }
    /** The executor a pool LWP stands for (its workers are its threads), or null. */
    Object pool;
    /** The status of a System.exit/Runtime.halt that ended this LWP, or null. */
    volatile Integer exitRequested;
    /** Per-signal actions; null until the LWP installs one. Index: signal number. */
    volatile SignalAction[] actions;

    // ---- threads (guarded by this) ----
    private Thread thread0;
    private List<Thread> moreThreads;
    /** Written under this monitor; volatile so the tree-lock holders can read it without the monitor. */
    private volatile int threadCount;
    private List<Thread> stopWaiters;
    private boolean uncaught;

    Lwp(long pid, long birthParentPid, Sandbox sandbox, boolean sandboxReaper, KillRun[] inheritedKills) {
        this.pid = pid;
        this.birthParentPid = birthParentPid;
        this.sandbox = sandbox;
        this.sandboxReaper = sandboxReaper;
        this.inheritedKills = inheritedKills;
    }

    boolean killed() {
        return killSignal != null;
    }

    /** Anything a check point must act on before this LWP may fork. */
    boolean needsCheckPoint() {
        return killSignal != null || stopped || pending != 0;
    }

    /** NEW to RUNNING once its first thread started; a no-op if it already ran and exited. */
    void markRunning() {
        STATE.compareAndSet(this, LwpState.NEW, LwpState.RUNNING);
    }

    boolean alive() {
        LwpState s = state;
        return s == LwpState.NEW || s == LwpState.RUNNING;
    }

    // ---- signal state ----

    SignalAction action(Signal sig) {
        SignalAction[] a = actions;
        return a == null || a[sig.number()] == null ? SignalAction.DEFAULT : a[sig.number()];
    }

    synchronized void setAction(Signal sig, SignalAction action) {
        SignalAction[] a = actions == null ? new SignalAction[32] : actions.clone();
        a[sig.number()] = action;
        actions = a;
    }

    /**
     * What a forked child starts with: a fork here runs new code, as {@code fork} + {@code exec} (or
     * {@code posix_spawn}) does, so ignored signals stay ignored and handled ones go back to the
     * default. Null when nothing is ignored.
     */
    static SignalAction[] actionsAfterExec(SignalAction[] parent) {
        SignalAction[] out = null;
        for (int i = 0; i < parent.length; i++) {
            if (parent[i] != null && parent[i].isIgnore()) {
                if (out == null) {
                    out = new SignalAction[parent.length];
                }
                out[i] = parent[i];
            }
        }
        return out;
    }

    void addPending(Signal sig) {
        PENDING.getAndUpdate(this, p -> p | sig.bit());
    }

    /** Takes one pending bit; returns its signal or null when none is pending. */
    Signal takePending() {
        for (;;) {
            int p = pending;
            if (p == 0) {
                return null;
            }
            int bit = Integer.lowestOneBit(p);
            if (PENDING.compareAndSet(this, p, p & ~bit)) {
                return Signal.ofBit(bit);
            }
        }
    }

    // ---- threads ----

    /** Registers a thread that is about to start in this LWP. */
    synchronized void addThread(Thread t) {
        if (thread0 == null) {
            thread0 = t;
        } else {
            if (moreThreads == null) {
                moreThreads = new ArrayList<>(2);
            }
            moreThreads.add(t);
        }
        threadCount++;
    }

    /**
     * Set once the LWP has no thread left and is going to exit: no thread joins it after that
     * (see {@link #addThreadIfOpen}). Guarded by this.
     */
    private boolean threadsClosed;

    /** Registers a thread joining the LWP (a pool's new worker), unless its threads were closed. */
    synchronized boolean addThreadIfOpen(Thread t) {
        if (threadsClosed) {
            return false;
        }
        addThread(t);
        return true;
    }

    /**
     * Closes the LWP to new threads if it has none: true for the one caller that may then end it;
     * false if a thread joined since the caller saw none, or another caller closed it first.
     */
    synchronized boolean closeThreads() {
        if (threadCount != 0 || threadsClosed) {
            return false;
        }
        threadsClosed = true;
        return true;
    }

    /** Unregisters an ended thread; true if it was the last one. */
    synchronized boolean removeThread(Thread t, boolean diedOfUncaught) {
        if (thread0 == t) {
            thread0 = moreThreads == null || moreThreads.isEmpty() ? null : moreThreads.remove(moreThreads.size() - 1);
        } else if (moreThreads != null) {
            moreThreads.remove(t);
        }
        uncaught |= diedOfUncaught;
        return --threadCount == 0;
    }

    /** A thread of this LWP ended with an uncaught exception (its exit comes later). */
    synchronized void noteUncaught() {
        uncaught = true;
    }

    synchronized boolean diedOfUncaught() {
        return uncaught;
    }

    /** The number of live threads; read without the monitor (a tree-lock holder never waits for it). */
    int liveThreads() {
        return threadCount;
    }

    /** A copy of the live threads, so they can be interrupted with no lock held. */
    synchronized Thread[] threads() {
        if (thread0 == null) {
            return NO_THREADS;
        }
        Thread[] out = new Thread[1 + (moreThreads == null ? 0 : moreThreads.size())];
        out[0] = thread0;
        for (int i = 1; i < out.length; i++) {
            out[i] = moreThreads.get(i - 1);
        }
        return out;
    }

    synchronized void addStopWaiter(Thread t) {
        if (stopWaiters == null) {
            stopWaiters = new ArrayList<>(1);
        }
        stopWaiters.add(t);
    }

    synchronized void removeStopWaiter(Thread t) {
        if (stopWaiters != null) {
            stopWaiters.remove(t);
        }
    }

    synchronized Thread[] stopWaiters() {
        return stopWaiters == null || stopWaiters.isEmpty() ? NO_THREADS : stopWaiters.toArray(NO_THREADS);
    }

    static final Thread[] NO_THREADS = new Thread[0];

    // ---- intrusive lists (tree lock held exclusively) ----

    void linkChild(Lwp c) {
        c.parent = this;
        c.prevSibling = null;
        c.nextSibling = firstChild;
        if (firstChild != null) {
            firstChild.prevSibling = c;
        }
        firstChild = c;
    }

    void unlinkChild(Lwp c) {
        if (c.prevSibling != null) {
            c.prevSibling.nextSibling = c.nextSibling;
        } else {
            firstChild = c.nextSibling;
        }
        if (c.nextSibling != null) {
            c.nextSibling.prevSibling = c.prevSibling;
        }
        c.nextSibling = c.prevSibling = null;
    }

    void linkReap(Lwp c) {
        c.reaper = this;
        c.prevReapSibling = null;
        c.nextReapSibling = firstReap;
        if (firstReap != null) {
            firstReap.prevReapSibling = c;
        }
        firstReap = c;
    }

    void unlinkReap(Lwp c) {
        if (c.prevReapSibling != null) {
            c.prevReapSibling.nextReapSibling = c.nextReapSibling;
        } else {
            firstReap = c.nextReapSibling;
        }
        if (c.nextReapSibling != null) {
            c.nextReapSibling.prevReapSibling = c.prevReapSibling;
        }
        c.nextReapSibling = c.prevReapSibling = null;
    }

    static void joinGroup(Lwp p, ProcessGroup g) {
        p.prevMember = null;
        p.nextMember = g.firstMember;
        if (g.firstMember != null) {
            g.firstMember.prevMember = p;
        }
        g.firstMember = p;
        g.members++;
        p.group = g;
    }

    /** Removes p from its group; returns true if that emptied the group. */
    static boolean leaveGroup(Lwp p) {
        ProcessGroup g = p.group;
        if (p.prevMember != null) {
            p.prevMember.nextMember = p.nextMember;
        } else {
            g.firstMember = p.nextMember;
        }
        if (p.nextMember != null) {
            p.nextMember.prevMember = p.prevMember;
        }
        p.nextMember = p.prevMember = null;
        return --g.members == 0;
    }

    @Override
    public String toString() {
        return "LWP " + pid;
    }
}
