package io.jreap.kernel;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.BusyException;
import io.jreap.proc.ExitStatus;
import io.jreap.proc.InvalidArgumentException;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpInfo;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpLimitException;
import io.jreap.proc.LwpState;
import io.jreap.proc.NoChildException;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.ReaperPidInfo;
import io.jreap.proc.ReaperStatus;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process table of one JVM (or of one test): LWPs, process groups, sessions, reapers, and the
 * fork/kill protocol that keeps them. Every call acts for the calling thread: a thread bound to an
 * LWP acts as that LWP, any other thread acts as init (pid 1, the host).
 *
 * <h2>Invariant (no escape)</h2>
 * <p>An LWP's signal state is changed by senders only while they hold its group's kill lock
 * exclusively, and a fork holds its parent's group kill lock shared from before the child exists
 * until the child is linked into parent, reaper and group lists and its thread is started. So for
 * every signal S to a parent P and every fork F by P, F's critical section is entirely before S
 * (then the child is linked when S is sent, and a group kill signals it too, a reaper kill finds it
 * in its next pass) or entirely after (then F sees S pending and fails, or, if P survives S,
 * the child inherits the kill run and that kill does not chase it). A child thread passes a check
 * point before its first plugin instruction, so a child linked just before its parent was killed
 * never runs plugin code.
 *
 * <h2>Lock order</h2>
 * <ol>
 *   <li>a group kill lock ({@link ProcessGroup#killLock}); a thread <em>blocks</em> on a group lock
 *       only while it holds no other jreap lock; holding one, it may only {@code tryLock} another
 *       and must drop everything and retry when that fails;</li>
 *   <li>the tree lock ({@link #treeLock}): parent, reaper, group links, the pid table, sandbox
 *       counters;</li>
 *   <li>an LWP's monitor (its thread list), held for a few field writes only.</li>
 * </ol>
 * <p>Under a lock the kernel only marks. Interrupts, unparks, signal handlers and anything that may
 * start a thread happen after every jreap lock is released. Events are published under locks (that
 * keeps them causal) into a sink that never blocks; capacity is reserved before locking.
 *
 * <p><b>No hand-off, no parking while holding.</b> Both kinds of lock are {@link PollingRwLock}s:
 * a waiter takes the lock itself when it is free, nobody has to wake it; and a thread holding a
 * jreap lock never parks, yields or waits on a monitor that another thread may hold. So a virtual
 * thread holding a jreap lock keeps its carrier until it releases, and a waiter without a carrier
 * (all carriers held by pinned virtual threads that wait for the same lock) delays only itself.
 * With a queued lock that case deadlocks: the releaser hands the lock to a waiter that can never
 * run, and the pinned waiters behind it never get it. Waiting writers have preference; on a group
 * lock a fork on a platform thread does not pass a kill in its first 5 s of waiting (100 ms if the
 * killer is a virtual thread), so a storm of forks cannot starve a kill, and a virtual one passes
 * after waiting long, lest it wait, pinned, for a kill that has no carrier. Both are bounded: a
 * waiting fork may hold what pinned threads wait for (a class initialisation), so no fork waits
 * for a kill without bound.
 *
 * <p><b>Kills from virtual threads.</b> {@link #kill}, {@link #killpg} and {@link #reaperKill}
 * (so {@link Sandbox#kill} and {@link Sandbox#shutdown}) called on a virtual thread run their
 * locked part (snapshots, group locks, marks) on a kernel platform thread, a "jreap killer"
 * ({@link KillerThreads}), while the caller waits: a virtual writer needs a carrier for every
 * poll of a group lock, and pinned virtual forks may hold them all. The caller's LWP (sender and
 * permissions), the sink's {@code reserve}, the wake-ups and every exception stay with the
 * caller; no lock is held across the hand-off, so the lock order is unchanged.
 */
public final class Kernel {
    /** Pid of init, the host. */
    public static final long INIT_PID = 1;

    private static volatile Kernel global;

    /** Taken with the {@code OnCarrier} calls by threads that hold a group lock (see PollingRwLock). */
    final PollingRwLock treeLock = new PollingRwLock();
    private final PidTable pids = new PidTable();
    private final Map<Long, ProcessGroup> groups = new HashMap<>();
    /**
     * Which LWP each thread runs in. A map rather than a thread-local so that a fork binds the child
     * thread before it starts: the child is in its LWP from its first instruction, and a thread the
     * agent forks (whose run method jreap does not own) needs no code of its own to bind itself.
     */
    private final java.util.concurrent.ConcurrentHashMap<Thread, Lwp> bound = new java.util.concurrent.ConcurrentHashMap<>();
    final Lwp init;
    private long nextPid = 2;
    private volatile EventSink sink;

    /** A kernel with no event sink. */
    public Kernel() {
        this(EventSink.NONE);
    }

    /** A kernel that publishes every lifecycle event to {@code sink}. */
    public Kernel(EventSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        init = new Lwp(INIT_PID, 0, null, false, null);
        init.isReaper = true;
        init.reapSubtree = INIT_PID;
        init.state = LwpState.RUNNING;
        ProcessGroup g = new ProcessGroup(INIT_PID, new Session(INIT_PID, null));
        Lwp.joinGroup(init, g);
        groups.put(INIT_PID, g);
        pids.put(INIT_PID, init);
    }

    /** The JVM-wide kernel, created on first use. */
    public static Kernel global() {
        Kernel k = global;
        if (k == null) {
            synchronized (Kernel.class) {
                k = global;
                if (k == null) {
                    global = k = new Kernel();
                }
            }
        }
        return k;
    }

    /** Replaces the event sink; events already published stay where they went. */
    public void setEventSink(EventSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The event sink installed now ({@link EventSink#NONE} if none). */
    public EventSink eventSink() {
        return sink;
    }

    // =====================================================================================
    // Identity
    // =====================================================================================

    /** The calling thread's pid: its LWP's, or 1 for a host thread. */
    public long getpid() {
        return caller().pid;
    }

    /** Whether the calling thread belongs to an LWP of this kernel. */
    public boolean inLwp() {
        return bound.get(Thread.currentThread()) != null;
    }

    /** The calling LWP's parent pid (0 for the host). */
    public long getppid() {
        Lwp c = caller();
        treeLock.readLock();
        try {
            return c.parent == null ? 0 : c.parent.pid;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** {@code getpgid(2)}: the group of {@code pid} (0 = the caller). */
    public long getpgid(long pid) {
        Lwp c = caller();
        treeLock.readLock();
        try {
            return visible(c, pid).group.pgid;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** {@code getsid(2)}: the session of {@code pid} (0 = the caller). */
    public long getsid(long pid) {
        Lwp c = caller();
        treeLock.readLock();
        try {
            return visible(c, pid).group.session.sid;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** The state of {@code pid}, or {@link LwpState#REAPED} if it is gone (never ESRCH). */
    public LwpState state(long pid) {
        treeLock.readLock();
        try {
            Lwp p = pids.get(pid);
            return p == null ? LwpState.REAPED : p.state;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** Whether {@code pid} is stopped. */
    public boolean isStopped(long pid) {
        treeLock.readLock();
        try {
            Lwp p = pids.get(pid);
            return p != null && p.stopped;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** Number of LWPs in the table, init and sandbox reapers included. */
    public int lwpCount() {
        treeLock.readLock();
        try {
            return pids.size();
        } finally {
            treeLock.readUnlock();
        }
    }

    /**
     * {@code ps}: every LWP the caller may see (the host sees all, an LWP its own sandbox), in pid
     * order, as one consistent snapshot.
     */
    public List<LwpInfo> ps() {
        Lwp c = caller();
        List<Lwp> all = new ArrayList<>();
        treeLock.readLock();
        try {
            collect(init, c, all);
            List<LwpInfo> out = new ArrayList<>(all.size());
            for (Lwp p : all) {
                out.add(new LwpInfo(p.pid, p.parent == null ? 0 : p.parent.pid, p.group.pgid, p.group.session.sid,
                        p.reaper == null ? 0 : p.reaper.pid, p.isReaper, p.state, p.stopped, p.killSignal,
                        p.liveThreads(), p.sandbox == null ? null : p.sandbox.name()));
            }
            out.sort(java.util.Comparator.comparingLong(LwpInfo::pid));
            return out;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** The tree below root, depth-first without recursion (trees may be deep). */
    private static void collect(Lwp root, Lwp viewer, List<Lwp> out) {
        java.util.ArrayDeque<Lwp> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Lwp p = todo.pop();
            if (canSee(viewer, p)) {
                out.add(p);
            }
            for (Lwp ch = p.firstChild; ch != null; ch = ch.nextSibling) {
                todo.push(ch);
            }
        }
    }

    Lwp caller() {
        // A killer thread acts for a kill's caller, whose LWP was looked up before the hand-off:
        // here it would be taken for init, and pass every permission check.
        assert !KillerThreads.isKillerThread(Thread.currentThread()) : "caller() on a killer thread";
        Lwp c = bound.get(Thread.currentThread());
        return c != null ? c : init;
    }

    Lwp currentLwp() {
        return lwpOf(Thread.currentThread());
    }

    /** Stands in the binding map for a thread whose fork has begun but is not linked yet. */
    private static final Lwp RESERVED = new Lwp(0, 0, null, false, null);

    /** The LWP that {@code t} runs in, or null (a host thread, or an LWP of another kernel). */
    Lwp lwpOf(Thread t) {
        Lwp p = bound.get(t);
        return p == RESERVED ? null : p;
    }

    /** Claims {@code t} for a fork; false if it is bound or claimed already. */
    boolean reserve(Thread t) {
        return bound.putIfAbsent(t, RESERVED) == null;
    }

    void unreserve(Thread t) {
        bound.remove(t, RESERVED);
    }

    void bind(Thread t, Lwp p) {
        bound.put(t, p);
    }

    void unbind(Thread t, Lwp p) {
        bound.remove(t, p);
    }

    /** The LWP {@code pid} as {@code c} may see it: its own sandbox, or anything for the host. */
    private Lwp visible(Lwp c, long pid) {
        assert treeLock.isLocked();
        if (pid < 0) {
            throw new InvalidArgumentException("pid " + pid + " is negative; pass a pid, or 0 for the caller");
        }
        Lwp p = pid == 0 ? c : pids.get(pid);
        if (p == null || p.state == LwpState.REAPED || !canSee(c, p)) {
            throw new NoSuchProcessException("no LWP with pid " + pid + " is visible to pid " + c.pid);
        }
        return p;
    }

    /**
     * The LWP {@code pid}, in any sandbox: signal calls find every pid and then refuse another
     * sandbox's with EPERM ({@code cr_cansignal}), as the design asks; the information calls use
     * {@link #visible}, which hides them (ESRCH), as a jail's {@code p_cansee} does.
     */
    private Lwp existing(long pid) {
        assert treeLock.isLocked();
        Lwp p = pid <= 0 ? null : pids.get(pid);
        if (p == null || p.state == LwpState.REAPED) {
            throw new NoSuchProcessException("no LWP with pid " + pid);
        }
        return p;
    }

    private static boolean canSee(Lwp c, Lwp p) {
        return c.sandbox == null || c.sandbox == p.sandbox;
    }

    static boolean canSignal(Lwp c, Lwp p) {
        return c.sandbox == null || c.sandbox == p.sandbox;
    }

    // =====================================================================================
    // Fork
    // =====================================================================================

    /** Forks a child LWP of the caller that runs {@code task} on a new platform thread. */
    public LwpHandle fork(Runnable task) {
        return fork(ForkOptions.platform(), task);
    }

    /**
     * Forks a child LWP of the calling LWP that runs {@code task} on a new thread made as
     * {@code options} say. The fork is a signal-check point of the caller: a pending handled
     * signal runs its handler first, a stop parks first, a terminating signal throws
     * {@link LwpKilledError}. An interrupt of the caller does not make it fail.
     *
     * @throws IllegalStateException if the calling thread belongs to no LWP (hosts use
     *     {@link Sandbox#spawn})
     * @throws LwpLimitException (EAGAIN) if the sandbox is at its LWP limit
     * @throws LwpKilledError if the caller was killed
     */
    public LwpHandle fork(ForkOptions options, Runnable task) {
        Lwp parent = bound.get(Thread.currentThread());
        if (parent == null) {
            throw new IllegalStateException("fork() needs a calling thread that belongs to an LWP; "
                    + "from a host thread use Sandbox.spawn(...)");
        }
        return forkThread(parent, true, options, task);
    }

    /**
     * Starts another thread in the calling LWP (a {@code thr_new}, not a fork). The LWP exits when
     * its last thread ends.
     */
    public LwpHandle addThread(ForkOptions options, Runnable task) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(task, "task");
        Lwp p = bound.get(Thread.currentThread());
        if (p == null) {
            throw new IllegalStateException("addThread() needs a calling thread that belongs to an LWP");
        }
        checkSignals(p);
        LwpThreadMain main = new LwpThreadMain(this, task);
        Thread t = options.newThread(main);
        main.thread = t;
        main.lwp = p;
        p.addThread(t);
        bind(t, p);
        // A kill that marked p before addThread registered t is seen by t's first check point;
        // one that marks after it interrupts t. Either way t runs no plugin code after the kill.
        EventSink s = sink;
        if (s != EventSink.NONE) {
            publish(s, EventType.THREAD_ADD, p, 0, 0, 0, 0, null);
        }
        try {
            t.start();
        } catch (Throwable e) {
            threadExit(p, t, false);
            throw e;
        }
        return main;
    }

    /** Forks from {@code parent} on behalf of the calling thread (the parent itself, or the host). */
    LwpHandle forkThread(Lwp parent, boolean callerIsParent, ForkOptions options, Runnable task) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(task, "task");
        LwpThreadMain main = new LwpThreadMain(this, task);
        Thread t = options.newThread(main);
        main.thread = t;
        forkLwp(parent, callerIsParent, t, main);
        return main;
    }

    /**
     * The fork path (DESIGN 4, rule 1). With {@code thread == null} the child is thread-less (a
     * reaper or a pool) and stays until {@link #exitThreadless}.
     */
    Lwp forkLwp(Lwp parent, boolean callerIsParent, Thread thread, LwpThreadMain main) {
        Lwp child = beginFork(parent, callerIsParent, thread, null);
        ProcessGroup pg = child.group;
        try {
            if (thread != null) {
                main.lwp = child;
                try {
                    thread.start();
                } catch (Throwable e) {
                    unlinkFailedFork(child, thread, e);
                    throw e;
                }
            }
            return child;
        } finally {
            pg.killLock.readUnlock();
        }
    }

    /**
     * First half of a fork: passes the caller's check point, takes the parent's group lock shared,
     * rechecks, links the child (and binds {@code thread} to it) and returns it <em>with its group's
     * kill lock still held shared</em>. The caller starts the thread and then calls
     * {@link #endStart}, on every path. Used directly by the agent, whose thread start happens in
     * the JDK's own {@code Thread.start} between the two halves.
     *
     * @param pool the executor a pool LWP stands for, or null
     */
    Lwp beginFork(Lwp parent, boolean callerIsParent, Thread thread, Object pool) {
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(1);
        }
        for (;;) {
            if (callerIsParent) {
                try {
                    checkSignals(parent);
                } catch (LwpKilledError e) {
                    denyFork(s, parent, "parent killed by SIG" + e.signal());
                    throw e;
                }
            }
            ProcessGroup pg = parent.group;
            pg.killLock.readLock(); // an interrupt does not end the wait: it must not fail a start
            boolean holding = false;
            try {
                if (parent.group != pg) {
                    continue; // moved by setpgid while we waited: retry with its new group
                }
                if (callerIsParent && parent.needsCheckPoint()) {
                    continue; // signalled while we waited: act on it at the check point above
                }
                Signal k = parent.killSignal;
                if (k != null) {
                    denyFork(s, parent, "parent killed by SIG" + k);
                    throw new LwpKilledError(parent.pid, k);
                }
                Lwp child = link(parent, pg, thread, pool);
                if (thread != null) {
                    bind(thread, child);
                }
                if (s != EventSink.NONE) {
                    publish(s, EventType.FORK, child, child.reaper.pid, 0, 0, 0, pool == null ? null : "pool");
                }
                holding = true;
                return child;
            } finally {
                if (!holding) {
                    pg.killLock.readUnlock();
                }
            }
        }
    }

    /**
     * First half of adding a thread to an existing LWP on its behalf (a pool's new worker): takes
     * the LWP's group lock shared, refuses if the LWP was terminated, registers and binds the
     * thread and returns <em>with the lock held</em>; {@link #endStart} follows on every path. A
     * kill of the LWP therefore either finds the thread registered (and interrupts it) or is seen
     * here and refuses it.
     */
    void beginAddThread(Lwp p, Thread thread) {
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(1);
        }
        for (;;) {
            ProcessGroup pg = p.group;
            pg.killLock.readLock();
            boolean holding = false;
            try {
                if (p.group != pg) {
                    continue;
                }
                Signal k = p.killSignal;
                if (k != null || !p.alive()) {
                    denyFork(s, p, k != null ? "pool killed by SIG" + k : "pool exited");
                    throw new LwpKilledError(p.pid, k != null ? k : Signal.KILL);
                }
                if (!p.addThreadIfOpen(thread)) {
                    // Its last thread ended and it is exiting (state not yet EXITING): see threadExit.
                    denyFork(s, p, "pool exited");
                    throw new LwpKilledError(p.pid, Signal.KILL);
                }
                bind(thread, p);
                if (s != EventSink.NONE) {
                    publish(s, EventType.THREAD_ADD, p, 0, 0, 0, 0, thread.getName());
                }
                holding = true;
                return;
            } finally {
                if (!holding) {
                    pg.killLock.readUnlock();
                }
            }
        }
    }

    /**
     * Second half of {@link #beginFork} / {@link #beginAddThread}: after the JDK's start returned
     * ({@code failure == null}) or threw, undoes a failed start (rule 9) and releases the group lock.
     */
    void endStart(Lwp p, Thread thread, boolean newChild, Throwable failure) {
        ProcessGroup pg = p.group; // cannot change: a group change needs this lock exclusively
        assert pg.killLock.isLocked() : "PROC_LOCK_ASSERT: the start still holds its group lock";
        try {
            if (failure == null) {
                if (newChild) {
                    p.markRunning(); // the child may already have run and exited: a CAS from NEW
                }
            } else {
                if (newChild) {
                    unlinkFailedFork(p, thread, failure);
                } else {
                    unbind(thread, p);
                    p.removeThread(thread, false);
                }
            }
        } finally {
            pg.killLock.readUnlock();
        }
    }

    /**
     * Creates the thread-less LWP that stands for {@code pool}, a child of {@code creator}; the
     * pool's workers become its threads. Passing the creator's check point, like any fork.
     */
    Lwp forkPool(Lwp creator, Object pool) {
        Lwp c = beginFork(creator, true, null, pool);
        c.group.killLock.readUnlock();
        return c;
    }

    /**
     * {@code System.exit}/{@code Runtime.halt} called in LWP {@code p}: ends p (as {@code exit(2)}
     * ends one process) or, with {@code wholeSandbox}, every LWP of p's sandbox, and returns the
     * error the calling thread then throws. The JVM goes on.
     */
    LwpKilledError exitCall(Lwp p, int status, boolean halt, boolean wholeSandbox) {
        EventSink s = sink;
        String what = (halt ? "halt" : "exit") + (wholeSandbox ? " sandbox" : " lwp");
        if (s != EventSink.NONE) {
            s.reserve(1);
            publish(s, EventType.EXIT_CALL, p, 0, 0, 0, status, what);
        }
        if (p.killSignal == null) {
            p.exitRequested = status;
        }
        if (wholeSandbox && p.sandbox != null) {
            p.sandbox.kill();
        } else {
            kill(p.pid, Signal.KILL);
        }
        return new LwpKilledError(p.pid, Signal.KILL, (halt ? "Runtime.halt(" : "System.exit(") + status
                + ") ends " + (wholeSandbox ? "the sandbox" : "the LWP") + ", not the JVM");
    }

    /** Allocates the child and links it everywhere (tree lock exclusive; group lock shared). */
    private Lwp link(Lwp parent, ProcessGroup pg, Thread thread, Object pool) {
        assert pg.killLock.isLocked() : "PROC_LOCK_ASSERT: the fork holds its group lock shared";
        treeLock.writeLockOnCarrier();
        try {
            if (!parent.alive()) {
                throw new IllegalStateException(parent.sandboxReaper
                        ? "sandbox " + parent.sandbox.name() + " is closed; create a new sandbox"
                        : "LWP " + parent.pid + " has exited and cannot fork");
            }
            Sandbox sb = parent.sandbox;
            if (sb != null && sb.lwps >= sb.maxLwps) {
                denyFork(sink, parent, "EAGAIN");
                throw new LwpLimitException("sandbox " + sb.name() + " already has " + sb.lwps
                        + " live LWPs, its limit; raise maxLwps or wait for some to exit");
            }
            long pid = nextPid++;
            KillRun[] inherited = parent.inheritedKills == null && parent.receivedKills == null
                    ? null : KillRun.union(parent.inheritedKills, parent.receivedKills);
            Lwp c = new Lwp(pid, parent.pid, sb, false, inherited);
            c.pool = pool;
            if (parent.actions != null) {
                c.actions = Lwp.actionsAfterExec(parent.actions);
            }
            Lwp reaper = parent.isReaper ? parent : parent.reaper;
            parent.linkChild(c);
            reaper.linkReap(c);
            c.reapSubtree = reaper == parent && parent != init ? pid : parent.reapSubtree;
            Lwp.joinGroup(c, pg);
            pids.put(pid, c);
            if (sb != null) {
                sb.lwps++;
                sb.running++;
            }
            if (thread != null) {
                c.addThread(thread);
            } else {
                c.state = LwpState.RUNNING;
            }
            return c;
        } finally {
            treeLock.writeUnlock();
        }
    }

    private void denyFork(EventSink s, Lwp parent, String why) {
        if (s != EventSink.NONE) {
            publish(s, EventType.FORK_DENIED, parent, 0, 0, 0, 0, why);
        }
    }

    /** A fork is a transaction (rule 9): a child whose thread could not start is unlinked again. */
    private void unlinkFailedFork(Lwp c, Thread thread, Throwable cause) {
        assert c.group.killLock.isLocked() : "PROC_LOCK_ASSERT: the fork still holds its group lock";
        if (thread != null) {
            unbind(thread, c);
        }
        treeLock.writeLockOnCarrier();
        try {
            c.parent.unlinkChild(c);
            c.reaper.unlinkReap(c);
            ProcessGroup g = c.group;
            if (Lwp.leaveGroup(c)) {
                dissolve(g);
            }
            pids.remove(c.pid);
            if (c.sandbox != null) {
                c.sandbox.lwps--;
                c.sandbox.running--;
            }
            c.state = LwpState.REAPED;
            EventSink s = sink;
            if (s != EventSink.NONE) {
                publish(s, EventType.FORK_FAILED, c, 0, 0, 0, 0, String.valueOf(cause));
            }
        } finally {
            treeLock.writeUnlock();
        }
        signalTerminationIfEmpty(c.sandbox);
    }

    // =====================================================================================
    // Exit, reap, wait
    // =====================================================================================

    /** A thread of {@code p} ended; the last one makes p exit. */
    void threadExit(Lwp p, Thread t, boolean uncaught) {
        threadExit(p, t, uncaught, true);
    }

    /** As above; {@code unbind} false leaves t's binding for the starter of a still-open fork. */
    void threadExit(Lwp p, Thread t, boolean uncaught, boolean unbind) {
        if (unbind) {
            unbind(t, p);
        }
        // A pool LWP outlives its idle workers until it is killed or shut down. Its last worker
        // ending and a new worker joining (beginAddThread, on whichever thread the pool starts
        // it from) race: the new worker's check that the LWP is alive could pass just before
        // this exit, and its registration land just after this removal, leaving a running
        // worker in an exited LWP, which no kill reaches. closeThreads() and addThreadIfOpen()
        // decide it under the LWP's monitor: either the worker joined first (then the LWP has a
        // thread and does not exit; that worker's end exits it) or the LWP closed first (then
        // the worker is refused).
        if (p.removeThread(t, uncaught) && (p.pool == null || p.killed() || PoolSupport.isShutdown(p.pool))
                && p.closeThreads()) {
            exit(p);
        }
    }

    /**
     * Ends a thread-less LWP (a pool that shut down, or a killed one) if it still has no thread:
     * a worker that joined since the caller saw none ends it instead (see {@link #threadExit}).
     */
    void exitThreadless(Lwp p) {
        if (p.closeThreads()) {
            exit(p);
        }
    }

    private void exit(Lwp p) {
        Integer requested = p.exitRequested;
        ExitStatus status = requested != null ? new ExitStatus(requested, null)
                : p.killSignal != null ? ExitStatus.killedBy(p.killSignal)
                : p.diedOfUncaught() ? ExitStatus.UNCAUGHT : ExitStatus.CLEAN;
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(2);
        }
        List<Thread> wake = new ArrayList<>(0);
        treeLock.writeLock();
        try {
            if (!p.alive()) {
                return; // a pool LWP can be ended both by its last worker and by its kill
            }
            exitLocked(p, status, wake);
        } finally {
            treeLock.writeUnlock();
        }
        for (Thread t : wake) {
            LockSupport.unpark(t);
        }
        if (p.pool != null && !p.killed()) {
            // A killed pool is forgotten only by the pool reaper, once it has terminated
            // (JdkHooks.PoolReaper). Forgetting it here, when its kill has merely queued that
            // shutdownNow, let a killed thread that had not yet reached a check point submit to
            // the pool in between: the new worker, no longer found in JdkHooks.pools, started as
            // a host thread and ran plugin tasks outside the sandbox (found by AgentStorm). A
            // pool that was only shut down may start workers too: it is forgotten once terminated.
            JdkHooks.poolLwpEnded(p.pool);
        }
        signalTerminationIfEmpty(p.sandbox);
    }

    /**
     * {@code exit1}: orphans go to their reaper, not to init; p leaves its group; p becomes a zombie
     * if its parent keeps zombies, else it is reaped now.
     */
    private void exitLocked(Lwp p, ExitStatus status, List<Thread> wake) {
        assert treeLock.isWriteLockedByCurrentThread();
        p.state = LwpState.EXITING;
        p.exitStatus = status;
        EventSink s = sink;
        if (s != EventSink.NONE) {
            publish(s, EventType.EXIT, p, 0, 0, status.signal() == null ? 0 : status.signal().number(),
                    status.code(), null);
        }
        for (Lwp c = p.firstChild, next; c != null; c = next) {
            next = c.nextSibling;
            if (c.reaper != p) {
                reparentLocked(c, c.reaper, wake);
            }
        }
        ProcessGroup g = p.group;
        if (Lwp.leaveGroup(p)) {
            dissolve(g);
        }
        if (p.sandbox != null && !p.sandboxReaper) {
            p.sandbox.running--;
        }
        Lwp parent = p.parent;
        if (parent.keepsZombies && parent.alive()) {
            p.state = LwpState.ZOMBIE;
        } else {
            reapLocked(p, -1, wake);
        }
        addWaiters(parent, wake);
    }

    private void reparentLocked(Lwp c, Lwp to, List<Thread> wake) {
        assert treeLock.isWriteLockedByCurrentThread();
        Lwp from = c.parent;
        from.unlinkChild(c);
        to.linkChild(c);
        EventSink s = sink;
        if (s != EventSink.NONE) {
            publish(s, EventType.REPARENT, c, from.pid, 0, 0, 0, null);
        }
        if (c.state == LwpState.ZOMBIE) {
            if (to.keepsZombies && to.alive()) {
                addWaiters(to, wake);
            } else {
                reapLocked(c, -1, wake);
            }
        }
    }

    /** {@code proc_reap}: unlink p for good; a reaper hands its reap list to its own reaper. */
    private void reapLocked(Lwp p, long waiterPid, List<Thread> wake) {
        assert treeLock.isWriteLockedByCurrentThread();
        p.parent.unlinkChild(p);
        p.reaper.unlinkReap(p);
        pids.remove(p.pid);
        if (p.isReaper) {
            abandonChildrenLocked(p, true, wake);
        }
        p.state = LwpState.REAPED;
        if (p.sandbox != null && !p.sandboxReaper) {
            p.sandbox.lwps--;
        }
        EventSink s = sink;
        if (s != EventSink.NONE) {
            publish(s, EventType.REAP, p, waiterPid, 0, 0, 0, null);
        }
    }

    /**
     * {@code reaper_abandon_children}: p's reap list moves to p's reaper; when p is being reaped
     * its direct children also get that reaper as parent.
     */
    private int abandonChildrenLocked(Lwp p, boolean exiting, List<Thread> wake) {
        assert treeLock.isWriteLockedByCurrentThread();
        Lwp r = p.reaper;
        int moved = 0;
        for (Lwp q = p.firstReap, next; q != null; q = next) {
            next = q.nextReapSibling;
            p.unlinkReap(q);
            r.linkReap(q);
            q.reapSubtree = p.reapSubtree;
            moved++;
            if (exiting && q.parent == p) {
                reparentLocked(q, r, wake);
            }
        }
        return moved;
    }

    private void dissolve(ProcessGroup g) {
        assert treeLock.isWriteLockedByCurrentThread();
        g.dissolved = true;
        groups.remove(g.pgid, g);
    }

    private static void addWaiters(Lwp parent, List<Thread> wake) {
        if (parent.childWaiters != null) {
            wake.addAll(parent.childWaiters);
        }
    }

    /**
     * Declares whether the calling LWP keeps its exited children as zombies for {@link #waitpid}.
     * Declare it before forking: a child that exits while this is off is reaped at once (the
     * JVM's {@code SIGCHLD} ignored), so millions of short threads retain nothing.
     */
    public void setKeepsZombies(boolean keep) {
        Lwp c = bound.get(Thread.currentThread());
        if (c == null) {
            throw new IllegalStateException("setKeepsZombies needs a calling thread that belongs to an LWP");
        }
        c.keepsZombies = keep;
    }

    /** Result of {@link #waitpid}. */
    public record WaitResult(long pid, ExitStatus status) {
    }

    /**
     * {@code waitpid(2)}: waits for a child ({@code pid > 0}) or any child ({@code pid == -1}) to
     * become a zombie, collects it and returns its status. With {@code noHang}, returns null when
     * no matching child has exited yet. It is a signal-check point.
     *
     * @throws NoChildException (ECHILD) when the caller has no matching child, or keeps no zombies
     *     and the children all exited
     * @throws InterruptedException when the calling thread is interrupted while it waits
     */
    public WaitResult waitpid(long pid, boolean noHang) throws InterruptedException {
        if (pid == 0 || pid < -1) {
            throw new InvalidArgumentException("waitpid(" + pid + "): process-group waits are not supported; "
                    + "pass a child's pid or -1 for any child");
        }
        Lwp c = caller();
        Thread me = Thread.currentThread();
        for (;;) {
            if (c != init) {
                checkSignals(c);
            }
            EventSink s = sink;
            if (s != EventSink.NONE) {
                s.reserve(2);
            }
            List<Thread> wake = new ArrayList<>(0);
            treeLock.writeLock();
            try {
                if (c.childWaiters != null) {
                    c.childWaiters.remove(me);
                }
                boolean any = false;
                for (Lwp ch = c.firstChild; ch != null; ch = ch.nextSibling) {
                    if (pid != -1 && ch.pid != pid) {
                        continue;
                    }
                    any = true;
                    if (ch.state == LwpState.ZOMBIE) {
                        ExitStatus st = ch.exitStatus;
                        reapLocked(ch, c.pid, wake);
                        return new WaitResult(ch.pid, st);
                    }
                }
                if (!any) {
                    throw new NoChildException("pid " + c.pid + " has no " + (pid == -1 ? "children" : "child " + pid)
                            + " to wait for");
                }
                if (noHang) {
                    return null;
                }
                if (c.childWaiters == null) {
                    c.childWaiters = new ArrayList<>(1);
                }
                c.childWaiters.add(me);
            } finally {
                treeLock.writeUnlock();
                for (Thread t : wake) {
                    LockSupport.unpark(t);
                }
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                treeLock.writeLock();
                try {
                    if (c.childWaiters != null) {
                        c.childWaiters.remove(me);
                    }
                } finally {
                    treeLock.writeUnlock();
                }
                if (c != init) {
                    checkSignals(c);
                }
                throw new InterruptedException("waitpid interrupted");
            }
        }
    }

    // =====================================================================================
    // Signals
    // =====================================================================================

    static final int WAKE_NONE = 0;
    static final int WAKE_INTERRUPT = 1;
    static final int WAKE_STOPPED = 2;

    /** {@code sigaction(2)} for the calling LWP. */
    public void sigaction(Signal sig, SignalAction action) {
        Objects.requireNonNull(action, "action");
        if (sig == null || !sig.isCatchable()) {
            throw new InvalidArgumentException("SIG" + sig + " cannot be caught or ignored; only HUP, INT, TERM, "
                    + "USR1 and USR2 take an action");
        }
        Lwp c = bound.get(Thread.currentThread());
        if (c == null) {
            throw new IllegalStateException("sigaction needs a calling thread that belongs to an LWP");
        }
        c.setAction(sig, action);
    }

    /**
     * A signal-check point for the calling thread: runs the handlers of pending caught signals,
     * parks while the LWP is stopped, and throws {@link LwpKilledError} if the LWP was terminated.
     * Does nothing on a host thread.
     */
    public void checkSignals() {
        Lwp c = bound.get(Thread.currentThread());
        if (c != null) {
            checkSignals(c);
        }
    }

    void checkSignals(Lwp p) {
        while (p.needsCheckPoint()) {
            Signal k = p.killSignal;
            if (k != null && (k == Signal.KILL || !p.stopped)) {
                throw new LwpKilledError(p.pid, k);
            }
            if (p.stopped) {
                parkWhileStopped(p);
                continue;
            }
            Signal sig = p.takePending();
            if (sig != null) {
                SignalAction a = p.action(sig);
                EventSink s = sink;
                if (s != EventSink.NONE) {
                    s.reserve(1);
                    publish(s, EventType.SIGNAL_DELIVERED, p, 0, 0, sig.number(), 0,
                            a.handler() != null ? "handled" : "dropped");
                }
                if (a.handler() != null) {
                    a.handler().handle(sig);
                }
            }
        }
    }

    /** STOP: park at the check point until CONT or KILL. Interrupts do not end a stop. */
    private void parkWhileStopped(Lwp p) {
        Thread me = Thread.currentThread();
        p.addStopWaiter(me);
        boolean interrupted = false;
        try {
            EventSink s = sink;
            if (s != EventSink.NONE) {
                s.reserve(1);
                publish(s, EventType.SIGNAL_DELIVERED, p, 0, 0, Signal.STOP.number(), 0, "stopped");
            }
            while (p.stopped && p.killSignal != Signal.KILL) {
                LockSupport.park(p);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } finally {
            p.removeStopWaiter(me);
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /**
     * {@code kill(2)}: sends {@code sig} to {@code pid} ({@code pid == 0}: the caller's group;
     * {@code pid < -1}: group {@code -pid}). {@link Signal#NONE} only checks that the target exists
     * and may be signalled. Returns once the signal is marked; waiting for the target to end is
     * {@link #awaitExit}.
     *
     * @throws NoSuchProcessException (ESRCH) no such LWP
     * @throws PermissionDeniedException (EPERM) the target is init or a sandbox reaper, or the
     *     caller is an LWP and the target is in another sandbox
     */
    public void kill(long pid, Signal sig) {
        if (sig == null) {
            throw new InvalidArgumentException("signal is null; pass a Signal, or Signal.NONE to check existence");
        }
        if (pid == 0 || pid < -1) {
            killpg(pid == 0 ? getpgid(0) : -pid, sig);
            return;
        }
        if (pid == -1) {
            throw new InvalidArgumentException("kill(-1) (every LWP) is not supported; use Sandbox.kill() "
                    + "or reaperKill on a reaper");
        }
        Lwp c = caller();
        Lwp t;
        treeLock.readLock();
        try {
            t = existing(pid);
        } finally {
            treeLock.readUnlock();
        }
        if (t == init || t.sandboxReaper) {
            throw new PermissionDeniedException("pid " + pid + " is " + (t == init ? "init (the host)" : "the reaper of sandbox "
                    + t.sandbox.name()) + " and cannot be signalled; use Sandbox.kill() to end a sandbox's LWPs");
        }
        if (!canSignal(c, t)) {
            throw new PermissionDeniedException("pid " + c.pid + " may not signal pid " + pid + " of another sandbox");
        }
        if (sig == Signal.NONE) {
            return;
        }
        OneKill k = new OneKill(t, sig, c.pid);
        runLocked(k);
        wake(t, k.wake);
    }

    /** {@code kill(2)}'s part under a lock: marks one LWP under its group's kill lock. */
    private final class OneKill extends KillerThreads.Job {
        private final Lwp t;
        private final Signal sig;
        private final long senderPid;
        int wake = WAKE_NONE;

        OneKill(Lwp t, Signal sig, long senderPid) {
            this.t = t;
            this.sig = sig;
            this.senderPid = senderPid;
        }

        @Override
        void locked() {
            for (;;) {
                ProcessGroup g = t.group;
                g.killLock.writeLock(); // no other jreap lock is held here
                try {
                    if (t.group != g) {
                        continue; // it moved while we waited: lock its new group
                    }
                    if (t.state != LwpState.ZOMBIE && t.state != LwpState.REAPED) {
                        wake = markLocked(t, sig, senderPid, null);
                    }
                    return;
                } finally {
                    g.killLock.writeUnlock();
                }
            }
        }
    }

    /**
     * Runs a kill's locked part: on the calling thread if it is a platform thread, else on a
     * kernel-owned platform thread while the virtual caller waits (see {@link KillerThreads}: a
     * virtual thread may find no carrier to poll a group lock with). Everything the job needs to
     * know about the caller (its LWP, for permissions and as the sender) is computed before.
     */
    static void runLocked(KillerThreads.Job job) {
        assert job.callerThread == Thread.currentThread();
        if (ForkOptions.isVirtual(Thread.currentThread())) {
            KillerThreads.run(job);
        } else {
            job.locked();
        }
    }

    /**
     * {@code killpg(2)}: sends {@code sig} to every member of group {@code pgid}, holding the group's
     * kill lock exclusively throughout, so no member's fork can complete during the kill: every
     * LWP in the group when it returns, including children born during it, has the signal. A
     * sandbox reaper that leads the group is skipped silently.
     *
     * @return the count signalled and the first pid not permitted
     * @throws NoSuchProcessException (ESRCH) no such group, or it has no member to signal
     * @throws PermissionDeniedException (EPERM) members exist but none may be signalled by the caller
     */
    public KillResult killpg(long pgid, Signal sig) {
        if (sig == null) {
            throw new InvalidArgumentException("signal is null; pass a Signal, or Signal.NONE to check existence");
        }
        if (pgid <= 0) {
            throw new InvalidArgumentException("process group " + pgid + " is not a valid pgid; pass a positive pgid");
        }
        Lwp c = caller();
        ProcessGroup g;
        treeLock.readLock();
        try {
            g = groups.get(pgid);
        } finally {
            treeLock.readUnlock();
        }
        if (g == null) {
            throw new NoSuchProcessException("no process group " + pgid, new KillResult(0, -1, new long[0]));
        }
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(2 + g.members);
            publish(s, EventType.KILL_BEGIN, c, pgid, 0, sig.number(), 0, "killpg");
        }
        GroupKill k = new GroupKill(c, g, sig);
        runLocked(k);
        Lwp[] targets = k.targets;
        for (int i = 0; i < targets.length; i++) {
            wake(targets[i], k.wake[i]);
        }
        int killed = k.killed;
        long fpid = k.fpid;
        KillResult r = new KillResult(killed, fpid, java.util.Arrays.copyOf(k.signalled, killed));
        if (s != EventSink.NONE) {
            publish(s, EventType.KILL_END, c, fpid, killed, sig.number(), 0, "killpg " + pgid);
        }
        if (killed == 0) {
            if (fpid != -1) {
                throw new PermissionDeniedException("pid " + c.pid + " may not signal any member of group " + pgid, r);
            }
            throw new NoSuchProcessException("process group " + pgid + " has no member to signal", r);
        }
        return r;
    }

    /** {@code killpg(2)}'s part under the group's kill lock: marks every member c may signal. */
    private final class GroupKill extends KillerThreads.Job {
        private final Lwp c;
        private final ProcessGroup g;
        private final Signal sig;
        Lwp[] targets;
        int[] wake;
        long[] signalled;
        int killed;
        long fpid = -1;

        GroupKill(Lwp c, ProcessGroup g, Signal sig) {
            this.c = c;
            this.g = g;
            this.sig = sig;
        }

        @Override
        void locked() {
            g.killLock.writeLock(); // no other jreap lock is held here
            try {
                markMembersLocked();
            } finally {
                g.killLock.writeUnlock();
            }
        }

        private void markMembersLocked() {
            assert g.killLock.isWriteLockedByCurrentThread() : "PROC_LOCK_ASSERT: group kill lock not held";
            targets = members(g);
            wake = new int[targets.length];
            signalled = new long[targets.length];
            for (int i = 0; i < targets.length; i++) {
                Lwp t = targets[i];
                if (!t.alive() || t.sandboxReaper || t == init) {
                    continue; // killpg1_sendsig skips init and system processes
                }
                if (!canSignal(c, t)) {
                    if (fpid == -1) {
                        fpid = t.pid;
                    }
                    continue;
                }
                if (sig != Signal.NONE) {
                    wake[i] = markLocked(t, sig, c.pid, null);
                }
                signalled[killed++] = t.pid;
            }
        }
    }

    /** The members of g, copied under the tree lock. */
    private Lwp[] members(ProcessGroup g) {
        assert g.killLock.isWriteLockedByCurrentThread();
        treeLock.readLockOnCarrier();
        try {
            Lwp[] out = new Lwp[g.members];
            int i = 0;
            for (Lwp m = g.firstMember; m != null; m = m.nextMember) {
                out[i++] = m;
            }
            return out;
        } finally {
            treeLock.readUnlock();
        }
    }

    /**
     * Marks {@code sig} on {@code t}; returns what to wake once every lock is released. The caller
     * holds t's group kill lock exclusively: this is the only place senders change signal state.
     */
    int markLocked(Lwp t, Signal sig, long senderPid, KillRun run) {
        assert t.group.killLock.isWriteLockedByCurrentThread() : "PROC_LOCK_ASSERT: group kill lock not held";
        EventSink s = sink;
        if (s != EventSink.NONE) {
            publish(s, EventType.SIGNAL_SENT, t, senderPid, 0, sig.number(), 0, effect(t, sig));
        }
        switch (sig) {
            case KILL:
                terminate(t, Signal.KILL);
                t.stopped = false;
                return WAKE_INTERRUPT | WAKE_STOPPED;
            case STOP:
                t.stopped = true;
                survived(t, run);
                return WAKE_NONE;
            case CONT:
                t.stopped = false;
                survived(t, run);
                return WAKE_STOPPED;
            case NONE:
                return WAKE_NONE;
            default:
                SignalAction a = t.action(sig);
                if (a.isIgnore()) {
                    survived(t, run);
                    return WAKE_NONE;
                }
                if (a.isDefault()) {
                    terminate(t, sig);
                    return WAKE_INTERRUPT;
                }
                t.addPending(sig);
                survived(t, run);
                return a.interrupting() ? WAKE_INTERRUPT : WAKE_NONE;
        }
    }

    /** What marking {@code sig} on {@code t} does, as the SIGNAL_SENT event says it (see {@link EventType}). */
    private static String effect(Lwp t, Signal sig) {
        switch (sig) {
            case KILL:
                return "terminate";
            case STOP:
                return "stop";
            case CONT:
                return "continue";
            case NONE:
                return "check";
            default:
                SignalAction a = t.action(sig);
                return a.isIgnore() ? "ignore" : a.isDefault() ? "terminate" : "pending";
        }
    }

    private static void terminate(Lwp t, Signal sig) {
        if (t.killSignal == null || sig == Signal.KILL) {
            t.killSignal = sig;
        }
    }

    private static void survived(Lwp t, KillRun run) {
        if (run != null) {
            t.receivedKills = KillRun.with(t.receivedKills, run);
        }
    }

    /** Interrupts and unparks, with no jreap lock held (rule 6). */
    void wake(Lwp t, int how) {
        if ((how & WAKE_INTERRUPT) != 0) {
            for (Thread th : t.threads()) {
                th.interrupt();
                if (t.killed() && PoolSupport.isTimerThread(th)) {
                    PoolSupport.shutdownNow(th); // a Timer's thread ignores interrupts
                }
            }
            if (t.pool != null && t.killed()) {
                PoolSupport.shutdownNow(t.pool); // its own RejectedExecutionException from now on
                if (t.liveThreads() == 0 && !PoolSupport.shutsDownLater()) {
                    exitThreadless(t); // an idle pool has no worker whose end would exit it
                } // else the shutdown thread exits it once it is shut down (JdkHooks.PoolReaper)
            }
        }
        if ((how & WAKE_STOPPED) != 0) {
            for (Thread th : t.stopWaiters()) {
                LockSupport.unpark(th);
            }
        }
    }

    /**
     * Waits until every pid in {@code pids} has exited (is a zombie or gone), at most
     * {@code timeoutNanos}; returns the pids still running (empty when all exited).
     */
    public long[] awaitExit(long[] pids, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        long[] left = pids.clone();
        int n = left.length;
        long sleep = 1;
        while (true) {
            int k = 0;
            for (int i = 0; i < n; i++) {
                LwpState st = state(left[i]);
                if (st == LwpState.NEW || st == LwpState.RUNNING) {
                    left[k++] = left[i];
                }
            }
            n = k;
            if (n == 0 || System.nanoTime() - deadline >= 0) {
                return java.util.Arrays.copyOf(left, n);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            Thread.sleep(sleep);
            sleep = Math.min(sleep * 2, 50);
        }
    }

    // =====================================================================================
    // Process groups and sessions
    // =====================================================================================

    /**
     * {@code setpgid(2)}: moves {@code pid} (0 = the caller; itself or one of its children) into group
     * {@code pgid} (0 = a group led by pid). Takes the old group's kill lock exclusively (and the
     * new one's, try-locked), so no fork of the LWP is in flight while it moves.
     *
     * @throws InvalidArgumentException (EINVAL) negative pgid
     * @throws NoSuchProcessException (ESRCH) pid is neither the caller nor its child
     * @throws PermissionDeniedException (EPERM) pid is a session leader, is in another session, or
     *     pgid names a group of another session or none
     */
    public void setpgid(long pid, long pgid) {
        if (pid < 0 || pgid < 0) {
            throw new InvalidArgumentException("setpgid(" + pid + ", " + pgid + "): pid and pgid must be >= 0");
        }
        Lwp c = caller();
        for (;;) {
            ProcessGroup oldGroup;
            ProcessGroup newGroup;
            Lwp t;
            treeLock.readLock();
            try {
                t = checkSetpgid(c, pid, pgid);
                oldGroup = t.group;
                newGroup = groups.get(pgid == 0 ? t.pid : pgid);
                if (oldGroup == newGroup) {
                    return;
                }
            } finally {
                treeLock.readUnlock();
            }
            if (moveGroup(t, oldGroup, newGroup, pgid == 0 ? t.pid : pgid, null, EventType.SETPGID)) {
                return;
            }
        }
    }

    /** The setpgid permission rules; tree lock held. */
    private Lwp checkSetpgid(Lwp c, long pid, long pgid) {
        assert treeLock.isLocked();
        Lwp t = pid == 0 ? c : pids.get(pid);
        if (t == null || !t.alive() || (t != c && t.parent != c)) {
            throw new NoSuchProcessException("setpgid: pid " + pid + " is neither the caller (" + c.pid
                    + ") nor one of its children");
        }
        if (t.group.session != c.group.session) {
            throw new PermissionDeniedException("setpgid: pid " + pid + " is in another session");
        }
        if (t.group.session.sid == t.pid) {
            throw new PermissionDeniedException("setpgid: pid " + t.pid + " is a session leader and cannot change group");
        }
        long target = pgid == 0 ? t.pid : pgid;
        if (target != t.pid) {
            ProcessGroup g = groups.get(target);
            if (g == null || g.session != c.group.session) {
                throw new PermissionDeniedException("setpgid: no process group " + target + " in the caller's session; "
                        + "a new group must be led by the moving LWP (pgid 0 or its own pid)");
            }
        }
        return t;
    }

    /** {@code setsid(2)}: the caller leads a new session and group with its pid as id. */
    public long setsid() {
        Lwp c = bound.get(Thread.currentThread());
        if (c == null) {
            throw new PermissionDeniedException("setsid: the host (init) already leads its session");
        }
        for (;;) {
            ProcessGroup oldGroup;
            treeLock.readLock();
            try {
                if (groups.containsKey(c.pid)) {
                    throw new PermissionDeniedException("setsid: pid " + c.pid + " already leads a process group");
                }
                oldGroup = c.group;
            } finally {
                treeLock.readUnlock();
            }
            if (moveGroup(c, oldGroup, null, c.pid, new Session(c.pid, c.sandbox), EventType.SETSID)) {
                return c.pid;
            }
        }
    }

    /**
     * Moves t from oldGroup to newGroup (or to a new group pgid, in newSession if given), holding the
     * old group's kill lock exclusively and the new one's try-locked. Returns false when the world
     * changed while it waited; the caller then rechecks and retries (FreeBSD's ERESTART).
     */
    private boolean moveGroup(Lwp t, ProcessGroup oldGroup, ProcessGroup newGroup, long pgid, Session newSession,
            EventType type) {
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(1);
        }
        ProcessGroup waitFor = null;
        boolean newLocked = false;
        oldGroup.killLock.writeLock();
        try {
            if (newGroup != null) {
                newLocked = newGroup.killLock.tryWriteLock();
                if (!newLocked) {
                    waitFor = newGroup; // lock order: never block on a second group lock
                    return false;
                }
            }
            treeLock.writeLockOnCarrier();
            try {
                if (t.group != oldGroup || (newGroup != null && (newGroup.dissolved || groups.get(pgid) != newGroup))
                        || (newGroup == null && groups.containsKey(pgid))) {
                    return false;
                }
                if (newSession == null) {
                    checkSetpgid(caller(), t == caller() ? 0 : t.pid, pgid);
                }
                ProcessGroup to = newGroup;
                if (to == null) {
                    to = new ProcessGroup(pgid, newSession != null ? newSession : oldGroup.session);
                    groups.put(pgid, to);
                }
                if (Lwp.leaveGroup(t)) {
                    dissolve(oldGroup);
                }
                Lwp.joinGroup(t, to);
                if (s != EventSink.NONE) {
                    publish(s, type, t, oldGroup.pgid, 0, 0, 0, null);
                }
                return true;
            } finally {
                treeLock.writeUnlock();
            }
        } finally {
            if (newLocked) {
                newGroup.killLock.writeUnlock();
            }
            oldGroup.killLock.writeUnlock();
            if (waitFor != null) {
                waitFor.killLock.writeLock(); // wait out its holder, holding nothing else
                waitFor.killLock.writeUnlock();
            }
        }
    }

    // =====================================================================================
    // Reapers (procctl PROC_REAP_*)
    // =====================================================================================

    /** {@code PROC_REAP_ACQUIRE}: the caller becomes a reaper for LWPs it forks from now on. */
    public void reaperAcquire(long pid) {
        Lwp c = caller();
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(1);
        }
        treeLock.writeLock();
        try {
            Lwp p = visible(c, pid);
            if (p != c) {
                throw new PermissionDeniedException("PROC_REAP_ACQUIRE acts only on the caller; pid " + pid
                        + " is not pid " + c.pid + " (pass 0)");
            }
            if (p.isReaper) {
                throw new BusyException("pid " + p.pid + " is already a reaper");
            }
            p.isReaper = true;
            if (s != EventSink.NONE) {
                publish(s, EventType.REAPER_ACQUIRE, p, 0, 0, 0, 0, null);
            }
        } finally {
            treeLock.writeUnlock();
        }
    }

    /**
     * {@code PROC_REAP_RELEASE}: the caller stops being a reaper; its reap list moves to its own
     * reaper, parent links stay.
     */
    public void reaperRelease(long pid) {
        Lwp c = caller();
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(1);
        }
        treeLock.writeLock();
        try {
            Lwp p = visible(c, pid);
            if (p != c) {
                throw new PermissionDeniedException("PROC_REAP_RELEASE acts only on the caller; pid " + pid
                        + " is not pid " + c.pid + " (pass 0)");
            }
            if (p == init) {
                throw new InvalidArgumentException("init (pid 1) cannot release its reaper role");
            }
            if (!p.isReaper) {
                throw new InvalidArgumentException("pid " + p.pid + " is not a reaper");
            }
            int moved = abandonChildrenLocked(p, false, new ArrayList<>(0));
            p.isReaper = false;
            if (s != EventSink.NONE) {
                publish(s, EventType.REAPER_RELEASE, p, p.reaper.pid, moved, 0, 0, null);
            }
        } finally {
            treeLock.writeUnlock();
        }
    }

    /** {@code PROC_REAP_STATUS} of {@code pid} (0 = the caller). */
    public ReaperStatus reaperStatus(long pid) {
        Lwp c = caller();
        treeLock.readLock();
        try {
            Lwp p = visible(c, pid);
            Lwp reap = p.isReaper ? p : p.reaper;
            int flags = (reap == p ? ReaperStatus.OWNED : 0) | (reap == init ? ReaperStatus.REALINIT : 0);
            int children = 0;
            int descendants = 0;
            for (Lwp q = reap.firstReap; q != null; q = q.nextReapSibling) {
                descendants++;
                if (q.parent == reap) {
                    children++;
                }
            }
            long first = descendants == 0 ? -1 : reap.firstChild != null ? reap.firstChild.pid : reap.firstReap.pid;
            return new ReaperStatus(flags, children, descendants, reap.pid, first);
        } finally {
            treeLock.readUnlock();
        }
    }

    /** {@code PROC_REAP_GETPIDS}: at most {@code max} entries of the reap list of pid's reaper. */
    public List<ReaperPidInfo> reaperGetPids(long pid, int max) {
        if (max < 0) {
            throw new InvalidArgumentException("reaperGetPids: max " + max + " is negative");
        }
        Lwp c = caller();
        treeLock.readLock();
        try {
            Lwp p = visible(c, pid);
            Lwp reap = p.isReaper ? p : p.reaper;
            List<ReaperPidInfo> out = new ArrayList<>();
            for (Lwp q = reap.firstReap; q != null && out.size() < max; q = q.nextReapSibling) {
                int f = ReaperPidInfo.VALID;
                if (q.parent == reap) {
                    f |= ReaperPidInfo.CHILD;
                }
                if (q.isReaper) {
                    f |= ReaperPidInfo.REAPER;
                }
                if (q.state == LwpState.ZOMBIE) {
                    f |= ReaperPidInfo.ZOMBIE;
                }
                if (q.stopped) {
                    f |= ReaperPidInfo.STOPPED;
                }
                if (q.state == LwpState.EXITING) {
                    f |= ReaperPidInfo.EXITING;
                }
                out.add(new ReaperPidInfo(q.pid, q.reapSubtree, f));
            }
            return out;
        } finally {
            treeLock.readUnlock();
        }
    }

    /** Kill every descendant of pid's reaper. */
    public static final int REAPER_KILL_ALL = 0;
    /** {@code REAPER_KILL_CHILDREN}: only the reaper's direct children; no no-escape promise. */
    public static final int REAPER_KILL_CHILDREN = 0x1;
    /** {@code REAPER_KILL_SUBTREE}: only the subtree started by the reaper's child {@code subtree}. */
    public static final int REAPER_KILL_SUBTREE = 0x2;

    /**
     * {@code PROC_REAP_KILL}: signals the descendants of pid's reaper (pid itself if it is a reaper).
     * Without {@link #REAPER_KILL_CHILDREN}, no LWP born during the kill escapes it (see the class
     * invariant); sandbox reapers are never signalled.
     *
     * @param subtree with {@link #REAPER_KILL_SUBTREE}: the reap-subtree id to kill
     * @throws InvalidArgumentException (EINVAL) signal {@link Signal#NONE} or null, unknown flags,
     *     or CHILDREN together with SUBTREE
     * @throws NoSuchProcessException (ESRCH) no such pid, or nothing was signalled
     * @throws PermissionDeniedException (EPERM) targets existed but none could be signalled
     */
    public KillResult reaperKill(long pid, Signal sig, int flags, long subtree) {
        if (sig == null || sig == Signal.NONE) {
            throw new InvalidArgumentException("PROC_REAP_KILL needs a real signal, not " + sig
                    + " (signal 0 is rejected, as on FreeBSD)");
        }
        if ((flags & ~(REAPER_KILL_CHILDREN | REAPER_KILL_SUBTREE)) != 0) {
            throw new InvalidArgumentException("PROC_REAP_KILL: unknown flag bits 0x"
                    + Integer.toHexString(flags & ~(REAPER_KILL_CHILDREN | REAPER_KILL_SUBTREE)));
        }
        if ((flags & REAPER_KILL_CHILDREN) != 0 && (flags & REAPER_KILL_SUBTREE) != 0) {
            throw new InvalidArgumentException("PROC_REAP_KILL: REAPER_KILL_CHILDREN and REAPER_KILL_SUBTREE exclude each other");
        }
        return new ReapKill(this, caller(), sig, flags, subtree).run(pid);
    }

    // ---- package-private access for ReapKill ----

    /** For reaper kills: pid 0 is the caller; any existing pid otherwise (targets are then checked). */
    Lwp lookupForSignal(Lwp c, long pid) {
        if (pid < 0) {
            throw new InvalidArgumentException("pid " + pid + " is negative; pass a pid, or 0 for the caller");
        }
        return pid == 0 ? c : existing(pid);
    }

    EventSink sink() {
        return sink;
    }

    // =====================================================================================
    // Sandboxes
    // =====================================================================================

    /**
     * Creates a sandbox: a new session and process group led by a thread-less reaper LWP, a child
     * of init. Only the host creates sandboxes.
     *
     * @param maxLwps the most LWPs that may be alive in it at once ({@code RLIMIT_NPROC})
     */
    public Sandbox newSandbox(String name, int maxLwps) {
        Objects.requireNonNull(name, "name");
        if (maxLwps <= 0) {
            throw new InvalidArgumentException("sandbox " + name + ": maxLwps " + maxLwps + " must be positive");
        }
        if (bound.get(Thread.currentThread()) != null) {
            throw new PermissionDeniedException("only the host creates sandboxes; pid " + bound.get(Thread.currentThread()).pid
                    + " is an LWP");
        }
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(1);
        }
        treeLock.writeLock();
        try {
            long pid = nextPid++;
            Sandbox sb = new Sandbox(this, name, maxLwps);
            Lwp r = new Lwp(pid, INIT_PID, sb, true, null);
            init.linkChild(r);
            init.linkReap(r);
            r.reapSubtree = init.reapSubtree;
            r.isReaper = true;
            r.state = LwpState.RUNNING;
            ProcessGroup g = new ProcessGroup(pid, new Session(pid, sb));
            Lwp.joinGroup(r, g);
            groups.put(pid, g);
            pids.put(pid, r);
            sb.reaper = r;
            if (this == global) {
                JdkHooks.active = true; // from now on thread starts in this JVM are looked at
            }
            if (s != EventSink.NONE) {
                publish(s, EventType.SANDBOX, r, 0, 0, 0, 0, name);
            }
            return sb;
        } finally {
            treeLock.writeUnlock();
        }
    }

    /** Ends a sandbox's reaper once nothing runs in it; false if something still runs. */
    boolean closeSandbox(Sandbox sb) {
        Lwp r = sb.reaper;
        EventSink s = sink;
        if (s != EventSink.NONE) {
            s.reserve(2);
        }
        List<Thread> wake = new ArrayList<>(0);
        treeLock.writeLock();
        try {
            if (!r.alive()) {
                return true;
            }
            if (sb.running > 0) {
                return false;
            }
            sb.closed = true;
            exitLocked(r, ExitStatus.CLEAN, wake);
            if (s != EventSink.NONE) {
                publish(s, EventType.SANDBOX, r, 0, 0, 0, 0, "closed");
            }
            return true;
        } finally {
            treeLock.writeUnlock();
        }
    }

    int running(Sandbox sb) {
        treeLock.readLock();
        try {
            return sb.running;
        } finally {
            treeLock.readUnlock();
        }
    }

    private static void signalTerminationIfEmpty(Sandbox sb) {
        if (sb != null) {
            sb.signalIfEmpty();
        }
    }

    // =====================================================================================
    // Events
    // =====================================================================================

    /** Builds and hands over one event about {@code p}; never blocks (see {@link EventSink}). */
    void publish(EventSink s, EventType type, Lwp p, long other, long count, int signal, int status, String detail) {
        ProcessGroup g = p.group;
        Lwp parent = p.parent;
        Thread t = Thread.currentThread();
        Thread client = KillerThreads.actingFor(t);
        if (client != null) {
            t = client; // a kill's marks, made for a virtual caller: the caller is the actor
        }
        LifecycleEvent e = new LifecycleEvent(type, System.nanoTime(), System.currentTimeMillis(), p.pid,
                parent == null ? 0 : parent.pid, g == null ? 0 : g.pgid, g == null ? 0 : g.session.sid, other, count,
                signal, status, detail, t.getId(), t.getName(), ForkOptions.isVirtual(t));
        try {
            s.publish(e);
        } catch (RuntimeException ignored) {
            // A sink must not throw (EventSink contract); a broken one must not break the protocol.
        }
    }
}
