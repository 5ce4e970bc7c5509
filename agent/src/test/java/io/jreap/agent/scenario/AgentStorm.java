package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;

import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpInfo;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpLimitException;
import io.jreap.proc.LwpState;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The no-escape stress test of the core, through the agent: plugin code starts threads only the
 * way any library does ({@code new Thread().start()}, {@code Thread} subclasses, its own
 * {@code ThreadPoolExecutor}s and {@code ForkJoinPool}s whose tasks start more threads,
 * {@code java.util.Timer}s, and on JDK 21+ virtual threads, virtual from virtual, and
 * virtual-thread-per-task executors), and a host thread kills the sandbox at a random moment
 * mid-storm.
 *
 * <p>Modes ({@code args[0]}):
 * <ul>
 *   <li>{@code storm}: every birth path above, on platform and virtual threads; the killer calls
 *       {@link Sandbox#kill()}, {@link Kernel#killpg}, {@link Kernel#reaperKill} or
 *       {@link Sandbox#shutdown} (whose TERM the plugin sometimes ignores), sometimes two of them
 *       at once, from a platform or a virtual thread;</li>
 *   <li>{@code pinned} (JDK 21+, run with two carriers): virtual threads fork virtual threads
 *       inside {@code synchronized} blocks (pinned on JDK 21-23) and inside static initialisers of
 *       classes that this trial loads afresh (pinned on every JDK, while other virtual threads
 *       waiting for the same initialisation pin the other carrier), against a killer that is
 *       itself a virtual thread.</li>
 * </ul>
 *
 * <p>Plugin threads fork, sleep, park, wait and spin; every loop passes an interruptible wait, a
 * {@code Thread.start} or {@link Kernel#checkSignals()} (kill points inside arbitrary code are not
 * built yet), and catches the {@link LwpKilledError} that a refused start throws. Idle pool workers
 * and timer threads get no such help: the JDK's machinery must die without cooperation.
 *
 * <p>Every plugin thread and task records its thread in a host-side set at its first instruction
 * (pool thread factories record theirs when they make them). After each kill returns, per trial:
 * <ul>
 *   <li><b>no escape</b>: right after the kill, every live LWP of the sandbox in
 *       {@link Kernel#ps()} is marked killed; no plugin code ever ran outside an LWP of its
 *       sandbox, nor after the sandbox was found terminated;</li>
 *   <li><b>0 survivors</b>: within a generous deadline, {@link Sandbox#awaitTermination}; every
 *       recorded thread is dead (a virtual one terminated); {@code ps} shows no LWP of the sandbox
 *       but its reaper; every plugin pool has no worker left; no platform thread born during the
 *       trial is still alive apart from the JDK's own; the sandbox closes;</li>
 *   <li><b>0 bystander interrupts</b>: host platform and virtual threads that sleep, park or wait
 *       for a lock, and host pool workers running such tasks, saw no interrupt and no wake-up;</li>
 *   <li><b>no deadlock</b>: every trial runs on a driver thread under a watchdog that prints a
 *       thread dump (lock owners, and the trial's live virtual threads) and halts the JVM.</li>
 * </ul>
 * Every failure line carries the trial's seed. Knobs (child-JVM properties; the agent rejects
 * unknown {@code -Djreap.*}): {@code -Dstress.trials=N}, {@code -Dstress.seed=S} (every trial uses
 * S), {@code -Dstress.long=true} (bigger storms), {@code -Dstress.killer=virtual|platform} (the storm
 * mode's killer thread, else either), {@code -Dstress.verbose=true} (a line per trial).
 */
public final class AgentStorm {
    static final Kernel K = Kernel.global();
    static final boolean VIRTUAL = Jdk21.available();
    /** For everything that must happen eventually: a platform killer's kill, termination, threads ending. */
    static final Duration GENEROUS = Duration.ofSeconds(30);
    /**
     * A virtual killer's kill. Each time it waits it needs a turn on a carrier, behind every
     * runnable virtual thread of the storm: in the long storms on JDK 25 (thousands of them on
     * two carriers) its kills took up to 10-24 s where a platform killer's took under 1 s. That
     * is the JDK scheduler's fairness, not a jreap stall; a deadlock still fails here.
     */
    static final Duration VIRTUAL_KILL = Duration.ofSeconds(90);
    /** A trial that takes longer is a deadlock or a stall. */
    static final long WATCHDOG_SECONDS = Long.getLong("stress.watchdog", 200);
    static final int TRIALS = Integer.getInteger("stress.trials", 20);
    static final Long SEED = parseSeed(System.getProperty("stress.seed"));
    static final boolean BIG = Boolean.getBoolean("stress.long");
    static final boolean VERBOSE = Boolean.getBoolean("stress.verbose");

    /** Problem categories; each must stay empty. */
    static final String SURVIVORS = "survivors";
    static final String ESCAPES = "escapes";
    static final String BYSTANDERS = "bystander interrupts";
    static final String STALLS = "deadlocks/stalls";
    static final String ERRORS = "unexpected errors";
    static final List<String> CATEGORIES = List.of(SURVIVORS, ESCAPES, BYSTANDERS, STALLS, ERRORS);

    // Run totals.
    static final AtomicLong totalStarts = new AtomicLong();
    static final AtomicLong totalTasks = new AtomicLong();
    static final AtomicLong totalRecorded = new AtomicLong();
    static final AtomicLong totalRefused = new AtomicLong();
    static final AtomicLong totalAtLimit = new AtomicLong();
    static final AtomicLong totalRejected = new AtomicLong();
    static final AtomicLong totalKills = new AtomicLong();
    static final AtomicLong totalPools = new AtomicLong();
    static final AtomicLong totalTimers = new AtomicLong();
    static final AtomicLong totalVirtual = new AtomicLong();
    static final AtomicLong totalClinitBursts = new AtomicLong();
    static final AtomicLong maxKillMillis = new AtomicLong();
    static final AtomicLong maxVirtualKillMillis = new AtomicLong();
    static final AtomicLong maxTrialMillis = new AtomicLong();
    static final Map<String, AtomicInteger> problemCounts = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> killMethods = new ConcurrentHashMap<>();
    /** Plugin code that first ran after its trial was over: recorded here whatever trial runs now. */
    static final Queue<String> lateRuns = new ConcurrentLinkedQueue<>();

    /** The trial whose plugin code runs now (static initialisers of the pinned mode find it here). */
    static volatile Trial current;

    private AgentStorm() {
    }

    static Long parseSeed(String v) {
        return v == null || v.isBlank() ? null : Long.parseLong(v.trim());
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "storm";
        boolean pinned = mode.equals("pinned");
        if (pinned && !VIRTUAL) {
            Checks.skip("pinned", "JDK " + Runtime.version().feature() + " has no virtual threads");
            Checks.done();
            System.exit(0);
        }
        long base = SEED != null ? SEED : new Random().nextLong() & 0x7fff_ffff_ffffL;
        System.out.println("AgentStorm " + mode + (BIG ? " (long)" : "") + ": " + TRIALS + " trials, base seed " + base
                + (SEED != null ? " (fixed: every trial uses it)" : "") + ", JDK " + Runtime.version().feature()
                + ", virtual threads " + (VIRTUAL ? "on" : "off") + ", carriers "
                + System.getProperty("jdk.virtualThreadScheduler.parallelism", "default"));
        for (String c : CATEGORIES) {
            problemCounts.put(c, new AtomicInteger());
        }
        Bystanders bystanders = new Bystanders();
        bystanders.start();
        long t0 = System.nanoTime();
        for (int i = 0; i < TRIALS; i++) {
            long seed = SEED != null ? SEED : base + i;
            Trial t = new Trial(mode, i, seed, pinned, bystanders);
            guarded(t);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        bystanders.stop();
        if (!lateRuns.isEmpty()) {
            problemCounts.get(ESCAPES).addAndGet(lateRuns.size());
            check(mode + ": plugin code that first ran after its sandbox terminated", false, first(lateRuns, 5));
        }
        if (!bystanders.finishedCleanly()) {
            problemCounts.get(BYSTANDERS).incrementAndGet();
            check(mode + ": host bystanders ended normally", false, bystanders.report());
        }
        System.out.printf("AgentStorm %s figures: %d trials in %.1f s (JDK %d); threads started by plugin code %d "
                + "(virtual %d), pool/timer tasks %d, distinct plugin threads recorded %d, pools %d, timers %d, "
                + "static-initialiser bursts %d; forks refused (LwpKilledError caught) %d, at the LWP limit %d, "
                + "rejected by shut pools %d; kills %d %s; slowest kill %d ms from a platform thread, %d ms from a "
                + "virtual one; slowest trial %d ms%n",
                mode, TRIALS, millis / 1000.0, Runtime.version().feature(), totalStarts.get(), totalVirtual.get(),
                totalTasks.get(), totalRecorded.get(), totalPools.get(), totalTimers.get(), totalClinitBursts.get(),
                totalRefused.get(), totalAtLimit.get(), totalRejected.get(), totalKills.get(), killMethods,
                maxKillMillis.get(), maxVirtualKillMillis.get(), maxTrialMillis.get());
        for (String c : CATEGORIES) {
            int n = problemCounts.get(c).get();
            check(mode + ": 0 " + c + " in " + TRIALS + " trials", n == 0, n + " trials with " + c
                    + " (see the FAIL lines above)");
        }
        check(mode + ": the storms started threads", totalRecorded.get() > TRIALS, totalRecorded.get() + " threads");
        check(mode + ": the kills hit running storms", totalRefused.get() > 0 || TRIALS < 5,
                "no fork was ever refused: the kills came after the storms had ended");
        Checks.done();
        System.exit(0); // surviving plugin threads (already reported) must not keep the JVM alive
    }

    static String first(Collection<String> c, int n) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (String s : c) {
            if (i++ == n) {
                b.append(" | ... ").append(c.size() - n).append(" more");
                break;
            }
            b.append(" | ").append(s.replace('\n', '|'));
        }
        return b.toString();
    }

    // =========================================================================================
    // Watchdog
    // =========================================================================================

    /** Runs the trial on a driver thread; this thread watches it and dumps every thread if it hangs. */
    static void guarded(Trial t) throws InterruptedException {
        FutureTask<Void> task = new FutureTask<>(() -> {
            t.run();
            return null;
        });
        Thread driver = new Thread(task, "storm-driver-" + t.index);
        driver.setDaemon(true);
        driver.start();
        try {
            task.get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            System.out.println("CHECK " + t.mode + " trial " + t.index + " " + STALLS + " FAIL " + t.tag
                    + " not finished after " + WATCHDOG_SECONDS + " s (deadlock or stall; phase: " + t.phase
                    + "); thread dump follows");
            System.out.println(dumpThreads(t.recorded));
            System.out.flush();
            Runtime.getRuntime().halt(3);
        } catch (ExecutionException e) {
            StringBuilder b = new StringBuilder();
            for (StackTraceElement s : e.getCause().getStackTrace()) {
                b.append(" at ").append(s);
            }
            t.problem(ERRORS, "the trial driver threw " + e.getCause() + b);
            t.report();
        }
    }

    /** Every platform thread with lock owners, then the trial's live virtual threads. */
    static String dumpThreads(Collection<Thread> trialThreads) {
        StringBuilder b = new StringBuilder();
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] dead = mx.findDeadlockedThreads();
        if (dead != null) {
            b.append("DEADLOCKED thread ids: ").append(Arrays.toString(dead)).append('\n');
        }
        for (ThreadInfo ti : mx.dumpAllThreads(true, true)) {
            b.append('"').append(ti.getThreadName()).append("\" id=").append(ti.getThreadId()).append(' ')
                    .append(ti.getThreadState());
            if (ti.getLockName() != null) {
                b.append(" on ").append(ti.getLockName());
            }
            if (ti.getLockOwnerName() != null) {
                b.append(" owned by \"").append(ti.getLockOwnerName()).append("\" id=").append(ti.getLockOwnerId());
            }
            b.append('\n');
            StackTraceElement[] st = ti.getStackTrace();
            for (int i = 0; i < st.length; i++) {
                b.append("\tat ").append(st[i]).append('\n');
                for (MonitorInfo mi : ti.getLockedMonitors()) {
                    if (mi.getLockedStackDepth() == i) {
                        b.append("\t- locked ").append(mi).append('\n');
                    }
                }
            }
            LockInfo[] syncs = ti.getLockedSynchronizers();
            if (syncs.length > 0) {
                b.append("\tLocked synchronizers: ").append(Arrays.toString(syncs)).append('\n');
            }
            b.append('\n');
        }
        int shown = 0;
        for (Thread t : trialThreads) {
            if (t.isAlive() && Jdk21.isVirtual(t) && shown++ < 50) {
                b.append("virtual ").append(t).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement e : t.getStackTrace()) {
                    b.append("\tat ").append(e).append('\n');
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    static String stackOf(Thread t) {
        StringBuilder b = new StringBuilder(t.toString()).append(" ").append(t.getState());
        for (StackTraceElement e : t.getStackTrace()) {
            b.append("\n\tat ").append(e);
        }
        return b.toString();
    }

    // =========================================================================================
    // Host bystanders: must see no interrupt and no wake-up, ever
    // =========================================================================================

    /**
     * Host threads that block for the whole run: a platform and (JDK 21+) a virtual thread each
     * sleeping, parking and waiting interruptibly for a lock the main thread holds, and the two
     * workers of a host pool running a sleeping and a parking task. Counted per trial as deltas.
     */
    static final class Bystanders {
        final AtomicInteger incidents = new AtomicInteger();
        final Queue<String> what = new ConcurrentLinkedQueue<>();
        final ReentrantLock held = new ReentrantLock();
        final List<Thread> threads = new ArrayList<>();
        final Set<Thread> parkers = ConcurrentHashMap.newKeySet();
        final AtomicInteger ended = new AtomicInteger();
        int expected;
        ExecutorService hostPool;
        volatile boolean stop;

        void start() throws InterruptedException {
            held.lock(); // by the main thread, until stop()
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(VIRTUAL ? 8 : 5);
            List<Runnable> bodies = new ArrayList<>();
            for (String kind : List.of("sleep", "park", "lock")) {
                bodies.add(body(kind, ready));
            }
            for (int i = 0; i < bodies.size(); i++) {
                Thread t = new Thread(bodies.get(i), "host-bystander-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            if (VIRTUAL) {
                for (String kind : List.of("sleep", "park", "lock")) {
                    threads.add(Jdk21.startVirtualFast(body("virtual " + kind, ready)));
                }
            }
            hostPool = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "host-pool-worker");
                t.setDaemon(true);
                return t;
            });
            hostPool.execute(body("host pool sleep", ready));
            hostPool.execute(body("host pool park", ready));
            expected = threads.size() + 2;
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("bystanders did not start");
            }
        }

        Runnable body(String kind, java.util.concurrent.CountDownLatch ready) {
            return () -> {
                String who = kind + " [" + Thread.currentThread() + "]";
                if (K.inLwp()) {
                    incident("bystander " + who + " runs in LWP " + K.getpid());
                }
                if (kind.endsWith("park")) {
                    parkers.add(Thread.currentThread());
                }
                ready.countDown();
                while (!stop) {
                    if (kind.endsWith("sleep")) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            incident("INTERRUPT of host bystander " + who);
                        }
                    } else if (kind.endsWith("park")) {
                        LockSupport.park(this);
                        if (Thread.interrupted()) {
                            incident("INTERRUPT of host bystander " + who + " (park returned, flag set)");
                        } else if (!stop) {
                            incident("WAKE-UP of host bystander " + who + " (park returned without unpark)");
                        }
                    } else {
                        try {
                            held.lockInterruptibly();
                            held.unlock();
                            if (!stop) {
                                incident("host bystander " + who + " got a lock that the main thread holds");
                            }
                        } catch (InterruptedException e) {
                            incident("INTERRUPT of host bystander " + who + " (waiting for a lock)");
                        }
                    }
                }
                ended.incrementAndGet();
            };
        }

        void incident(String s) {
            incidents.incrementAndGet();
            what.add(s);
        }

        int count() {
            return incidents.get();
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : parkers) {
                LockSupport.unpark(t);
            }
            held.unlock();
            for (Thread t : threads) {
                t.join(10_000);
            }
            hostPool.shutdown();
            hostPool.awaitTermination(10, TimeUnit.SECONDS);
        }

        boolean finishedCleanly() {
            return ended.get() == expected;
        }

        String report() {
            return "ended normally: " + ended.get() + " of " + expected + "; incidents: " + first(what, 5);
        }
    }

    // =========================================================================================
    // One trial
    // =========================================================================================

    enum KillMethod {
        KILL, KILLPG, REAPER_KILL, SHUTDOWN
    }

    /** Thread-start paths and other steps of a plugin thread. */
    enum Step {
        THREAD, SUBCLASS, NEW_POOL, SUBMIT, TIMER, VIRTUAL, VIRTUAL_EXECUTOR, SLEEP, PARK, WAIT, SPIN, JOIN
    }

    static final class Trial {
        final String mode;
        final int index;
        final long seed;
        final boolean pinned;
        final String tag;
        final Bystanders bystanders;
        final Random plan;
        final Set<Thread> recorded = ConcurrentHashMap.newKeySet();
        final Map<String, List<String>> problems = new LinkedHashMap<>();
        volatile String phase = "setup";
        volatile boolean killing;
        volatile boolean over;

        // The plan, drawn from the seed.
        final int budgetTotal;
        final int maxLwps;
        final KillMethod method;
        final KillMethod second;
        final boolean virtualKiller;
        final int killAfterStarts;
        final int killAfterMillis;
        final boolean ignoreTerm;
        final int graceMillis;
        final int roots;
        final int maxDepth;
        final int[] weights = new int[Step.values().length];
        final int weightSum;

        final AtomicInteger budget;
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger tasks = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger atLimit = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();
        final AtomicInteger virtualStarts = new AtomicInteger();
        final AtomicInteger clinitBursts = new AtomicInteger();
        final AtomicInteger pools = new AtomicInteger();
        final AtomicInteger timers = new AtomicInteger();
        final List<ExecutorService> pluginPools = new CopyOnWriteArrayList<>();
        final Queue<String> escapes = new ConcurrentLinkedQueue<>();
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        final Object[] monitors = {new Object(), new Object(), new Object(), new Object()};
        final Map<String, Object> clinitMonitors = new ConcurrentHashMap<>();
        /**
         * Pinned mode: fresh loaders, made as the storm grows, so the static initialisers run again.
         * Set by compare-and-set, not under a monitor: the initialisers look them up too, pinned,
         * and a pinned initialiser blocked on a monitor whose owner needs a carrier deadlocks the
         * carriers with no jreap lock involved (seen on JDK 25: the initialiser's thread blocked on
         * the Trial's monitor, the threads waiting for that initialisation pinned on both
         * carriers, the virtual killer asleep before its kill, never remounted).
         */
        final java.util.concurrent.atomic.AtomicReferenceArray<FreshLoader> loaders =
                new java.util.concurrent.atomic.AtomicReferenceArray<>(BIG ? 8 : 4);
        Sandbox sb;
        String name;

        Trial(String mode, int index, long seed, boolean pinned, Bystanders bystanders) {
            this.mode = mode;
            this.index = index;
            this.seed = seed;
            this.pinned = pinned;
            this.bystanders = bystanders;
            this.tag = "[" + mode + " trial " + index + ", seed=" + seed + ", replay: -Djreap.stress.seed=" + seed + "]";
            plan = new Random(seed);
            budgetTotal = BIG ? 600 + plan.nextInt(2400) : 120 + plan.nextInt(300);
            maxLwps = plan.nextInt(10) == 0 ? 20 + plan.nextInt(60) : 100_000;
            KillMethod[] ms = KillMethod.values();
            int d = plan.nextInt(100);
            method = d < 45 ? KillMethod.KILL : d < 65 ? KillMethod.KILLPG : d < 85 ? KillMethod.REAPER_KILL
                    : KillMethod.SHUTDOWN;
            second = plan.nextInt(100) < 15 ? ms[plan.nextInt(ms.length)] : null;
            boolean v = plan.nextBoolean();
            String forced = System.getProperty("stress.killer", "");
            virtualKiller = VIRTUAL && (pinned || forced.equals("virtual") || v && !forced.equals("platform"));
            killAfterStarts = plan.nextInt(Math.max(1, budgetTotal * 2 / 3));
            killAfterMillis = 1 + plan.nextInt(pinned ? 60 : 80);
            ignoreTerm = plan.nextBoolean();
            graceMillis = 5 + plan.nextInt(60);
            roots = 1 + plan.nextInt(3);
            maxDepth = 3 + plan.nextInt(BIG ? 8 : 5);
            int sum = 0;
            for (Step s : Step.values()) {
                int w = 1 + plan.nextInt(10);
                if (!VIRTUAL && (s == Step.VIRTUAL || s == Step.VIRTUAL_EXECUTOR)) {
                    w = 0;
                }
                weights[s.ordinal()] = w;
                sum += w;
            }
            weightSum = sum;
            budget = new AtomicInteger(budgetTotal);
        }

        String planText() {
            return "plan: budget " + budgetTotal + ", maxLwps " + maxLwps + ", kill " + method
                    + (second != null ? " + " + second : "") + (virtualKiller ? " from a virtual thread" : "")
                    + " after " + killAfterStarts + " starts or " + killAfterMillis + " ms"
                    + (method == KillMethod.SHUTDOWN || second == KillMethod.SHUTDOWN
                            ? ", grace " + graceMillis + " ms, TERM " + (ignoreTerm ? "ignored" : "default") : "")
                    + ", roots " + roots + ", depth " + maxDepth + ", weights " + Arrays.toString(weights);
        }

        FreshLoader loader(int k) {
            FreshLoader l = loaders.get(k);
            if (l == null) {
                l = new FreshLoader(AgentStorm.class.getClassLoader(), k);
                if (!loaders.compareAndSet(k, null, l)) {
                    l = loaders.get(k); // another thread's won; ours has loaded nothing
                }
            }
            return l;
        }

        synchronized void problem(String category, String detail) {
            problems.computeIfAbsent(category, c -> new ArrayList<>()).add(detail);
        }

        Step pick(Random r) {
            int x = r.nextInt(weightSum);
            for (Step s : Step.values()) {
                x -= weights[s.ordinal()];
                if (x < 0) {
                    return s;
                }
            }
            throw new AssertionError();
        }

        // ---- called by plugin code ----

        /** The first instruction of every plugin thread and task. */
        void enter(String kind) {
            Thread me = Thread.currentThread();
            if (over) {
                lateRuns.add(tag + " " + kind + " first ran on " + me + " after the trial was over (pid " + K.getpid() + ")");
                return;
            }
            recorded.add(me);
            if (!K.inLwp()) {
                escapes.add(kind + " runs outside any LWP (as the host) on " + me + (killing ? " (the kill had begun)" : " (before the kill)"));
                return;
            }
            try {
                long sid = K.getsid(0);
                if (sid != sb.pid()) {
                    escapes.add(kind + " runs in pid " + K.getpid() + " of session " + sid + ", not in sandbox " + sb.pid());
                }
            } catch (RuntimeException e) {
                escapes.add(kind + " on " + me + ": its LWP cannot be looked up: " + e);
            }
        }

        /** A thread a plugin thread factory made: recorded when made, it may never run plugin code. */
        <T extends Thread> T made(T t) {
            if (!over) {
                recorded.add(t);
            }
            return t;
        }

        /** An exception plugin code did not expect, unless the kill had begun (then many things may fail). */
        void unexpected(String where, Throwable e) {
            if (!killing) {
                java.io.StringWriter w = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(w));
                unexpected.add(where + " on " + Thread.currentThread() + ": " + w);
            }
        }

        // ---- the trial ----

        void run() throws Exception {
            long t0 = System.nanoTime();
            name = mode + "-" + index + "-" + seed;
            if (VERBOSE) {
                System.out.println(tag + " " + planText());
            }
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
            int incidentsBefore = bystanders.count();
            sb = K.newSandbox(name, maxLwps);
            current = this;
            phase = "storm";
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < roots; i++) {
                long rootSeed = plan.nextLong();
                sb.spawn(() -> {
                    try {
                        go.await(); // every root is spawned before any forks (a low maxLwps would refuse a spawn)
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (ignoreTerm && (method == KillMethod.SHUTDOWN || second == KillMethod.SHUTDOWN)) {
                        K.sigaction(Signal.TERM, SignalAction.IGNORE); // children inherit it: shutdown must KILL
                    }
                    if (pinned) {
                        new PinnedActor(this, rootSeed, 0, true, "root").run();
                    } else {
                        new Actor(this, rootSeed, 0, true, "root").run();
                    }
                });
            }
            go.countDown();
            List<Killer> killers = new ArrayList<>();
            killers.add(new Killer(this, method, true));
            if (second != null) {
                killers.add(new Killer(this, second, false));
            }
            for (Killer k : killers) {
                k.start();
            }
            phase = "kill";
            Duration killDeadline = virtualKiller ? VIRTUAL_KILL : GENEROUS;
            long deadline = System.nanoTime() + killDeadline.toNanos();
            for (Killer k : killers) {
                k.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (k.thread.isAlive()) {
                    problem(STALLS, "the " + k.method + " killer has not returned after " + killDeadline.toSeconds()
                            + " s: " + stackOf(k.thread));
                }
            }
            phase = "await termination";
            deadline = System.nanoTime() + GENEROUS.toNanos();
            if (!sb.awaitTermination(GENEROUS)) {
                problem(SURVIVORS, "the sandbox still has " + sb.liveLwps() + " running LWPs " + GENEROUS.toSeconds()
                        + " s after the kill: " + sandboxLwps());
            }
            phase = "join plugin threads";
            List<String> alive = new ArrayList<>();
            for (Thread t : recorded) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                t.join(Math.max(1, left));
                if (t.isAlive() || !(t.getState() == Thread.State.TERMINATED || t.getState() == Thread.State.NEW)) {
                    alive.add(stackOf(t));
                }
            }
            if (!alive.isEmpty()) {
                problem(SURVIVORS, alive.size() + " plugin threads still alive: " + first(alive, 5));
            }
            List<LwpInfo> left = sandboxLwps();
            if (!left.isEmpty()) {
                problem(SURVIVORS, "ps still shows LWPs of the sandbox: " + left);
            }
            phase = "plugin pools";
            for (ExecutorService p : pluginPools) {
                long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
                while (poolSize(p) > 0 && System.nanoTime() - until < 0) {
                    Thread.sleep(1);
                }
                if (poolSize(p) > 0) {
                    problem(SURVIVORS, "plugin pool still has " + poolSize(p) + " workers: " + p);
                }
            }
            phase = "other new threads";
            List<String> strays = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (before.contains(t) || recorded.contains(t) || jdkOwn(t) || t.getName().startsWith("storm-killer")) {
                    continue;
                }
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    strays.add(stackOf(t) + " (class " + t.getClass().getName() + ")");
                }
            }
            if (!strays.isEmpty()) {
                problem(SURVIVORS, "platform threads born in the trial, not the JDK's, still alive: " + first(strays, 5));
            }
            if (!escapes.isEmpty()) {
                problem(ESCAPES, "plugin code ran outside its sandbox: " + first(escapes, 5));
            }
            if (!unexpected.isEmpty()) {
                problem(ERRORS, "plugin code failed before the kill: " + first(unexpected, 3));
            }
            phase = "close";
            try {
                sb.close(Duration.ofSeconds(10));
            } catch (IllegalStateException e) {
                problem(SURVIVORS, "close: " + e.getMessage());
            }
            over = true;
            current = null;
            int incidents = bystanders.count() - incidentsBefore;
            if (incidents != 0) {
                problem(BYSTANDERS, incidents + " bystander incidents: " + bystanders.report());
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            maxTrialMillis.accumulateAndGet(millis, Math::max);
            totalStarts.addAndGet(starts.get());
            totalTasks.addAndGet(tasks.get());
            totalRecorded.addAndGet(recorded.size());
            totalRefused.addAndGet(refused.get());
            totalAtLimit.addAndGet(atLimit.get());
            totalRejected.addAndGet(rejected.get());
            totalVirtual.addAndGet(virtualStarts.get());
            totalPools.addAndGet(pools.get());
            totalTimers.addAndGet(timers.get());
            totalClinitBursts.addAndGet(clinitBursts.get());
            if (VERBOSE) {
                System.out.println(tag + " " + millis + " ms: " + starts + " starts (" + virtualStarts + " virtual), "
                        + tasks + " tasks, " + recorded.size() + " threads recorded, " + pools + " pools, " + timers
                        + " timers, " + clinitBursts + " clinit bursts, " + refused + " refused, " + atLimit
                        + " at limit, " + rejected + " rejected");
            }
            recorded.clear();
            pluginPools.clear();
            report();
        }

        void report() {
            synchronized (this) {
                for (Map.Entry<String, List<String>> e : problems.entrySet()) {
                    problemCounts.get(e.getKey()).incrementAndGet();
                    System.out.println("CHECK " + mode + " trial " + index + " " + e.getKey() + " FAIL " + tag + " "
                            + planText() + " || " + String.join(" || ", e.getValue()).replace('\n', '|'));
                }
            }
        }

        /** Live LWPs of this sandbox other than its reaper. */
        List<LwpInfo> sandboxLwps() {
            List<LwpInfo> out = new ArrayList<>();
            for (LwpInfo i : K.ps()) {
                if (name.equals(i.sandbox()) && i.pid() != sb.pid()) {
                    out.add(i);
                }
            }
            return out;
        }

        /** Right after a kill returned: every live LWP of the sandbox has its signal. */
        void checkMarked(String what) {
            for (LwpInfo i : K.ps()) {
                if (name.equals(i.sandbox()) && i.pid() != sb.pid() && i.killedBy() == null
                        && (i.state() == LwpState.NEW || i.state() == LwpState.RUNNING)) {
                    escapes.add("after " + what + " returned, LWP " + i + " is alive and not killed");
                }
            }
        }
    }

    static int poolSize(ExecutorService p) {
        if (p instanceof ThreadPoolExecutor tpe) {
            return tpe.getPoolSize();
        }
        if (p instanceof ForkJoinPool fjp) {
            return fjp.isTerminated() ? 0 : fjp.getPoolSize();
        }
        return 0;
    }

    /**
     * Threads the JDK owns whoever started them (carriers, the common pool, innocuous service
     * threads), and the kernel's own "jreap killer" threads (started by the first kill from a
     * virtual thread, kept for later ones; they belong to no LWP).
     */
    static boolean jdkOwn(Thread t) {
        String c = t.getClass().getName();
        if (c.equals("io.jreap.kernel.KillerThreads$Worker")) {
            return true;
        }
        if (c.equals("jdk.internal.misc.CarrierThread") || c.equals("jdk.internal.misc.InnocuousThread")
                || c.startsWith("java.util.concurrent.ForkJoinWorkerThread$Innocuous")
                || c.equals("java.util.concurrent.DelayScheduler") || c.startsWith("java.lang.ref.")) {
            return true;
        }
        if (t instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool()) {
            return true;
        }
        ThreadGroup g = t.getThreadGroup();
        return g != null && g.getName().equals("InnocuousThreadGroup");
    }

    // =========================================================================================
    // The killer (a host thread)
    // =========================================================================================

    static final class Killer implements Runnable {
        final Trial t;
        final KillMethod method;
        final boolean primary;
        Thread thread;

        Killer(Trial t, KillMethod method, boolean primary) {
            this.t = t;
            this.method = method;
            this.primary = primary;
        }

        void start() {
            if (t.virtualKiller && primary) {
                thread = Jdk21.virtualFactory().newThread(this);
            } else {
                thread = new Thread(this, "storm-killer-" + method);
                thread.setDaemon(true);
            }
            thread.start();
        }

        @Override
        public void run() {
            try {
                if (K.inLwp()) {
                    t.escapes.add("the killer thread runs in LWP " + K.getpid());
                }
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(t.killAfterMillis + (primary ? 0 : 2));
                while (t.starts.get() + t.tasks.get() < t.killAfterStarts && System.nanoTime() - until < 0) {
                    Thread.sleep(1);
                }
                t.killing = true;
                long k0 = System.nanoTime();
                String what = method.toString();
                switch (method) {
                    case KILL:
                        what = "sandbox.kill() " + t.sb.kill();
                        break;
                    case KILLPG:
                        try {
                            what = "killpg " + K.killpg(t.sb.pid(), Signal.KILL);
                        } catch (NoSuchProcessException e) {
                            what = "killpg (no member left)";
                        }
                        break;
                    case REAPER_KILL:
                        try {
                            KillResult r = K.reaperKill(t.sb.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0);
                            what = "reaperKill " + r;
                        } catch (NoSuchProcessException e) {
                            what = "reaperKill (nothing left)";
                        }
                        break;
                    case SHUTDOWN:
                        what = "shutdown(" + t.graceMillis + " ms) -> " + t.sb.shutdown(Duration.ofMillis(t.graceMillis));
                        break;
                    default:
                        throw new AssertionError(method);
                }
                long ms = (System.nanoTime() - k0) / 1_000_000;
                (Jdk21.isVirtual(Thread.currentThread()) ? maxVirtualKillMillis : maxKillMillis).accumulateAndGet(ms, Math::max);
                totalKills.incrementAndGet();
                killMethods.computeIfAbsent(method.toString(), m -> new AtomicInteger()).incrementAndGet();
                t.checkMarked(what);
            } catch (Throwable e) {
                java.io.StringWriter w = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(w));
                t.problem(ERRORS, "the " + method + " killer threw: " + w);
            }
        }
    }

    // =========================================================================================
    // Plugin code: the storm
    // =========================================================================================

    /** A plugin thread's (or task's) life: fork, sleep, park, wait and spin, in random order. */
    static final class Actor implements Runnable {
        final Trial s;
        final long seed;
        final int depth;
        final boolean forever;
        final String kind;
        Thread lastChild;

        Actor(Trial s, long seed, int depth, boolean forever, String kind) {
            this.s = s;
            this.seed = seed;
            this.depth = depth;
            this.forever = forever;
            this.kind = kind;
        }

        @Override
        public void run() {
            s.enter(kind);
            if (s.over) {
                return;
            }
            Random r = new Random(seed);
            int steps = forever ? Integer.MAX_VALUE : 1 + r.nextInt(BIG ? 30 : 15);
            try {
                for (int i = 0; i < steps; i++) {
                    if (r.nextInt(4) == 0) {
                        K.checkSignals(); // a cooperating plugin's check point
                    }
                    if (!step(r)) {
                        return;
                    }
                }
            } catch (LwpKilledError e) {
                if (r.nextBoolean()) {
                    throw e; // the normal end of a killed thread (an uncaught LwpKilledError)
                }
            } catch (RuntimeException | Error e) {
                s.unexpected(kind + " step", e);
            }
        }

        Actor child(Random r, boolean forever, String kind) {
            return new Actor(s, r.nextLong(), depth + 1, forever, kind);
        }

        boolean mayFork() {
            return depth < s.maxDepth && s.budget.getAndDecrement() > 0;
        }

        /** One step; false to end the thread (after an interrupt, like plugin code that gives up). */
        boolean step(Random r) {
            Step st = s.pick(r);
            boolean fork = st.ordinal() <= Step.VIRTUAL_EXECUTOR.ordinal();
            if (fork && !mayFork()) {
                // Nothing left to fork: this plugin thread idles the way a live one does.
                st = r.nextBoolean() ? Step.SLEEP : r.nextBoolean() ? Step.WAIT : Step.SPIN;
            }
            try {
                switch (st) {
                    case THREAD: {
                        Thread t = new Thread(child(r, r.nextInt(3) == 0, "thread"), "storm-thread");
                        t.setDaemon(r.nextBoolean());
                        start(t);
                        break;
                    }
                    case SUBCLASS:
                        start(new StormThread(child(r, r.nextInt(3) == 0, "subclass")));
                        break;
                    case NEW_POOL:
                        newPool(r);
                        break;
                    case SUBMIT:
                        submit(r);
                        break;
                    case TIMER:
                        timer(r);
                        break;
                    case VIRTUAL: {
                        Actor a = child(r, r.nextInt(4) == 0, "virtual");
                        try {
                            lastChild = r.nextBoolean() ? Jdk21.startVirtualFast(a) : startNew(Jdk21.virtualFactory().newThread(a));
                            s.starts.incrementAndGet();
                            s.virtualStarts.incrementAndGet();
                        } catch (LwpKilledError e) {
                            s.refused.incrementAndGet();
                        } catch (LwpLimitException e) {
                            s.atLimit.incrementAndGet();
                        }
                        break;
                    }
                    case VIRTUAL_EXECUTOR: {
                        ExecutorService vex = Jdk21.newVirtualThreadPerTaskExecutor();
                        int n = 1 + r.nextInt(3);
                        for (int i = 0; i < n; i++) {
                            try {
                                vex.execute(child(r, false, "virtual executor task"));
                                s.tasks.incrementAndGet();
                                s.virtualStarts.incrementAndGet();
                            } catch (LwpKilledError e) {
                                s.refused.incrementAndGet();
                            } catch (LwpLimitException e) {
                                s.atLimit.incrementAndGet();
                            }
                        }
                        if (r.nextBoolean()) {
                            vex.shutdown(); // never close(): that waits for the tasks
                        }
                        break;
                    }
                    case SLEEP:
                        Thread.sleep(s.budget.get() > 0 ? r.nextInt(3) : 2 + r.nextInt(15));
                        break;
                    case PARK:
                        LockSupport.parkNanos(100_000L + r.nextInt(2_000_000));
                        if (Thread.interrupted()) {
                            throw new InterruptedException("park returned with the interrupt flag set");
                        }
                        break;
                    case WAIT: {
                        Object m = s.monitors[r.nextInt(s.monitors.length)];
                        synchronized (m) {
                            m.wait(1 + r.nextInt(s.budget.get() > 0 ? 3 : 15));
                        }
                        break;
                    }
                    case SPIN: {
                        long until = System.nanoTime() + 50_000L + r.nextInt(500_000);
                        while (System.nanoTime() - until < 0) {
                            K.checkSignals();
                            Thread.onSpinWait();
                        }
                        break;
                    }
                    case JOIN:
                        if (lastChild != null) {
                            lastChild.join(1 + r.nextInt(5));
                        } else {
                            Thread.sleep(1);
                        }
                        break;
                    default:
                        throw new AssertionError(st);
                }
            } catch (InterruptedException e) {
                // Interrupted: the kill (or this plugin's own pool shutdownNow). Give up, or go on to
                // the next check point with the flag set again, as plugin code does either way.
                if (r.nextBoolean()) {
                    return false;
                }
                Thread.currentThread().interrupt();
            }
            return true;
        }

        Thread startNew(Thread t) {
            t.start();
            return t;
        }

        void start(Thread t) {
            try {
                t.start();
                s.starts.incrementAndGet();
                lastChild = t;
            } catch (LwpKilledError e) {
                s.refused.incrementAndGet(); // expected once the kill has begun: caught, as plugin code must
            } catch (LwpLimitException e) {
                s.atLimit.incrementAndGet();
            }
        }

        Runnable task(Random r) {
            return child(r, false, "pool task");
        }

        void newPool(Random r) {
            ExecutorService p;
            boolean recording = r.nextBoolean();
            ThreadFactory tf = recording ? x -> s.made(new Thread(x, "storm-pool-worker")) : Executors.defaultThreadFactory();
            switch (r.nextInt(VIRTUAL ? 7 : 6)) {
                case 0:
                    p = Executors.newFixedThreadPool(1 + r.nextInt(3), tf);
                    break;
                case 1:
                    p = Executors.newCachedThreadPool(tf);
                    break;
                case 2:
                    p = new ForkJoinPool(1 + r.nextInt(3), recording
                            ? pool -> s.made(ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool))
                            : ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, r.nextBoolean());
                    break;
                case 3:
                    p = Executors.newScheduledThreadPool(1 + r.nextInt(2), tf);
                    break;
                case 4: {
                    java.util.concurrent.BlockingQueue<Runnable> q = r.nextBoolean() ? new LinkedBlockingQueue<>()
                            : new SynchronousQueue<>();
                    ThreadPoolExecutor e = new ThreadPoolExecutor(1 + r.nextInt(2), 4, 5, TimeUnit.MILLISECONDS, q, tf,
                            new ThreadPoolExecutor.CallerRunsPolicy());
                    e.allowCoreThreadTimeOut(r.nextBoolean()); // workers die and are born again
                    p = e;
                    break;
                }
                case 5:
                    p = Executors.newSingleThreadExecutor(tf);
                    break;
                default:
                    // Virtual workers: each joins the pool's LWP through the pool path, not a fork.
                    p = Executors.newFixedThreadPool(1 + r.nextInt(3), x -> s.made(Jdk21.virtualFactory().newThread(x)));
                    break;
            }
            s.pools.incrementAndGet();
            if (!s.over) {
                s.pluginPools.add(p);
            }
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                submitTo(p, r);
            }
            int end = r.nextInt(6);
            if (end == 0) {
                p.shutdown();
            } else if (end == 1) {
                p.shutdownNow();
            }
        }

        void submit(Random r) {
            List<ExecutorService> ps = s.pluginPools;
            if (ps.isEmpty()) {
                newPool(r);
                return;
            }
            ExecutorService p;
            try {
                p = ps.get(r.nextInt(ps.size()));
            } catch (IndexOutOfBoundsException e) {
                return; // cleared by the host
            }
            submitTo(p, r);
        }

        void submitTo(ExecutorService p, Random r) {
            try {
                if (p instanceof ScheduledExecutorService se && r.nextBoolean()) {
                    if (r.nextBoolean()) {
                        se.scheduleAtFixedRate(task(r), 0, 1 + r.nextInt(4), TimeUnit.MILLISECONDS);
                    } else {
                        se.schedule(task(r), r.nextInt(3), TimeUnit.MILLISECONDS);
                    }
                } else if (r.nextBoolean()) {
                    p.execute(task(r));
                } else {
                    p.submit(task(r));
                }
                s.tasks.incrementAndGet();
            } catch (LwpKilledError e) {
                s.refused.incrementAndGet(); // the worker's start was refused
            } catch (LwpLimitException e) {
                s.atLimit.incrementAndGet(); // a pool created at the LWP limit refuses its workers
            } catch (RejectedExecutionException e) {
                s.rejected.incrementAndGet(); // a shut (or killed) pool
            }
        }

        void timer(Random r) {
            Timer tm;
            try {
                tm = new Timer("storm-timer", r.nextBoolean());
                s.starts.incrementAndGet();
                s.timers.incrementAndGet();
            } catch (LwpKilledError e) {
                s.refused.incrementAndGet();
                return;
            } catch (LwpLimitException e) {
                s.atLimit.incrementAndGet();
                return;
            }
            int n = 1 + r.nextInt(3);
            try {
                for (int i = 0; i < n; i++) {
                    Actor a = child(r, false, "timer task");
                    TimerTask task = new TimerTask() {
                        @Override
                        public void run() {
                            a.run();
                        }
                    };
                    if (r.nextBoolean()) {
                        tm.schedule(task, 1 + r.nextInt(4), 1 + r.nextInt(4)); // until cancelled or killed
                    } else {
                        tm.schedule(task, r.nextInt(3));
                    }
                    s.tasks.incrementAndGet();
                }
            } catch (IllegalStateException e) {
                s.rejected.incrementAndGet(); // its thread died (a task ended it when the kill came)
            }
            if (r.nextInt(4) == 0) {
                tm.cancel();
            }
        }
    }

    /** A {@code Thread} subclass, started like any other. */
    static final class StormThread extends Thread {
        private final Actor a;

        StormThread(Actor a) {
            super("storm-subclass");
            this.a = a;
        }

        @Override
        public void run() {
            a.run();
        }
    }

    // =========================================================================================
    // Plugin code: the pinned mode
    // =========================================================================================

    /**
     * A virtual plugin thread that forks virtual threads inside {@code synchronized} blocks and
     * triggers the static initialisers of this trial's fresh classes, which fork in bursts.
     */
    static final class PinnedActor implements Runnable {
        final Trial s;
        final long seed;
        final int depth;
        final boolean forever;
        final String kind;

        PinnedActor(Trial s, long seed, int depth, boolean forever, String kind) {
            this.s = s;
            this.seed = seed;
            this.depth = depth;
            this.forever = forever;
            this.kind = kind;
        }

        @Override
        public void run() {
            s.enter(kind);
            if (s.over) {
                return;
            }
            Random r = new Random(seed);
            int steps = forever ? Integer.MAX_VALUE : 1 + r.nextInt(BIG ? 20 : 10);
            try {
                for (int i = 0; i < steps; i++) {
                    if (r.nextInt(4) == 0) {
                        K.checkSignals();
                    }
                    int d = r.nextInt(10);
                    if (d < 4) {
                        Object m = s.monitors[r.nextInt(s.monitors.length)];
                        synchronized (m) { // pinned on JDK 21-23 while it forks and sleeps
                            forkVirtual(s, r, depth + 1);
                            if (r.nextBoolean()) {
                                Thread.sleep(r.nextInt(2));
                            }
                        }
                    } else if (d < 6) {
                        initialise(s, r);
                    } else if (d < 8) {
                        Thread.sleep(s.budget.get() > 0 ? r.nextInt(2) : 2 + r.nextInt(10));
                    } else if (d < 9) {
                        LockSupport.parkNanos(100_000L + r.nextInt(1_000_000));
                        if (Thread.interrupted()) {
                            return;
                        }
                    } else {
                        long until = System.nanoTime() + 50_000L + r.nextInt(300_000);
                        while (System.nanoTime() - until < 0) {
                            K.checkSignals();
                        }
                    }
                }
            } catch (InterruptedException e) {
                // killed: end here
            } catch (LwpKilledError e) {
                if (r.nextBoolean()) {
                    throw e;
                }
            } catch (NoClassDefFoundError e) {
                // a static initialiser that the kill ended left its class unusable: fine after a kill
                if (!s.killing) {
                    s.unexpected(kind, e);
                }
            } catch (RuntimeException | Error e) {
                s.unexpected(kind, e);
            }
        }
    }

    /** Forks one virtual plugin thread; a refusal (the kill) is caught, as plugin code must. */
    static boolean forkVirtual(Trial s, Random r, int depth) {
        if (depth > s.maxDepth + 4 || s.budget.getAndDecrement() <= 0) {
            K.checkSignals();
            return true;
        }
        try {
            PinnedActor a = new PinnedActor(s, r.nextLong(), depth, r.nextInt(6) == 0, "pinned virtual");
            if (r.nextBoolean()) {
                Jdk21.startVirtualFast(a);
            } else {
                Jdk21.virtualFactory().newThread(a).start();
            }
            s.starts.incrementAndGet();
            s.virtualStarts.incrementAndGet();
            return true;
        } catch (LwpKilledError e) {
            s.refused.incrementAndGet();
            return false;
        } catch (LwpLimitException e) {
            s.atLimit.incrementAndGet();
            return true;
        }
    }

    /** Triggers one of the fresh classes' static initialisers (or waits, pinned, for another thread's). */
    static void initialise(Trial s, Random r) {
        String[] names = {PinnedInitA.class.getName(), PinnedInitB.class.getName(), PinnedInitC.class.getName()};
        // One more loader (three more initialisers) for every 30 starts, so bursts keep coming.
        int k = r.nextInt(Math.min(s.loaders.length(), 1 + s.starts.get() / 30));
        try {
            Class.forName(names[r.nextInt(names.length)], true, s.loader(k));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The body of the fresh classes' static initialisers: a burst of virtual forks, some inside
     * {@code synchronized}, some after a short sleep, all pinned to this carrier; the threads it
     * forks often trigger the same initialiser and wait for it, pinned too.
     */
    public static void clinitBurst(String which, int loaderIndex) { // public: the fresh classes are in another runtime package
        Trial s = current;
        if (s == null || s.over) {
            return;
        }
        s.clinitBursts.incrementAndGet();
        Random r = new Random(s.seed ^ which.hashCode() ^ loaderIndex ^ Thread.currentThread().getId());
        int n = 4 + r.nextInt(BIG ? 40 : 20);
        // Its own monitor: a pinned initialiser that blocked on a monitor held by an unmounted
        // virtual thread (one sleeping inside synchronized, on JDK 24+) would deadlock the
        // carriers by itself, with no jreap lock involved. Uncontended, it still pins on 21-23.
        Object mine = s.clinitMonitors.computeIfAbsent(which + "@" + loaderIndex, w -> new Object());
        for (int i = 0; i < n; i++) {
            boolean more;
            if (r.nextBoolean()) {
                synchronized (mine) {
                    more = forkVirtual(s, r, 1);
                }
            } else {
                more = forkVirtual(s, r, 1);
            }
            if (!more) {
                return; // refused: the kill came; the initialiser ends, the class stays usable
            }
            if (r.nextInt(8) == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return; // the kill
                }
            }
        }
        if (which.equals("A") || which.equals("B")) {
            try {
                Class.forName(PinnedInitC.class.getName(), true, s.loader(loaderIndex)); // nested: C never waits for A or B
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Loaded afresh per trial by {@link FreshLoader}; the initialiser forks. */
    public static final class PinnedInitA {
        static {
            clinitBurst("A", ((FreshLoader) PinnedInitA.class.getClassLoader()).index);
        }

        private PinnedInitA() {
        }
    }

    /** Like A, so two carriers can be pinned in two initialisers at once. */
    public static final class PinnedInitB {
        static {
            clinitBurst("B", ((FreshLoader) PinnedInitB.class.getClassLoader()).index);
        }

        private PinnedInitB() {
        }
    }

    /** Initialised from A's and B's initialisers (nested class initialisation). */
    public static final class PinnedInitC {
        static {
            clinitBurst("C", ((FreshLoader) PinnedInitC.class.getClassLoader()).index);
        }

        private PinnedInitC() {
        }
    }

    /** Defines the PinnedInit classes itself (child first), so each trial runs their initialisers. */
    public static final class FreshLoader extends ClassLoader {
        public final int index;

        FreshLoader(ClassLoader parent, int index) {
            super(parent);
            this.index = index;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(AgentStorm.class.getName() + "$PinnedInit")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String res = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(res)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
