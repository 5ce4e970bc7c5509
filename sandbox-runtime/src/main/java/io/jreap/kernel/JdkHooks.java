package io.jreap.kernel;

import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpLimitException;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The calls that the jreap agent compiles into JDK methods ({@code Thread.start}, thread exit,
 * pool constructors, {@code Runtime.exit}). <b>Not an API</b>: public only because instrumented
 * {@code java.base} code must reach it; applications use {@link Kernel} and {@link Sandbox}.
 *
 * <h2>Who owns a new thread</h2>
 * <p>Decided before any lock is taken, first match wins (DESIGN section 2):
 * <ol>
 *   <li>a thread already bound by the kernel (an explicit {@link Kernel#fork}): nothing to do;</li>
 *   <li>a kernel thread ({@link KillerThreads}, which runs kills for virtual callers): the
 *       host's, whoever starts it;</li>
 *   <li>a JDK service thread, recognised by its class (InnocuousThread, carriers, the common
 *       pool's workers, the HttpClient selector, ...), by belonging to a JDK-created pool or
 *       thread-per-task executor, or, for a platform thread that an LWP starts, by the first
 *       frame on the starting stack that is not thread or pool machinery being a known JDK
 *       service site: no LWP, never signalled (this includes the InnocuousThread of a plugin's own
 *       {@code Cleaner.create()}: the cleaner survives the plugin's kill and its cleaning actions
 *       run as the host);</li>
 *   <li>a pool worker: its pool's LWP if an LWP created the pool, else the host. So an LWP's
 *       pool stays in {@link #pools} as long as it may still start a worker, that is until it has
 *       terminated (shut down is not enough): one whose LWP exited, a killed one, or one refused
 *       at creation (its creator was killed, or at its LWP limit) is forgotten by the
 *       {@link PoolReaper} once terminated (see {@link #poolLwpEnded}); else a late worker would
 *       be taken for a host thread. A worker that finds its pool's LWP exited or killed, or its
 *       pool refused, is refused;</li>
 *   <li>otherwise a child of the starting thread's LWP, or a host thread.</li>
 * </ol>
 *
 * <h2>A start is a transaction</h2>
 * <p>{@link #beforeStart} runs at the entry of the JDK's start method and leaves the owner's
 * group kill lock held shared (the fork protocol of {@link Kernel}); {@link #afterStart} runs on
 * every exit of that method, normal or exceptional, and unlinks the child if the start failed,
 * then releases the lock. The two are matched by the child's LWP remembering its starting thread
 * ({@code Lwp.starter}; {@link #addingWorkers} for a worker added to a pool LWP), and the child is
 * reserved in the kernel's binding map before anything is locked, so a second concurrent
 * {@code start()} of the same thread (which the JDK then refuses) and nested starts (a virtual
 * thread's start may start a carrier) pass through untouched.
 *
 * <h2>Never throw, never recurse</h2>
 * <p>Only {@link #beforeStart} and {@link #exitCall} hand an error to the instrumented method, as
 * their return value (the verdict), which the instrumented code throws. Every other failure
 * inside a hook is reported once to standard error and swallowed: a jreap bug must not break the
 * host's threads. The hooks start no threads and load no classes after {@link #install} (which
 * initialises everything they use), so they cannot re-enter themselves.
 */
public final class JdkHooks {
    /** True once the JVM-wide kernel has a sandbox; until then every hook returns at once. */
    static volatile boolean active;

    private static volatile Kernel kernel;
    private static volatile boolean exitEndsSandbox;

    /** Pool workers being started: child thread to its open start (see {@link #afterStart}). */
    private static final ConcurrentHashMap<Thread, WorkerStart> addingWorkers = new ConcurrentHashMap<>();

    /** A worker's start into its pool's LWP, open between the start method's entry and exit. */
    private static final class WorkerStart {
        final Thread starter = Thread.currentThread();
        final Lwp pool;

        WorkerStart(Lwp pool) {
            this.pool = pool;
        }
    }

    /** Pools created by LWP threads: pool to its LWP, or {@link #SYSTEM} (a JDK service pool), or a {@link Refused}. */
    private static final ConcurrentHashMap<Object, Object> pools = new ConcurrentHashMap<>();
    /** Pool workers created but not started yet: thread to its pool's LWP, {@link #HOST} or a {@link Refused}. */
    private static final ConcurrentHashMap<Thread, Object> workers = new ConcurrentHashMap<>();
    /**
     * Pools that belonged to an LWP and were forgotten (see {@link #forgetPool}): pool to an
     * {@link Ended}, which refers to nothing else (not even indirectly, as a {@link Refused}'s
     * exception would through its backtrace's classes: a plugin class with the pool in a static
     * field would keep the entry forever), so an entry goes when its pool is collected. Guarded
     * by itself.
     */
    private static final WeakHashMap<Object, Object> forgotten = new WeakHashMap<>();
    /**
     * Whether {@link #forgotten} ever held a pool: until then a host pool's worker start (every
     * one looks here) takes no monitor.
     */
    private static volatile boolean anyForgotten;
    /** Thread-per-task executors the JDK created on an LWP's behalf (NIO pollers). */
    private static final Set<Object> systemContainers = ConcurrentHashMap.newKeySet();

    static final Object HOST = new Object();
    static final Object SYSTEM = new Object();

    /** A pool whose LWP could not be created; its workers are refused for the same reason. */
    private record Refused(RuntimeException limitOrClosed, LwpKilledError killed) {
        Throwable workerRefused(Thread worker) {
            String what = "Thread.start of pool worker \"" + worker.getName() + "\" refused: ";
            if (killed != null) {
                return new LwpKilledError(killed.pid(), killed.signal(), what + "the LWP that created its pool was killed");
            }
            if (limitOrClosed instanceof LwpLimitException) {
                return new LwpLimitException(what + "its pool was created at the sandbox's LWP limit ("
                        + limitOrClosed.getMessage() + ")");
            }
            return new IllegalStateException(what + limitOrClosed.getMessage(), limitOrClosed);
        }
    }

    /** A forgotten pool whose LWP ended (pid 0: one refused at its creation): its workers are refused. */
    private record Ended(long pid) {
        Throwable workerRefused(Thread worker) {
            return new LwpKilledError(pid, io.jreap.proc.Signal.KILL, "Thread.start of pool worker \""
                    + worker.getName() + "\" refused: " + (pid != 0 ? "the LWP of its pool has ended" : "its pool was refused"));
        }
    }

    private static final Set<String> SYSTEM_THREAD_CLASSES = Set.of(
            "jdk.internal.misc.InnocuousThread",
            "jdk.internal.misc.CarrierThread",
            "java.util.concurrent.ForkJoinWorkerThread$InnocuousForkJoinWorkerThread",
            "java.util.concurrent.DelayScheduler",
            "jdk.internal.net.http.HttpClientImpl$SelectorManager",
            "java.awt.EventDispatchThread",
            "java.lang.ref.Reference$ReferenceHandler",
            "java.lang.ref.Finalizer$FinalizerThread",
            "java.util.logging.LogManager$Cleaner",
            "jdk.jfr.internal.ShutdownHook");

    private static final ServiceSites SITES = new ServiceSites();
    private static volatile boolean reportedFailure;
    /** The agent's event-log writer thread, or null (see {@link #skipUnsafeWarning}). */
    private static volatile Thread quietUnsafeThread;

    private JdkHooks() {
    }

    /**
     * Called once by the agent before it instruments anything.
     *
     * @param exitEndsWholeSandbox {@code System.exit} in an LWP ends its sandbox, not only the LWP
     */
    public static void install(Kernel k, boolean exitEndsWholeSandbox) {
        kernel = k;
        exitEndsSandbox = exitEndsWholeSandbox;
        PoolReaper reaper = new PoolReaper();
        PoolSupport.shutdowns = reaper;
        Thread t = new Thread(reaper, "jreap pool reaper");
        t.setDaemon(true);
        t.start();
        // Initialise, now, everything the hooks touch, so that a hook never loads a class (or
        // runs a static initialiser) inside a JDK start method.
        SITES.isServiceSite();
        new LwpKilledError(0, io.jreap.proc.Signal.KILL, "").getMessage();
        new Refused(null, null);
        new Ended(0).workerRefused(t);
        new Ended(1).workerRefused(t);
        wasForgotten(reaper);
        KillerThreads.isKillerThread(t); // and what a kill from a virtual thread uses (an exit hook may kill)
    }

    /**
     * The agent's event-log writer: the thread on which its Chronicle Queue calls
     * {@code sun.misc.Unsafe}. Its calls do not make JDK 24+ print the one-time "terminally
     * deprecated method in sun.misc.Unsafe" warning, so that the warning (and the caller it names)
     * stays the host's own; null: no thread is exempt.
     */
    public static void quietUnsafeWarning(Thread writer) {
        quietUnsafeThread = writer;
    }

    /**
     * At the entry of {@code sun.misc.Unsafe.beforeMemoryAccessSlow()} (JDK 24+, only with the
     * event log on): true to return at once, without the warning, when the JVM runs in the default
     * {@code --sun-misc-unsafe-memory-access=warn} mode and the caller is the thread of
     * {@link #quietUnsafeWarning}. Any other mode ({@code debug}, {@code deny}) and every other
     * thread go through the JDK's code unchanged. Never throws.
     */
    public static boolean skipUnsafeWarning(Object memoryAccessOption) {
        Thread q = quietUnsafeThread;
        return q != null && Thread.currentThread() == q && memoryAccessOption instanceof Enum<?> e
                && "WARN".equals(e.name());
    }

    /** Tests drive the hooks by hand against their own kernel (no agent, no reaper thread). */
    static void useForTest(Kernel k) {
        kernel = k;
        active = true;
    }

    // ===================================================================================
    // Thread start
    // ===================================================================================

    /**
     * At the entry of {@code Thread.start()}, {@code Thread.start(ThreadContainer)} and
     * {@code VirtualThread.start(ThreadContainer)}. Returns null to let the start go on, or the
     * error the starting thread throws instead (the start was refused: its LWP is being killed,
     * or its sandbox is at its LWP limit); then the child never runs.
     */
    public static Throwable beforeStart(Thread child, Object container) {
        if (!active) {
            return null;
        }
        try {
            return start(child, container);
        } catch (LwpKilledError | LwpLimitException refused) {
            return refused;
        } catch (Throwable bug) {
            report("Thread.start", bug);
            return null;
        }
    }

    private static Throwable start(Thread child, Object container) {
        Kernel k = kernel;
        Object owner = ownerOf(child, container);
        if (owner == HOST) {
            return null;
        }
        if (owner instanceof Refused r) {
            return r.workerRefused(child);
        }
        if (owner instanceof Ended e) {
            return e.workerRefused(child);
        }
        Lwp pool = (Lwp) owner;
        Lwp parent = null;
        if (pool == null) {
            parent = k.currentLwp();
            if (parent == null) {
                return null; // a host thread starting a host thread
            }
            if (container == null && SITES.isServiceSite()) {
                return null; // a JDK service this LWP happened to trigger first (Thread.start() is platform-only)
            }
        }
        // Reserve the child: a thread the kernel forked itself is bound already, and of two
        // threads racing to start the same Thread object (the JDK refuses one) only one forks.
        if (!k.reserve(child)) {
            return null;
        }
        WorkerStart ws = null;
        try {
            if (pool != null) {
                ws = new WorkerStart(pool);
                addingWorkers.put(child, ws);
                k.beginAddThread(pool, child);
            } else {
                k.beginFork(parent, true, child, null).starter = Thread.currentThread();
            }
        } catch (Throwable e) {
            if (ws != null) {
                addingWorkers.remove(child, ws);
            }
            k.unreserve(child);
            if (e instanceof LwpKilledError refused) {
                return new LwpKilledError(refused.pid(), refused.signal(),
                        "Thread.start of \"" + child.getName() + "\" refused");
            }
            throw e;
        }
        return null;
    }

    /** The owner decided by class or pool: an LWP, {@link #HOST}, a {@link Refused}, or null: the starter's. */
    private static Object ownerOf(Thread child, Object container) {
        if (KillerThreads.isKillerThread(child)) {
            return HOST; // the kernel's own, started by whichever virtual thread killed first (maybe an LWP)
        }
        if (SYSTEM_THREAD_CLASSES.contains(child.getClass().getName())) {
            return HOST;
        }
        if (child instanceof ForkJoinWorkerThread w) {
            ForkJoinPool p = w.getPool();
            if (p == ForkJoinPool.commonPool()) {
                return HOST;
            }
            Object o = pools.get(p);
            if (o == null) {
                o = wasForgotten(p);
            }
            return o == null || o == SYSTEM ? HOST : o;
        }
        if (!workers.isEmpty()) {
            Object o = workers.remove(child);
            if (o != null) {
                return o;
            }
        }
        if (container != null && !systemContainers.isEmpty() && systemContainers.contains(container)) {
            return HOST; // (the set is empty unless an LWP made the JDK create an executor for itself)
        }
        return null;
    }

    /**
     * On every exit of the start methods ({@code failure} null on a normal return). Finishes the
     * transaction that {@link #beforeStart} opened, if this thread opened one for this child.
     */
    public static void afterStart(Thread child, Throwable failure) {
        if (!active) {
            return;
        }
        try {
            Kernel k = kernel;
            Thread me = Thread.currentThread();
            if (!addingWorkers.isEmpty()) {
                WorkerStart ws = addingWorkers.get(child);
                if (ws != null && ws.starter == me) {
                    addingWorkers.remove(child, ws);
                    k.endStart(ws.pool, child, false, failure);
                    return;
                }
            }
            // The binding is still there: a child that ran and ended meanwhile left it for us.
            Lwp p = k.lwpOf(child);
            if (p == null || !p.startedBy(me)) {
                return; // not a start this thread opened
            }
            boolean childEnded = p.closeStart();
            k.endStart(p, child, true, failure);
            if (childEnded) {
                k.unbind(child, p);
            }
        } catch (Throwable bug) {
            report("Thread.start (exit)", bug);
        }
    }

    // ===================================================================================
    // Thread end
    // ===================================================================================

    /**
     * When a thread ends: at the entry of the platform {@code Thread.exit()} (on the dying thread)
     * and when {@code VirtualThread.run(Runnable)} returns. Idempotent; unknown threads are ignored.
     */
    public static void threadExit(Thread t) {
        if (!active) {
            return;
        }
        try {
            Kernel k = kernel;
            Lwp p = k.lwpOf(t);
            if (p == null) {
                return;
            }
            // A child can end before its start method returned in the starter (a short virtual
            // thread on another carrier): then the starter still needs the binding to close the fork.
            k.threadExit(p, t, false, !p.markChildExitedIfOpen());
        } catch (Throwable bug) {
            report("thread exit", bug);
        }
    }

    /**
     * At the entry of {@code Thread.dispatchUncaughtException}. Notes that the LWP's thread died
     * of an uncaught exception; returns true (skip the handler) when the LWP was killed: then the
     * exception is the kill's error or what its interrupt became, which is how a killed LWP's
     * threads normally end (the runtime's own LwpThreadMain treats it the same way).
     */
    public static boolean uncaught(Thread t, Throwable e) {
        if (!active) {
            return false;
        }
        try {
            Lwp p = kernel.lwpOf(t);
            if (p == null) {
                return false;
            }
            if (p.killed()) {
                return true; // the kill's error, or what its interrupt became: the kill's, as in LwpThreadMain
            }
            p.noteUncaught();
        } catch (Throwable bug) {
            report("uncaught exception", bug);
        }
        return false;
    }

    /**
     * At the entry of {@code ThreadGroup.uncaughtException}, the default handler. Returns true
     * (skip it) for a thread of a killed LWP: whatever it throws is the kill's, as in
     * {@link #uncaught}. This is reached also without the thread dying, when JDK code calls a
     * thread's handler itself: a {@code ForkJoinPool} worker whose {@code execute}d task threw.
     * Nothing is noted (a dying thread was noted by {@link #uncaught} already).
     */
    public static boolean groupUncaught(Thread t, Throwable e) {
        if (!active) {
            return false;
        }
        try {
            Lwp p = t == null ? null : kernel.lwpOf(t);
            return p != null && p.killed();
        } catch (Throwable bug) {
            report("uncaught exception", bug);
            return false;
        }
    }

    // ===================================================================================
    // System.exit and Runtime.halt
    // ===================================================================================

    /**
     * At the entry of {@code Runtime.exit} and {@code Runtime.halt}. From an LWP: ends the LWP (or
     * its sandbox) and returns the error its thread throws instead of ending the JVM. From the
     * host: null, the JVM exits as usual.
     */
    public static Throwable exitCall(int status, boolean halt) {
        if (!active) {
            return null;
        }
        try {
            Kernel k = kernel;
            Lwp p = k.currentLwp();
            if (p == null) {
                return null;
            }
            return k.exitCall(p, status, halt, exitEndsSandbox);
        } catch (Throwable bug) {
            report("System.exit", bug);
            // Never let a plugin end the JVM because jreap failed: end the thread instead.
            return new LwpKilledError(0, io.jreap.proc.Signal.KILL, "System.exit refused in an LWP");
        }
    }

    // ===================================================================================
    // Pools
    // ===================================================================================

    /**
     * At the end of every {@code ThreadPoolExecutor} and {@code ForkJoinPool} constructor. A pool
     * an LWP creates becomes a thread-less child LWP of it, unless a JDK service created it on the
     * LWP's behalf (then it is the JVM's). Pools the host creates are not recorded.
     */
    public static void poolCreated(Object pool) {
        if (!active) {
            return;
        }
        try {
            Kernel k = kernel;
            Lwp creator = k.currentLwp();
            if (creator == null || pools.containsKey(pool)) {
                return; // a host pool, or the inner constructor of a delegating one already ran
            }
            if (SITES.isServiceSite()) {
                pools.put(pool, SYSTEM);
                return;
            }
            try {
                Lwp p = k.forkPool(creator, pool);
                pools.put(pool, p);
            } catch (LwpKilledError killed) {
                // Its workers are refused, and the constructor itself returns. A refused pool can
                // never run a worker: the pool reaper shuts it down (later submissions get its own
                // RejectedExecutionException) and then forgets it. Kept forever, refused pools
                // (with their thread factories, so the plugin's classes) piled up: half of the
                // pools of the agent storm, whose killed threads create pools on their way out.
                pools.put(pool, new Refused(null, killed));
                PoolSupport.shutdownNow(pool);
            } catch (LwpLimitException | IllegalStateException refused) {
                pools.put(pool, new Refused(refused, null));
                PoolSupport.shutdownNow(pool);
            }
        } catch (Throwable bug) {
            report("pool creation", bug);
        }
    }

    /**
     * At the end of the {@code ThreadPoolExecutor.Worker} constructor: remembers which pool the
     * not-yet-started worker thread belongs to (whatever its thread factory wrapped).
     */
    public static void poolWorkerCreated(Thread worker, Object pool) {
        if (!active || worker == null) {
            return;
        }
        try {
            Object o = pools.get(pool);
            if (o == null) {
                o = wasForgotten(pool);
            }
            if (o != null) {
                workers.put(worker, o == SYSTEM ? HOST : o);
            } else if (kernel.currentLwp() != null) {
                workers.put(worker, HOST); // a host pool whose worker an LWP's submission starts
            }
        } catch (Throwable bug) {
            report("pool worker creation", bug);
        }
    }

    /** At the entry of {@code ThreadPoolExecutor.addWorkerFailed}: the worker never starts. */
    public static void poolWorkerFailed(Thread worker) {
        if (active && worker != null) {
            workers.remove(worker);
        }
    }

    /**
     * Before {@code shutdown()}, {@code shutdownNow()} (and {@code ForkJoinPool.close()}) return:
     * a pool LWP whose pool terminated with no worker thread left ends now. Its workers' exits
     * cannot end it: it never had one (its thread factory threw, or nothing was submitted), or
     * they all timed out before the shutdown. A terminated pool starts no worker again.
     */
    public static void poolShutdown(Object pool) {
        if (!active || pools.isEmpty()) {
            return;
        }
        try {
            Object o = pools.get(pool);
            if (o instanceof Lwp p && p.liveThreads() == 0 && p.alive() && PoolSupport.isTerminated(pool)) {
                kernel.exitThreadless(p);
            } else if (o instanceof Refused && PoolSupport.isTerminated(pool)) {
                // Nothing to end; only forget it, and only once it has terminated. A refused pool
                // that is merely shut down can still start a worker: a submission that passed its
                // shutdown check before the shutdown, or, on JDK 25, its DelayScheduler thread (a
                // host thread) pushing a delayed task that shutdown() lets run and signalling for
                // a worker. Forgotten here at the plugin's shutdown(), or at the reaper's own
                // shutdownNow(), such a worker found no entry and was taken for a host pool's
                // worker: it ran plugin tasks as the host (AgentStorm: "pool task runs outside
                // any LWP", after kills that caught an LWP constructing a ForkJoinPool). The
                // reaper, handed the pool when it was refused, forgets it once terminated.
                forgetPool(pool);
            }
        } catch (Throwable bug) {
            report("pool shutdown", bug);
        }
    }

    /** At the end of the (JDK 21+) {@code ThreadPerTaskExecutor} constructor. */
    public static void taskExecutorCreated(Object executor) {
        if (!active) {
            return;
        }
        try {
            if (kernel.currentLwp() != null && SITES.isServiceSite()) {
                systemContainers.add(executor);
            }
        } catch (Throwable bug) {
            report("executor creation", bug);
        }
    }

    /**
     * Forgets a pool that has terminated (its LWP ended, or it was refused). A terminated pool
     * starts no worker: a {@code ThreadPoolExecutor} checks its state under its main lock and
     * terminates only with no worker left; a {@code ForkJoinPool} counts a worker before
     * creating it and terminates only with none counted. On JDK 17 the one gap left: its
     * {@code createWorker} does not check the pool's state, so a submitter that passed the
     * shutdown check and then stalled until the pool had terminated (and was forgotten) may
     * still push a task and create a worker. Such a worker must not become a host thread either,
     * so the pool is remembered, weakly, in {@link #forgotten}: its workers are refused as long
     * as the pool exists at all (a worker refers to its pool, so it can start only while the
     * pool is reachable).
     */
    static void forgetPool(Object pool) {
        Object o = pools.remove(pool);
        Ended e = o instanceof Lwp p ? new Ended(p.pid)
                : o instanceof Refused r ? new Ended(r.killed() != null ? r.killed().pid() : 0) : null;
        if (e != null) {
            synchronized (forgotten) {
                forgotten.put(pool, e);
            }
            anyForgotten = true;
        }
    }

    /** The refusal for a worker of a pool that belonged to an LWP and was forgotten, or null. */
    private static Object wasForgotten(Object pool) {
        if (!anyForgotten) {
            return null;
        }
        synchronized (forgotten) {
            return forgotten.get(pool);
        }
    }

    /**
     * The LWP of {@code pool} ended without a kill: its owner shut the pool down and its last
     * worker ended, or it terminated idle. Forgets the pool if it has terminated; else it stays
     * known and the pool reaper shuts it down and forgets it once it has terminated.
     *
     * <p>Shut down is not terminated. A {@code ForkJoinPool} starts workers after
     * {@code shutdown()} for the work it still accepts: tasks whose submission passed the shutdown
     * check first, and on JDK 25 the delayed tasks that {@code shutdown()} lets run, which its
     * DelayScheduler (a host thread) pushes and signals a worker for; a
     * {@code ThreadPoolExecutor} starts one after {@code shutdown()} while its queue is not empty.
     * Forgotten at this point, such a worker found no entry in {@link #pools} and started as a
     * host thread that ran plugin tasks. Kept known, it finds the pool's exited LWP and is
     * refused ({@link Kernel#beginAddThread}); no task can run in the pool again, so the reaper's
     * {@code shutdownNow} loses nothing and lets the pool terminate, be forgotten, and be
     * collected.
     */
    static void poolLwpEnded(Object pool) {
        if (PoolSupport.isTerminated(pool)) {
            forgetPool(pool);
        } else if (PoolSupport.shutsDownLater()) {
            PoolSupport.shutdownNow(pool); // the reaper: forgets it once terminated
        } // else no agent: only tests drive the hooks, and the pool stays known
    }

    private static void report(String where, Throwable bug) {
        if (!reportedFailure) {
            reportedFailure = true;
            System.err.println("jreap: internal error in the " + where + " hook (reported once; the JDK call went on): " + bug);
            bug.printStackTrace();
        }
    }

    /**
     * Shuts killed pools down on a host thread of its own: a pool's {@code shutdownNow} and
     * {@code terminated()} may be plugin code, which must not run on the killer's thread.
     *
     * <p>It is also the only one that forgets a killed or refused pool, or one whose LWP exited
     * before it terminated, and only once the pool has terminated: until then a killed thread
     * that has not reached a check point may still submit to the pool, a {@code ForkJoinPool}
     * (and its JDK 25 DelayScheduler) may still start a worker, and that worker must find the
     * pool's LWP (which refuses it) or its refusal, not be taken for a host pool's worker. A
     * terminated pool starts no worker: a {@code ForkJoinPool} counts a worker before creating
     * it, terminates only with none counted, and checks STOP before constructing one; a
     * {@code ThreadPoolExecutor} checks its state under its main lock and terminates only with
     * no worker left.
     */
    private static final class PoolReaper implements Runnable, Consumer<Object> {
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

        @Override
        public void accept(Object pool) {
            queue.add(pool);
        }

        /**
         * A killed pool LWP without workers exits now that the pool is shut down (the kill left it
         * to this thread, see {@link PoolSupport#shutsDownLater}); one with workers exits when the
         * last of them, seeing the shutdown, ends.
         */
        private static void exitIfIdle(Object pool) {
            Object o = pools.get(pool);
            if (o instanceof Lwp p && p.killed() && p.liveThreads() == 0) {
                kernel.exitThreadless(p);
            }
        }

        /** Shut down, not yet terminated: kept known (a worker they still start is theirs) and checked again. */
        private final java.util.ArrayList<ExecutorService> terminating = new java.util.ArrayList<>();

        @Override
        public void run() {
            for (;;) {
                Object pool;
                try {
                    pool = terminating.isEmpty() ? queue.take() : queue.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    continue; // a host's thread-leak checker: this thread belongs to the JVM
                }
                if (pool != null) {
                    stop(pool);
                }
                // A pool is forgotten only once it has terminated: until then a ForkJoinPool may
                // still start a worker (found by AgentStorm: a worker of a shut-down, already
                // forgotten pool was taken for a host thread and ran plugin tasks as the host).
                for (java.util.Iterator<ExecutorService> it = terminating.iterator(); it.hasNext();) {
                    ExecutorService es = it.next();
                    exitIfIdle(es);
                    if (terminated(es)) {
                        it.remove();
                        forgetPool(es);
                    }
                }
            }
        }

        private void stop(Object pool) {
            try {
                if (pool instanceof ExecutorService es) {
                    es.shutdownNow();
                    if (!terminating.contains(es)) {
                        terminating.add(es);
                    }
                } else if (pool instanceof Thread timer) {
                    PoolSupport.cancelTimerThread(timer);
                    forgetPool(timer);
                }
            } catch (Throwable e) {
                // The pool's own shutdown failed (a plugin override); its workers were
                // interrupted already. It stays known, so that a worker it may still start
                // is refused rather than taken for a host thread.
            } finally {
                exitIfIdle(pool);
            }
        }

        private static boolean terminated(ExecutorService es) {
            try {
                return es.isTerminated();
            } catch (Throwable e) {
                return false;
            }
        }
    }
}
