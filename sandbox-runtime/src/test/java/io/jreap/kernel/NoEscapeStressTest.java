package io.jreap.kernel;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpLimitException;
import io.jreap.proc.LwpState;
import io.jreap.proc.NoChildException;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.ProcException;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import io.jreap.proc.SignalHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Randomized stress of the two guarantees of DESIGN 4: <b>no escape</b> (after a kill of a group
 * or a reaper subtree returns, every LWP that was in it, including those whose birth overlapped
 * the kill, has the signal; with KILL they all stop) and <b>no collateral damage</b> (nothing
 * outside the killed set sees an interrupt or a wake-up).
 *
 * <p>Each trial builds a fresh {@link Kernel}, a target sandbox A in which a "fork storm" runs
 * (LWPs forking recursively with random fan-out and depth on platform and virtual threads,
 * setpgid/setsid churn, TERM handlers that keep forking, self-kills of their own group, extra
 * threads), optionally a bystander sandbox B that is never killed (LWPs that sleep, wait on a
 * condition, park, wait for a lock, and one that keeps forking), bystander host threads, and
 * bystander LWPs of A in groups of their own that ignore or quietly handle TERM. While the storm
 * forks, the host kills it with {@link Sandbox#kill()}, {@link Kernel#reaperKill}, {@link
 * Kernel#killpg} and several concurrent killers, sometimes after STOP, group-KILL and TERM phases.
 *
 * <p>What is checked, per kill, right after it returns (states only move forward, so these are
 * exact, not timing-dependent):
 * <ul>
 *   <li>sandbox-wide KILL: every LWP of A that is still alive is in the kill's result;</li>
 *   <li>killpg (when an event log is recorded): the log is replayed up to the kill's signal block;
 *       the signalled set is a subset of the group's members, every member not signalled is no
 *       longer alive, and no fork into or move into/out of the group interleaves the block;</li>
 *   <li>reap kill, KILL or TERM (log): it signalled only LWPs of A, each once; every LWP of A born
 *       before it ended that is not exempt by rule 8 (born after its parent survived this kill) is
 *       signalled or no longer alive, and no exempt LWP is signalled;</li>
 *   <li>whole log: no FORK of a child after its parent was marked KILL, no signal ever reaches a
 *       sandbox reaper, init, sandbox B, or (with KILL) a bystander of A before the final kill;</li>
 * </ul>
 * and then, with generous deadlines: every killed LWP ends, A has no live LWP, every Java thread
 * the trial created ends, bystanders counted zero interrupts and zero spurious wake-ups, B's
 * LWPs all ended normally, and after closing both sandboxes only init is left.
 *
 * <p>Every trial runs on its own driver thread under a watchdog: a trial that does not finish in
 * {@value #WATCHDOG_SECONDS} s dumps every thread (with lock owners) to stderr and fails.
 *
 * <p>Knobs: {@code -Djreap.stress.trials=N} (60 by default, 10000 with {@code -Pstress});
 * {@code -Djreap.stress.seed=S} makes every trial use seed S (to replay a failure; the seed is in
 * every failure message); {@code -Djreap.stress.verbose=true} prints each trial's plan and phase
 * times. The {@code stress-long} variant runs bigger storms with the same trial count and is
 * excluded unless {@code -Pstress}. {@link #killFinishesWhileVirtualForksArePinned} is the regression
 * test of a deadlock between pinned virtual-thread forks and a kill.
 */
class NoEscapeStressTest {
    static final long WATCHDOG_SECONDS = 120;
    /** Deadline for anything that must happen eventually (threads ending, LWPs exiting). */
    static final Duration GENEROUS = Duration.ofSeconds(30);
    /** {@code -Djreap.stress.verbose=true} prints each trial's plan and phase times. */
    static final boolean VERBOSE = Boolean.getBoolean("jreap.stress.verbose");

    /** What the storms exercised, from the recorded logs (printed per test, to show the races happen). */
    static final class Stats {
        final AtomicLong bornDuringReapKill = new AtomicLong();
        final AtomicLong bornDuringReapKillAndCaught = new AtomicLong();
        final AtomicLong exemptByRule8 = new AtomicLong();
        final AtomicLong forksDenied = new AtomicLong();
        final AtomicLong forksAtLimit = new AtomicLong();
        final AtomicLong groupMoves = new AtomicLong();
        final AtomicLong handlersRun = new AtomicLong();
        final AtomicLong killpgMembers = new AtomicLong();

        void addLog(Log log) {
            for (LifecycleEvent e : log.ev) {
                switch (e.type()) {
                    case FORK_DENIED:
                        if ("EAGAIN".equals(e.detail())) {
                            forksAtLimit.incrementAndGet();
                        } else {
                            forksDenied.incrementAndGet();
                        }
                        break;
                    case SETPGID:
                    case SETSID:
                        groupMoves.incrementAndGet();
                        break;
                    case SIGNAL_DELIVERED:
                        if ("handled".equals(e.detail())) {
                            handlersRun.incrementAndGet();
                        }
                        break;
                    default:
                        break;
                }
            }
        }

        @Override
        public String toString() {
            return "born during a reap kill: " + bornDuringReapKill + " (caught by a later pass: " + bornDuringReapKillAndCaught
                    + ", exempt by rule 8: " + exemptByRule8 + "), forks denied to killed parents: " + forksDenied
                    + ", forks at the LWP limit: " + forksAtLimit + ", setpgid/setsid: " + groupMoves
                    + ", TERM handlers run: " + handlersRun + ", killpg members checked: " + killpgMembers;
        }
    }

    /** Phase timer for verbose output. */
    static final class Phases {
        private final long t0 = System.nanoTime();
        private long last = t0;
        private final StringBuilder b = new StringBuilder();

        void mark(String phase) {
            long now = System.nanoTime();
            b.append(' ').append(phase).append('=').append((now - last) / 1_000_000).append("ms");
            last = now;
        }

        @Override
        public String toString() {
            return "total=" + (System.nanoTime() - t0) / 1_000_000 + "ms" + b;
        }
    }

    static int trials() {
        String v = System.getProperty("jreap.stress.trials");
        return v == null || v.isBlank() ? 60 : Integer.parseInt(v.trim());
    }

    static Long fixedSeed() {
        String v = System.getProperty("jreap.stress.seed");
        return v == null || v.isBlank() ? null : Long.parseLong(v.trim());
    }

    static long seedFor(long base, int trial) {
        Long fixed = fixedSeed();
        return fixed != null ? fixed : base + trial;
    }

    static long baseSeed() {
        return new Random().nextLong() & 0x7fff_ffff_ffffL;
    }

    // =========================================================================================
    // Tests
    // =========================================================================================

    @Test
    void forkStormsKilledWhileForking() {
        runStorms("storm", Profile.QUICK);
    }

    /** The same trials with bigger storms and more concurrent killers: runs under -Pstress. */
    @Test
    @Tag("stress-long")
    void forkStormsKilledWhileForkingLong() {
        runStorms("storm-long", Profile.LONG);
    }

    /**
     * Deterministic-ish: one group whose every member forks in a tight loop (children fork too),
     * killed with killpg at a random moment; LWPs of the same sandbox in another group and host
     * threads are bystanders. Many rounds.
     */
    @Test
    void killpgWhileEveryMemberForks() {
        int rounds = Math.max(20, trials());
        long base = baseSeed();
        System.out.println("[NoEscapeStressTest.killpg] " + rounds + " rounds, base seed " + base
                + (fixedSeed() != null ? " (fixed seed " + fixedSeed() + ")" : ""));
        long t0 = System.nanoTime();
        long forks = 0;
        for (int i = 0; i < rounds; i++) {
            long seed = seedFor(base, i);
            KillpgRound r = new KillpgRound(i, seed);
            guarded("killpg round " + i, seed, r.threads, r::run);
            forks += r.pids.size();
        }
        System.out.printf("[NoEscapeStressTest.killpg] %d rounds, %d LWPs forked, %.1f s%n", rounds, forks,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Regression test of a deadlock that queued locks allowed (fixed by {@link PollingRwLock}). A
     * virtual-thread fork holds its group's kill lock shared and waits for the tree lock; a host
     * killpg (on a platform thread, and in the second test on a virtual thread) waits for the group
     * lock exclusive; virtual threads that fork inside class initialisation (pinned on JDK 25;
     * inside {@code synchronized} on 21-23) wait behind the writer and occupy every carrier. With
     * {@code ReentrantReadWriteLock} the first fork, unmounted while it waited, never got a carrier
     * back, so it never released the shared lock, and the kill never returned. Each runs
     * {@link PinnedForkDeadlock} in a child JVM with two carriers (a deadlock would starve every
     * later virtual thread of this JVM) and expects the kill to finish.
     */
    @Test
    void killFinishesWhileVirtualForksArePinned() throws Exception {
        runPinnedForkScenario("platform-killer");
    }

    @Test
    void virtualKillerFinishesWhileVirtualForksArePinned() throws Exception {
        runPinnedForkScenario("virtual-killer");
    }

    private void runPinnedForkScenario(String killer) throws Exception {
        Assumptions.assumeTrue(ForkOptions.virtualThreadsAvailable(),
                "skipped: this JDK has no virtual threads (JDK 21+), so there is nothing to pin");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-ea", "-Djdk.virtualThreadScheduler.parallelism=2",
                "-Djdk.virtualThreadScheduler.maxPoolSize=2", "-cp", System.getProperty("java.class.path"),
                PinnedForkDeadlock.class.getName(), killer)
                .redirectErrorStream(true).start();
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                out.append("(output: ").append(e).append(')');
            }
        }, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        reader.join(5_000);
        check(exited, "the child JVM did not finish in 60 s:\n" + out);
        check(out.toString().contains("NO DEADLOCK"),
                "DEADLOCK (" + killer + "): killpg never returns while virtual-thread forks are pinned:\n" + out);
    }

    /** The deterministic interleaving for {@link #killFinishesWhileVirtualForksArePinned}; run in its own JVM. */
    static final class PinnedForkDeadlock {
        static Kernel k;

        static void forkFromClassInit() {
            try {
                k.fork(ForkOptions.virtual(), () -> { });
            } catch (LwpKilledError e) {
                // killed meanwhile: fine
            }
        }

        static final class Pinned1 {
            static {
                forkFromClassInit();
            }

            static void init() {
            }
        }

        static final class Pinned2 {
            static {
                forkFromClassInit();
            }

            static void init() {
            }
        }

        public static void main(String[] args) throws Exception {
            CountDownLatch killerLookedUp = new CountDownLatch(1);
            CountDownLatch killerGo = new CountDownLatch(1);
            // A sink that parks the killer between its group lookup and its group lock (reserve
            // runs there with no lock held), so the test can order the steps.
            k = new Kernel(new EventSink() {
                @Override
                public void reserve(int events) {
                    if (Thread.currentThread().getName().equals("host-killer") && killerLookedUp.getCount() > 0) {
                        killerLookedUp.countDown();
                        try {
                            killerGo.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void publish(LifecycleEvent event) {
                }
            });
            Sandbox sb = k.newSandbox("plugin", 100);
            long pgid = sb.pid(); // every LWP below stays in the sandbox's own group
            CountDownLatch firstGo = new CountDownLatch(1);
            LwpThreadMain first = (LwpThreadMain) sb.spawn(ForkOptions.virtual(), () -> {
                awaitQuietly(firstGo);
                k.fork(ForkOptions.virtual(), () -> { });
            });
            CountDownLatch pinnedGo = new CountDownLatch(1);
            sb.spawn(ForkOptions.virtual(), () -> {
                awaitQuietly(pinnedGo);
                Pinned1.init();
            });
            sb.spawn(ForkOptions.virtual(), () -> {
                awaitQuietly(pinnedGo);
                Pinned2.init();
            });
            Thread.sleep(200);
            ProcessGroup g = first.lwp.group;
            CountDownLatch killed = new CountDownLatch(1);
            Runnable kill = () -> {
                try {
                    System.out.println("killpg -> " + k.killpg(pgid, Signal.KILL));
                } catch (NoSuchProcessException e) {
                    // Returned all the same: the forks (which pass a waiting kill after a while)
                    // finished and every member exited before the killer got the lock.
                    System.out.println("killpg -> ESRCH, every member had exited: " + e.getMessage());
                }
                killed.countDown();
            };
            Thread killer = args.length > 0 && args[0].equals("virtual-killer")
                    ? ForkOptions.virtual().withName("host-killer").newThread(kill)
                    : new Thread(kill, "host-killer");
            killer.setDaemon(true);
            killer.start();
            killerLookedUp.await();
            // 1. Another thread holds the tree lock for a moment (any fork, exit or wait does).
            k.treeLock.writeLock();
            // 2. A virtual-thread fork takes the group lock shared and parks on the tree lock.
            firstGo.countDown();
            awaitParkedInKernel(first.thread());
            System.out.println("first fork parked; group lock read holds: " + g.killLock.readers());
            // 3. The host's killpg queues for the group lock exclusive (a virtual killer's through
            //    a jreap killer thread, on which it waits).
            killerGo.countDown();
            awaitParkedInKernel(killer);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (g.killLock.waiters() == 0 && System.nanoTime() - until < 0) {
                Thread.sleep(1);
            }
            System.out.println("killer waiting; threads waiting for the group lock: " + g.killLock.waiters());
            // 4. Two virtual threads fork inside class initialisation: they queue behind the
            //    writer, pinned, and hold both carriers.
            pinnedGo.countDown();
            Thread.sleep(300);
            // 5. The tree lock is free again: the first fork could finish, if it had a carrier.
            k.treeLock.writeUnlock();
            if (killed.await(10, TimeUnit.SECONDS)) {
                System.out.println("NO DEADLOCK: the kill finished");
            } else {
                System.out.println("DEADLOCK: killpg has not returned after 10 s");
                System.out.println("host killer (" + killer.getState() + "):");
                for (StackTraceElement e : killer.getStackTrace()) {
                    System.out.println("\tat " + e);
                }
                System.out.println("first fork " + first.thread() + " (runnable, no carrier):");
                for (StackTraceElement e : first.thread().getStackTrace()) {
                    System.out.println("\tat " + e);
                }
            }
            System.exit(0);
        }

        /** Waits (at most 5 s) until {@code t} is parked on a kernel lock, or for the killer thread that waits on one for it. */
        private static void awaitParkedInKernel(Thread t) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() - deadline < 0) {
                StackTraceElement[] st = t.getStackTrace();
                if (Arrays.stream(st).anyMatch(e -> e.getClassName().startsWith(Kernel.class.getName()))
                        && Arrays.stream(st).anyMatch(e -> e.getClassName().startsWith(PollingRwLock.class.getName())
                                || e.getClassName().startsWith(KillerThreads.class.getName()))) {
                    return;
                }
                Thread.sleep(1);
            }
            System.out.println(t + " did not park on a kernel lock within 5 s; going on");
        }

        private static void awaitQuietly(CountDownLatch l) {
            try {
                l.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runStorms(String name, Profile profile) {
        int n = trials();
        long base = baseSeed();
        System.out.println("[NoEscapeStressTest." + name + "] " + n + " trials, base seed " + base
                + (fixedSeed() != null ? " (fixed seed " + fixedSeed() + ")" : "") + ", virtual threads "
                + (ForkOptions.virtualThreadsAvailable() ? "on" : "off") + ", JDK " + Runtime.version().feature());
        long t0 = System.nanoTime();
        long forks = 0;
        int kills = 0;
        Stats stats = new Stats();
        for (int i = 0; i < n; i++) {
            long seed = seedFor(base, i);
            StormTrial t = new StormTrial(i, seed, profile, stats);
            guarded(name + " trial " + i, seed, t.threads, t::run);
            forks += t.forks.get();
            kills += t.killers.size();
        }
        System.out.printf("[NoEscapeStressTest.%s] %d trials, %d forks, %d host kills, %.1f s%n  %s%n", name, n, forks, kills,
                (System.nanoTime() - t0) / 1e9, stats);
    }

    // =========================================================================================
    // Watchdog
    // =========================================================================================

    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} on a daemon driver thread; the calling (JUnit) thread is the watchdog. Any
     * failure is rethrown with the seed in its message; a body that does not finish in time gets
     * every thread dumped to stderr and fails the test.
     */
    static void guarded(String what, long seed, Collection<Thread> trialThreads, Body body) {
        String tag = "[" + what + ", seed=" + seed + ", replay with -Djreap.stress.seed=" + seed + "] ";
        FutureTask<Void> task = new FutureTask<>(() -> {
            body.run();
            return null;
        });
        Thread driver = new Thread(task, "jreap-stress-driver");
        driver.setDaemon(true);
        driver.start();
        try {
            task.get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            String dump = dumpThreads(trialThreads);
            System.err.println(tag + "WATCHDOG: not finished after " + WATCHDOG_SECONDS + " s; all threads:\n" + dump);
            throw new AssertionError(tag + "did not finish within " + WATCHDOG_SECONDS
                    + " s (deadlock or livelock); thread dump with lock owners on stderr");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new AssertionError(tag + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(tag + "interrupted", e);
        }
    }

    /** Every platform thread (with lock owners and deadlocks), plus the trial's live virtual threads. */
    static String dumpThreads(Collection<Thread> trialThreads) {
        StringBuilder b = new StringBuilder();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
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
        if (trialThreads != null) {
            for (Thread t : trialThreads) {
                if (t.isAlive() && ForkOptions.isVirtual(t)) {
                    b.append("virtual ").append(t).append('\n');
                    for (StackTraceElement e : t.getStackTrace()) {
                        b.append("\tat ").append(e).append('\n');
                    }
                    b.append('\n');
                }
            }
        }
        return b.toString();
    }

    // =========================================================================================
    // Shared helpers
    // =========================================================================================

    static boolean alive(Kernel k, long pid) {
        LwpState s = k.state(pid);
        return s == LwpState.NEW || s == LwpState.RUNNING;
    }

    static boolean gone(Kernel k, long pid) {
        LwpState s = k.state(pid);
        return s == LwpState.ZOMBIE || s == LwpState.REAPED;
    }

    static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Polls until every pid is ZOMBIE or REAPED; returns those that are not by the deadline. */
    static List<Long> awaitGone(Kernel k, Collection<Long> pids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> left = new ArrayList<>(pids);
        long sleep = 1;
        while (true) {
            left.removeIf(p -> gone(k, p));
            if (left.isEmpty() || System.nanoTime() - deadline > 0) {
                return left;
            }
            Thread.sleep(sleep);
            sleep = Math.min(sleep * 2, 20);
        }
    }

    /** Joins every thread within one shared deadline; returns descriptions of those still alive. */
    static List<String> joinAll(Collection<Thread> threads, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> alive = new ArrayList<>();
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            t.join(Math.max(1, left));
            if (t.isAlive()) {
                StringBuilder b = new StringBuilder(t.toString()).append(" state ").append(t.getState());
                for (StackTraceElement e : t.getStackTrace()) {
                    b.append("\n\tat ").append(e);
                }
                alive.add(b.toString());
            }
        }
        return alive;
    }

    static ForkOptions platform(String name) {
        return ForkOptions.platform().withDaemon(true).withName(name);
    }

    /** Platform or (where the JDK has them) virtual, at random. */
    static ForkOptions someThread(Random r, int virtualPercent, String name) {
        int dice = r.nextInt(100); // drawn on every JDK, so a seed makes the same plan on 17 and 25
        if (ForkOptions.virtualThreadsAvailable() && dice < virtualPercent) {
            return ForkOptions.virtual().withName(name);
        }
        return platform(name);
    }

    static <T> T pick(Random r, Collection<T> c) {
        Object[] a = c.toArray();
        if (a.length == 0) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T t = (T) a[r.nextInt(a.length)];
        return t;
    }

    // =========================================================================================
    // Bystanders: threads that must see no interrupt and no spurious wake-up
    // =========================================================================================

    enum Wait {
        SLEEP, CONDITION, PARK, LOCK
    }

    /**
     * Bystander threads and LWPs. Each blocks in one way until {@link #stop}: sleeping (an
     * interrupt throws), awaiting a condition nobody signals (a return without a signal is a
     * spurious wake-up), parked (a return without an unpark), or waiting interruptibly for a lock
     * the driver holds for the whole trial (an acquisition before stop is spurious).
     */
    static final class Bystanders {
        final ReentrantLock condLock = new ReentrantLock();
        final Condition cond = condLock.newCondition();
        int generation; // guarded by condLock
        final ReentrantLock heldLock = new ReentrantLock();
        volatile boolean stop;
        final AtomicInteger interrupts = new AtomicInteger();
        final AtomicInteger spurious = new AtomicInteger();
        final Queue<String> incidents = new ConcurrentLinkedQueue<>();
        final Queue<Thread> parkers = new ConcurrentLinkedQueue<>();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finishedNormally = new AtomicInteger();
        final CountDownLatch ready;

        Bystanders(int count) {
            ready = new CountDownLatch(count);
        }

        /** Must be called by the driver before any bystander starts; {@link #stop} releases it. */
        void holdLock() {
            heldLock.lock();
        }

        /**
         * The body of one bystander. {@code k} is null for a host thread; for an LWP the loop
         * passes check points (a killed bystander of A ends there). {@code counting} says whether
         * an interrupt now is collateral damage (false once the bystander's own sandbox is being
         * killed on purpose).
         */
        Runnable body(Wait how, String who, Kernel k, BooleanSupplier counting, Runnable beforeReady) {
            return () -> {
                started.incrementAndGet();
                if (beforeReady != null) {
                    beforeReady.run();
                }
                switch (how) {
                    case SLEEP:
                        sleepLoop(who, k, counting);
                        break;
                    case CONDITION:
                        conditionLoop(who, k, counting);
                        break;
                    case PARK:
                        parkLoop(who, k, counting);
                        break;
                    case LOCK:
                        lockLoop(who, k, counting);
                        break;
                    default:
                        throw new AssertionError(how);
                }
                finishedNormally.incrementAndGet();
            };
        }

        private static void checkPoint(Kernel k) {
            if (k != null) {
                k.checkSignals();
            }
        }

        private String where(Kernel k, String who) {
            return who + (k != null && k.inLwp() ? " (pid " + k.getpid() + ")" : "") + " [" + Thread.currentThread() + "]";
        }

        void interrupted(String who, Kernel k, BooleanSupplier counting, Throwable how) {
            if (counting.getAsBoolean()) {
                interrupts.incrementAndGet();
                incidents.add("INTERRUPT of bystander " + where(k, who) + "\n" + stack(how));
            }
        }

        void spurious(String who, Kernel k, BooleanSupplier counting, String what) {
            if (counting.getAsBoolean()) {
                spurious.incrementAndGet();
                incidents.add("SPURIOUS WAKE-UP of bystander " + where(k, who) + ": " + what);
            }
        }

        private void sleepLoop(String who, Kernel k, BooleanSupplier counting) {
            ready.countDown();
            while (!stop) {
                checkPoint(k);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    interrupted(who, k, counting, e);
                }
            }
        }

        private void conditionLoop(String who, Kernel k, BooleanSupplier counting) {
            condLock.lock();
            try {
                ready.countDown();
                while (!stop) {
                    checkPoint(k);
                    int g = generation;
                    try {
                        cond.await();
                        if (!stop && generation == g) {
                            spurious(who, k, counting, "Condition.await() returned without a signal");
                        }
                    } catch (InterruptedException e) {
                        interrupted(who, k, counting, e);
                    }
                }
            } finally {
                condLock.unlock();
            }
        }

        private void parkLoop(String who, Kernel k, BooleanSupplier counting) {
            parkers.add(Thread.currentThread());
            ready.countDown();
            while (!stop) {
                checkPoint(k);
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted(who, k, counting, new InterruptedException("park returned with the interrupt flag set"));
                } else if (!stop) {
                    spurious(who, k, counting, "LockSupport.park() returned without an unpark");
                }
            }
        }

        private void lockLoop(String who, Kernel k, BooleanSupplier counting) {
            ready.countDown();
            while (!stop) {
                checkPoint(k);
                try {
                    heldLock.lockInterruptibly();
                    try {
                        if (!stop) {
                            spurious(who, k, counting, "acquired a lock the driver still holds?");
                            LockSupport.parkNanos(1_000_000);
                        }
                    } finally {
                        heldLock.unlock();
                    }
                } catch (InterruptedException e) {
                    interrupted(who, k, counting, e);
                }
            }
        }

        /** Ends every bystander's loop (only the driver calls this: it holds {@link #heldLock}). */
        void stop() {
            stop = true;
            condLock.lock();
            try {
                generation++;
                cond.signalAll();
            } finally {
                condLock.unlock();
            }
            while (heldLock.isHeldByCurrentThread()) {
                heldLock.unlock();
            }
            for (Thread t : parkers) {
                LockSupport.unpark(t);
            }
        }

        String report() {
            StringBuilder b = new StringBuilder();
            b.append(interrupts.get()).append(" interrupts, ").append(spurious.get()).append(" spurious wake-ups");
            int n = 0;
            for (String s : incidents) {
                if (n++ == 5) {
                    b.append("\n...");
                    break;
                }
                b.append('\n').append(s);
            }
            return b.toString();
        }
    }

    // =========================================================================================
    // Event-log replay
    // =========================================================================================

    /** A snapshot of a recorded event log, in hand-off order (causal for events under one lock). */
    static final class Log {
        final List<LifecycleEvent> ev;

        Log(RecordingEventSink rec) {
            ev = rec.events();
        }

        /** Every pid forked (transitively) below {@code reaperPid}. */
        Set<Long> descendants(long reaperPid) {
            Set<Long> s = new LinkedHashSet<>();
            s.add(reaperPid);
            for (LifecycleEvent e : ev) {
                if (e.type() == EventType.FORK && s.contains(e.ppid())) {
                    s.add(e.pid());
                }
            }
            s.remove(reaperPid);
            return s;
        }

        /**
         * The sharpest escape check: a FORK whose parent had already been marked KILL. A fork
         * publishes FORK under its parent's group lock shared after rechecking that the parent
         * has no kill, and a kill publishes SIGNAL_SENT under that lock exclusive before it marks,
         * so in the log a KILL to P followed by a FORK from P is a child born after P's kill.
         */
        List<String> forksAfterKill() {
            Map<Long, Integer> killedAt = new HashMap<>();
            List<String> out = new ArrayList<>();
            for (int i = 0; i < ev.size(); i++) {
                LifecycleEvent e = ev.get(i);
                if (e.type() == EventType.SIGNAL_SENT && e.signal() == Signal.KILL.number()) {
                    killedAt.putIfAbsent(e.pid(), i);
                } else if (e.type() == EventType.FORK) {
                    Integer j = killedAt.get(e.ppid());
                    if (j != null) {
                        out.add("ESCAPE: #" + i + " " + e + " after #" + j + " " + ev.get(j));
                    }
                }
            }
            return out;
        }

        /** Indices of SIGNAL_SENT events made by thread {@code actor}. */
        List<Integer> signalsBy(long actor) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < ev.size(); i++) {
                LifecycleEvent e = ev.get(i);
                if (e.type() == EventType.SIGNAL_SENT && e.threadId() == actor) {
                    out.add(i);
                }
            }
            return out;
        }

        int indexOf(EventType type, long actor) {
            for (int i = 0; i < ev.size(); i++) {
                LifecycleEvent e = ev.get(i);
                if (e.type() == type && e.threadId() == actor) {
                    return i;
                }
            }
            return -1;
        }

        /** pid -> pgid, replayed from FORK/SETPGID/SETSID events before index {@code end}. */
        Map<Long, Long> groupsBefore(int end) {
            Map<Long, Long> pg = new HashMap<>();
            for (int i = 0; i < end; i++) {
                LifecycleEvent e = ev.get(i);
                if (e.type() == EventType.FORK || e.type() == EventType.SETPGID || e.type() == EventType.SETSID) {
                    pg.put(e.pid(), e.pgid());
                }
            }
            return pg;
        }

        /**
         * Checks one killpg by thread {@code actor} on {@code pgid}: the signal block (all made
         * under the group lock held exclusively) is not interleaved by group membership changes;
         * it signalled members only, each once; members it skipped are no longer alive. Returns
         * the members at the block (empty if it signalled nothing).
         */
        Set<Long> checkKillpg(Kernel k, long actor, long pgid, List<String> problems) {
            List<Integer> block = signalsBy(actor);
            if (block.isEmpty()) {
                return Set.of();
            }
            int first = block.get(0);
            int last = block.get(block.size() - 1);
            Map<Long, Long> pg = groupsBefore(first);
            Set<Long> members = new HashSet<>();
            for (Map.Entry<Long, Long> e : pg.entrySet()) {
                if (e.getValue() == pgid) {
                    members.add(e.getKey());
                }
            }
            for (int i = first; i <= last; i++) {
                LifecycleEvent e = ev.get(i);
                boolean into = (e.type() == EventType.FORK || e.type() == EventType.SETPGID
                        || e.type() == EventType.SETSID) && e.pgid() == pgid;
                boolean outOf = (e.type() == EventType.SETPGID || e.type() == EventType.SETSID) && e.other() == pgid;
                if (into || outOf) {
                    problems.add("killpg " + pgid + " signal block #" + first + "..#" + last
                            + " is interleaved by a membership change (group lock not exclusive?): #" + i + " " + e);
                }
            }
            Set<Long> signalled = new HashSet<>();
            for (int i : block) {
                LifecycleEvent e = ev.get(i);
                if (!signalled.add(e.pid())) {
                    problems.add("killpg " + pgid + " signalled pid " + e.pid() + " twice");
                }
                if (!members.contains(e.pid())) {
                    problems.add("COLLATERAL: killpg " + pgid + " signalled pid " + e.pid()
                            + " which the log places in group " + pg.get(e.pid()) + ": #" + i + " " + e);
                }
            }
            for (long m : members) {
                if (!signalled.contains(m) && alive(k, m)) {
                    problems.add("ESCAPE: pid " + m + " was in group " + pgid + " at killpg's signal block #" + first
                            + " but was not signalled and is still " + k.state(m));
                }
            }
            return members;
        }

        /**
         * Checks one reap kill by thread {@code actor} of sandbox reaper {@code reaperPid}: it
         * signalled only LWPs of that sandbox, each once, none exempt by rule 8 (born after its
         * parent survived this kill); every other LWP of the sandbox that was born before the kill
         * ended and had not exited before it began is no longer alive.
         */
        void checkReapKill(Kernel k, long actor, long reaperPid, List<String> problems, Stats stats) {
            int begin = indexOf(EventType.KILL_BEGIN, actor);
            int end = indexOf(EventType.KILL_END, actor);
            if (begin < 0 || end < 0) {
                problems.add("reap kill by thread " + actor + ": no KILL_BEGIN/KILL_END in the log");
                return;
            }
            Map<Long, Integer> signalledAt = new HashMap<>();
            for (int i : signalsBy(actor)) {
                if (signalledAt.putIfAbsent(ev.get(i).pid(), i) != null) {
                    problems.add("reap kill signalled pid " + ev.get(i).pid() + " twice (#" + i + ")");
                }
            }
            Set<Long> inSandbox = new HashSet<>();
            inSandbox.add(reaperPid);
            Set<Long> exempt = new HashSet<>();
            Map<Long, Integer> bornAt = new HashMap<>();
            Map<Long, Integer> exitedAt = new HashMap<>();
            for (int i = 0; i < ev.size(); i++) {
                LifecycleEvent e = ev.get(i);
                if (e.type() == EventType.FORK && inSandbox.contains(e.ppid())) {
                    inSandbox.add(e.pid());
                    bornAt.put(e.pid(), i);
                    Integer ps = signalledAt.get(e.ppid());
                    if (exempt.contains(e.ppid()) || (ps != null && ps < i)) {
                        exempt.add(e.pid());
                    }
                } else if (e.type() == EventType.EXIT || e.type() == EventType.FORK_FAILED) {
                    exitedAt.putIfAbsent(e.pid(), i);
                }
            }
            for (long p : signalledAt.keySet()) {
                if (p == reaperPid || p == Kernel.INIT_PID) {
                    problems.add("reap kill signalled reaper/init pid " + p);
                } else if (!inSandbox.contains(p)) {
                    problems.add("COLLATERAL: reap kill of sandbox " + reaperPid + " signalled pid " + p
                            + " of another sandbox");
                } else if (exempt.contains(p)) {
                    problems.add("rule 8: reap kill signalled pid " + p + " born after its parent survived the kill");
                }
            }
            for (Map.Entry<Long, Integer> b : bornAt.entrySet()) {
                long p = b.getKey();
                if (stats != null && b.getValue() > begin && b.getValue() < end) {
                    stats.bornDuringReapKill.incrementAndGet();
                    if (signalledAt.containsKey(p)) {
                        stats.bornDuringReapKillAndCaught.incrementAndGet();
                    }
                    if (exempt.contains(p)) {
                        stats.exemptByRule8.incrementAndGet();
                    }
                }
                Integer x = exitedAt.get(p);
                boolean covered = b.getValue() < end && !exempt.contains(p) && !(x != null && x < begin);
                if (covered && !signalledAt.containsKey(p) && alive(k, p)) {
                    problems.add("ESCAPE: pid " + p + " (born #" + b.getValue() + ") was in sandbox " + reaperPid
                            + " during reap kill #" + begin + "..#" + end + " but was not signalled and is still "
                            + k.state(p));
                }
            }
        }
    }

    // =========================================================================================
    // Killers
    // =========================================================================================

    enum KillKind {
        SANDBOX_KILL, REAP_KILL, KILLPG, REAP_TERM
    }

    /** One host kill, run on its own host thread so the log can tell its events apart. */
    static final class Killer implements Runnable {
        final KillKind kind;
        final Signal sig;
        final long target;
        final Callable<KillResult> action;
        final CountDownLatch go;
        Thread thread;
        volatile KillResult result;
        volatile boolean esrch;
        volatile Throwable error;

        Killer(KillKind kind, Signal sig, long target, Callable<KillResult> action, CountDownLatch go) {
            this.kind = kind;
            this.sig = sig;
            this.target = target;
            this.action = action;
            this.go = go;
        }

        boolean sandboxWideKill() {
            return (kind == KillKind.SANDBOX_KILL || kind == KillKind.REAP_KILL) && sig == Signal.KILL;
        }

        @Override
        public void run() {
            try {
                go.await();
                result = action.call();
            } catch (NoSuchProcessException e) {
                esrch = true;
                result = e.partialResult().orElse(new KillResult(0, -1, new long[0]));
            } catch (Throwable t) {
                error = t;
            }
        }

        @Override
        public String toString() {
            return kind + (kind == KillKind.KILLPG ? "(" + target + ", " + sig + ")" : "") + "->"
                    + (error != null ? error.toString() : esrch ? "ESRCH" : result == null ? "?" : result.killed());
        }
    }

    /** Starts the killers together and waits for all; a killer stuck for 60 s is a deadlock. */
    static void runKillers(List<Killer> ks, Collection<Thread> threads, String name) throws InterruptedException {
        int i = 0;
        for (Killer kl : ks) {
            Thread t = new Thread(kl, name + "-killer-" + i++);
            t.setDaemon(true);
            kl.thread = t;
            threads.add(t);
            t.start();
        }
        ks.get(0).go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Killer kl : ks) {
            kl.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (kl.thread.isAlive()) {
                throw new AssertionError("DEADLOCK: killer " + kl.kind + " did not return in 60 s:\n" + dumpThreads(threads));
            }
        }
        for (Killer kl : ks) {
            if (kl.error != null) {
                throw new AssertionError("killer " + kl.kind + " failed: " + stack(kl.error));
            }
        }
    }

    // =========================================================================================
    // Storm trials
    // =========================================================================================

    enum Profile {
        //    budget      limit    depth fan roots killers
        QUICK(60, 300, 40, 300, 5, 4, 3, 4),
        LONG(200, 1000, 60, 900, 7, 5, 5, 6);

        final int budgetMin, budgetSpread, limitMin, limitSpread, maxDepth, maxFanout, maxRoots, maxKillers;

        Profile(int budgetMin, int budgetSpread, int limitMin, int limitSpread, int maxDepth, int maxFanout, int maxRoots,
                int maxKillers) {
            this.budgetMin = budgetMin;
            this.budgetSpread = budgetSpread;
            this.limitMin = limitMin;
            this.limitSpread = limitSpread;
            this.maxDepth = maxDepth;
            this.maxFanout = maxFanout;
            this.maxRoots = maxRoots;
            this.maxKillers = maxKillers;
        }
    }

    static final class StormTrial {
        final int index;
        final long seed;
        final Profile prof;
        final Random rnd;
        final RecordingEventSink rec;
        final Kernel k;
        final StringBuilder plan = new StringBuilder();
        Sandbox a;
        Sandbox b;
        final Set<Long> pidsA = ConcurrentHashMap.newKeySet();
        final Set<Long> bystanderPidsA = ConcurrentHashMap.newKeySet();
        final Set<Long> pidsB = ConcurrentHashMap.newKeySet();
        final Set<Long> stormGroups = ConcurrentHashMap.newKeySet();
        final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        final Queue<String> problems = new ConcurrentLinkedQueue<>();
        final List<Killer> killers = new ArrayList<>();
        final Set<Long> finalKillerThreads = new HashSet<>();
        final AtomicInteger budget = new AtomicInteger();
        final AtomicInteger selfKills = new AtomicInteger();
        final AtomicInteger forks = new AtomicInteger();
        final AtomicInteger bStarted = new AtomicInteger();
        final AtomicInteger bEnded = new AtomicInteger();
        int virtualPercent;
        Bystanders by;
        Phases ph;
        volatile boolean finalKillStarted;

        final Stats stats;

        StormTrial(int index, long seed, Profile prof, Stats stats) {
            this.stats = stats;
            this.index = index;
            this.seed = seed;
            this.prof = prof;
            this.rnd = new Random(seed);
            this.rec = rnd.nextInt(100) < 80 ? new RecordingEventSink() : null;
            this.k = new Kernel(rec != null ? rec : EventSink.NONE);
        }

        private AssertionError failure(String what) {
            return new AssertionError(what + "\n  plan: " + plan + "\n  killers: " + killers);
        }

        private void require(boolean ok, String what) {
            if (!ok) {
                throw failure(what);
            }
        }

        private void requireNone(Collection<String> found, String what) {
            if (!found.isEmpty()) {
                StringBuilder b = new StringBuilder(what).append(" (").append(found.size()).append("):");
                int n = 0;
                for (String s : found) {
                    if (n++ == 8) {
                        b.append("\n  ...");
                        break;
                    }
                    b.append("\n  ").append(s);
                }
                throw failure(b.toString());
            }
        }

        // ---- plugin code: the storm ----

        /** Per-LWP state of a storm LWP (touched only by that LWP's threads). */
        final class StormLwp implements Runnable {
            final Random r;
            final int depth;
            final boolean leaf;
            long me;
            volatile boolean led;
            boolean reaper;
            boolean keepsZombies;
            final List<Long> children = new ArrayList<>();
            final ReentrantLock lock = new ReentrantLock();
            final Condition cond = lock.newCondition();

            StormLwp(long seed, int depth, boolean leaf) {
                this.r = new Random(seed);
                this.depth = depth;
                this.leaf = leaf;
            }

            @Override
            public void run() {
                try {
                    body();
                } catch (LwpKilledError e) {
                    throw e;
                } catch (Throwable t) {
                    unexpected("storm LWP", t);
                }
            }

            private void body() {
                me = k.getpid();
                int role = r.nextInt(100);
                if (role < 15) {
                    newGroup();
                } else if (role < 25) {
                    joinSomeGroup();
                } else if (role < 27) {
                    try {
                        k.setsid();
                        led = true;
                        stormGroups.add(me);
                    } catch (ProcException e) {
                        // EPERM: already leads a group
                    }
                }
                int h = r.nextInt(100);
                if (h < 20) {
                    installTermHandler();
                } else if (h < 25) {
                    k.sigaction(Signal.TERM, SignalAction.IGNORE);
                }
                // Long-lived LWPs fork their subtree, then keep forking short-lived leaves until the
                // trial's fork budget is spent, so births keep racing with the kills.
                boolean longLived = !leaf && r.nextInt(100) < 70;
                int fanout = 1 + r.nextInt(prof.maxFanout);
                int iterations = longLived ? Integer.MAX_VALUE : 1 + r.nextInt(20);
                int forked = 0;
                for (int it = 0; it < iterations; it++) {
                    k.checkSignals();
                    int op = r.nextInt(100);
                    if (op < 40 && depth > 0 && forked < fanout) {
                        if (budget.getAndDecrement() > 0) {
                            Long c = forkStorm(r, depth - 1, false);
                            if (c != null) {
                                forked++;
                                children.add(c);
                            }
                        }
                    } else if (op < 40 && longLived && budget.get() > 0) {
                        if (budget.getAndDecrement() > 0) {
                            forkStorm(r, 0, true);
                        }
                    } else if (op < 44) {
                        churn();
                    } else if (op < 45 && r.nextInt(8) == 0 && selfKills.getAndDecrement() > 0) {
                        // Kill my own group from inside; the next check point ends me.
                        long g = k.getpgid(0);
                        KillResult res;
                        try {
                            res = k.killpg(g, Signal.KILL);
                        } catch (NoSuchProcessException e) {
                            // my parent moved me out of that group, which then dissolved: not killed
                            continue;
                        }
                        k.checkSignals();
                        // Still here: fine only if my parent moved me out of g before the kill.
                        if (Arrays.stream(res.pids()).anyMatch(p -> p == me)) {
                            unexpected("storm LWP", new AssertionError("survived killing its own group " + g
                                    + " with KILL, which signalled it: " + res));
                        }
                    } else if (op < 46 && r.nextInt(4) == 0) {
                        extraThread();
                    } else if (op < 49) {
                        exotic();
                    } else {
                        block();
                    }
                }
            }

            /**
             * Less common plugin behaviour: nested reapers, zombies and waitpid (a kill point),
             * signalling its own children, and trying to reach into sandbox B (which must fail).
             */
            private void exotic() {
                switch (r.nextInt(6)) {
                    case 0:
                        try {
                            if (reaper) {
                                k.reaperRelease(0);
                                reaper = false;
                            } else {
                                k.reaperAcquire(0);
                                reaper = true;
                            }
                        } catch (ProcException e) {
                            problems.add("reaper acquire/release failed in pid " + me + ": " + e);
                        }
                        break;
                    case 1:
                        k.setKeepsZombies(true);
                        keepsZombies = true;
                        break;
                    case 2:
                        if (keepsZombies) {
                            try {
                                k.waitpid(-1, r.nextInt(4) != 0);
                            } catch (NoChildException e) {
                                // none (left)
                            } catch (InterruptedException e) {
                                // a kill or an interrupting handler: the check point decides
                            }
                        }
                        break;
                    case 3:
                        if (!children.isEmpty()) {
                            try {
                                k.kill(children.get(r.nextInt(children.size())), r.nextBoolean() ? Signal.TERM : Signal.KILL);
                            } catch (NoSuchProcessException e) {
                                // exited
                            }
                        }
                        break;
                    case 4:
                        reachIntoB();
                        break;
                    default:
                        break;
                }
            }

            /** Every way of signalling another sandbox must fail with EPERM or ESRCH. */
            private void reachIntoB() {
                Sandbox other = b;
                if (other == null) {
                    return;
                }
                Long victim = pick(r, pidsB);
                List<Callable<Object>> tries = new ArrayList<>();
                tries.add(() -> k.killpg(other.pid(), Signal.KILL));
                tries.add(() -> k.reaperKill(other.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0));
                if (victim != null) {
                    tries.add(() -> {
                        k.kill(victim, Signal.KILL);
                        return null;
                    });
                    tries.add(() -> k.reaperKill(victim, Signal.KILL, Kernel.REAPER_KILL_ALL, 0));
                }
                try {
                    Object res = tries.get(r.nextInt(tries.size())).call();
                    problems.add("COLLATERAL: LWP " + me + " of A signalled into sandbox B: " + res);
                } catch (PermissionDeniedException | NoSuchProcessException e) {
                    // expected: EPERM (can see, may not signal) or ESRCH (cannot see)
                } catch (LwpKilledError e) {
                    throw e;
                } catch (Exception e) {
                    problems.add("signalling into sandbox B from LWP " + me + " threw " + stack(e));
                }
            }

            private void newGroup() {
                if (led) {
                    return; // never lead a group twice: keeps pgids unique in the log
                }
                try {
                    k.setpgid(0, 0);
                    led = true;
                    stormGroups.add(me);
                } catch (ProcException e) {
                    // EPERM (session leader)
                }
            }

            private void joinSomeGroup() {
                Long g = pick(r, stormGroups);
                if (g == null || g == me) {
                    return; // joining my own dissolved group would re-create pgid me
                }
                try {
                    k.setpgid(0, g);
                } catch (ProcException e) {
                    // EPERM: gone or in another session
                }
            }

            private void churn() {
                switch (r.nextInt(4)) {
                    case 0:
                        newGroup();
                        break;
                    case 1:
                    case 2:
                        joinSomeGroup();
                        break;
                    default:
                        if (!children.isEmpty()) {
                            long c = children.get(r.nextInt(children.size()));
                            Long g = r.nextBoolean() ? pick(r, stormGroups) : Long.valueOf(k.getpgid(0));
                            if (g != null && g != c) {
                                try {
                                    k.setpgid(c, g);
                                } catch (ProcException e) {
                                    // ESRCH (child exited) or EPERM
                                }
                            }
                        }
                }
            }

            private void installTermHandler() {
                Random hr = new Random(r.nextLong());
                SignalHandler h = sig -> {
                    // A handler that keeps forking: its children are born after this LWP survived
                    // the kill, so that kill leaves them to the next one (rule 8).
                    int n = hr.nextInt(3);
                    for (int i = 0; i < n && budget.getAndDecrement() > 0; i++) {
                        forkStorm(hr, Math.min(depth, 1), false);
                    }
                };
                k.sigaction(Signal.TERM, r.nextBoolean() ? SignalAction.handle(h) : SignalAction.handleInterrupting(h));
            }

            private void extraThread() {
                Random tr = new Random(r.nextLong());
                LwpHandle h = k.addThread(someThread(r, virtualPercent, "storm-extra"), () -> {
                    while (true) {
                        k.checkSignals();
                        try {
                            Thread.sleep(1 + tr.nextInt(3));
                        } catch (InterruptedException e) {
                            // a kill interrupts; the check point ends the thread
                        }
                    }
                });
                threads.add(h.thread());
            }

            /** Blocks briefly (so interrupts matter); longer once the budget is spent. */
            private void block() {
                try {
                    if (budget.get() <= 0) {
                        Thread.sleep(2 + r.nextInt(6));
                        return;
                    }
                    switch (r.nextInt(5)) {
                        case 0:
                            Thread.sleep(1);
                            break;
                        case 1:
                            LockSupport.parkNanos(200_000 + r.nextInt(1_500_000));
                            Thread.interrupted();
                            break;
                        case 2:
                            lock.lock();
                            try {
                                cond.awaitNanos(200_000 + r.nextInt(1_500_000));
                            } finally {
                                lock.unlock();
                            }
                            break;
                        case 3:
                            Thread.yield();
                            break;
                        default:
                            Thread.sleep(0, 100_000 + r.nextInt(500_000));
                    }
                } catch (InterruptedException e) {
                    // a kill or an interrupting handler: the check point decides
                }
            }
        }

        Long forkStorm(Random r, int depth, boolean leaf) {
            // Sometimes fork with the interrupt flag set: an interrupt must not make a start fail.
            boolean selfInterrupt = r.nextInt(10) == 0;
            if (selfInterrupt) {
                Thread.currentThread().interrupt();
            }
            try {
                LwpHandle h = k.fork(someThread(r, virtualPercent, leaf ? "storm-leaf" : "storm"),
                        new StormLwp(r.nextLong(), depth, leaf));
                pidsA.add(h.pid());
                threads.add(h.thread());
                forks.incrementAndGet();
                return h.pid();
            } catch (LwpLimitException e) {
                return null; // EAGAIN at the sandbox limit
            } finally {
                if (selfInterrupt) {
                    Thread.interrupted();
                }
            }
        }

        void unexpected(String who, Throwable t) {
            try {
                k.checkSignals(); // a throwable in a killed LWP is the kill's doing
            } catch (LwpKilledError e) {
                throw e;
            }
            problems.add(who + " pid " + k.getpid() + " threw " + stack(t));
        }

        // ---- bystanders of B: plugin code of a sandbox nobody kills ----

        Runnable bystanderB(Wait how, String who) {
            Runnable body = by.body(how, who, k, () -> true, null);
            return () -> {
                bStarted.incrementAndGet();
                try {
                    body.run();
                    bEnded.incrementAndGet();
                } catch (LwpKilledError e) {
                    problems.add("COLLATERAL: LWP " + k.getpid() + " of sandbox B (never killed) was killed: " + e);
                    throw e;
                }
            };
        }

        /** An LWP of B that keeps forking short-lived children while A is killed. */
        Runnable forkerB(long s) {
            Random r = new Random(s);
            return () -> {
                bStarted.incrementAndGet();
                by.ready.countDown();
                try {
                    while (!by.stop) {
                        k.checkSignals();
                        boolean selfInterrupt = r.nextInt(4) == 0; // must not make the start fail
                        if (selfInterrupt) {
                            Thread.currentThread().interrupt();
                        }
                        try {
                            LwpHandle h = k.fork(someThread(r, virtualPercent, "b-child"), () -> {
                                bStarted.incrementAndGet();
                                k.checkSignals();
                                LockSupport.parkNanos(100_000);
                                Thread.interrupted();
                                k.checkSignals();
                                bEnded.incrementAndGet();
                            });
                            pidsB.add(h.pid());
                            threads.add(h.thread());
                        } catch (LwpLimitException e) {
                            // EAGAIN
                        } finally {
                            if (selfInterrupt) {
                                Thread.interrupted();
                            }
                        }
                        try {
                            Thread.sleep(1 + r.nextInt(3));
                        } catch (InterruptedException e) {
                            by.interrupted("B forker", k, () -> true, e);
                        }
                    }
                    bEnded.incrementAndGet();
                } catch (LwpKilledError e) {
                    problems.add("COLLATERAL: forking LWP " + k.getpid() + " of sandbox B (never killed) was killed: " + e);
                    throw e;
                }
            };
        }

        // ---- host side ----

        private void spawnAll(Sandbox sb, ForkOptions o, Runnable body, Set<Long> pids) {
            LwpHandle h = sb.spawn(o, body);
            pids.add(h.pid());
            threads.add(h.thread());
        }

        private Thread hostThread(String name, Runnable body) {
            Thread t = new Thread(body, name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
            return t;
        }

        /** A group of the storm, chosen through a random live storm LWP; the sandbox's own group otherwise. */
        long someStormGroup() {
            for (int i = 0; i < 10; i++) {
                Long p = pick(rnd, pidsA);
                if (p == null) {
                    break;
                }
                try {
                    long g = k.getpgid(p);
                    if (!bystanderGroup(g)) {
                        return g;
                    }
                } catch (NoSuchProcessException e) {
                    // exited
                }
            }
            return a.pid();
        }

        private boolean bystanderGroup(long g) {
            return bystanderPidsA.contains(g);
        }

        Killer killer(KillKind kind, Signal sig, CountDownLatch go) {
            switch (kind) {
                case SANDBOX_KILL:
                    return new Killer(kind, Signal.KILL, a.pid(), a::kill, go);
                case REAP_KILL:
                    return new Killer(kind, Signal.KILL, a.pid(), () -> k.reaperKill(a.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0), go);
                case REAP_TERM:
                    return rnd.nextBoolean()
                            ? new Killer(kind, Signal.TERM, a.pid(), () -> k.reaperKill(a.pid(), Signal.TERM, Kernel.REAPER_KILL_ALL, 0), go)
                            : new Killer(kind, Signal.TERM, a.pid(), () -> a.signal(Signal.TERM), go);
                case KILLPG: {
                    long g = someStormGroup();
                    return new Killer(kind, sig, g, () -> k.killpg(g, sig), go);
                }
                default:
                    throw new AssertionError(kind);
            }
        }

        /** Runs killers, then the checks that are exact right after they return. */
        private void kill(List<Killer> ks, String phase) throws InterruptedException {
            killers.addAll(ks);
            runKillers(ks, threads, "t" + index + "-" + phase);
            List<String> found = new ArrayList<>();
            Set<Long> everyoneA = everyoneInA();
            for (Killer kl : ks) {
                if (kl.sandboxWideKill()) {
                    // No escape: when a sandbox-wide KILL returns, every LWP of A still alive has it.
                    Set<Long> got = new HashSet<>();
                    for (long p : kl.result.pids()) {
                        got.add(p);
                    }
                    for (long p : everyoneA) {
                        if (!got.contains(p) && alive(k, p)) {
                            found.add("ESCAPE: pid " + p + " is " + k.state(p) + " after " + kl
                                    + " returned, which did not signal it");
                        }
                    }
                }
                if (kl.result != null) {
                    long[] ps = kl.result.pids();
                    require(ps.length == kl.result.killed() && Arrays.stream(ps).distinct().count() == ps.length,
                            kl + ": result pids " + Arrays.toString(ps) + " do not match killed=" + kl.result.killed());
                }
            }
            if (rec != null) {
                Log log = new Log(rec);
                for (Killer kl : ks) {
                    long actor = kl.thread.getId();
                    if (kl.kind == KillKind.KILLPG) {
                        stats.killpgMembers.addAndGet(log.checkKillpg(k, actor, kl.target, found).size());
                    } else {
                        log.checkReapKill(k, actor, a.pid(), found, stats);
                    }
                }
            }
            requireNone(found, phase + ": no-escape / no-collateral violations right after the kill returned");
        }

        /** Every LWP of A the trial knows of: handles, bystanders and (when recorded) FORK events. */
        private Set<Long> everyoneInA() {
            Set<Long> all = new HashSet<>(pidsA);
            all.addAll(bystanderPidsA);
            if (rec != null) {
                all.addAll(new Log(rec).descendants(a.pid()));
            }
            return all;
        }

        void run() throws Exception {
            boolean twoSandboxes = rnd.nextInt(100) < 70;
            int limitA = prof.limitMin + rnd.nextInt(prof.limitSpread);
            budget.set(prof.budgetMin + rnd.nextInt(prof.budgetSpread));
            int roots = 1 + rnd.nextInt(prof.maxRoots);
            int depth = 2 + rnd.nextInt(prof.maxDepth - 1);
            selfKills.set(rnd.nextInt(100) < 35 ? 1 + rnd.nextInt(2) : 0);
            int vp = rnd.nextInt(4) * 25; // drawn on every JDK, so a seed makes the same plan on 17 and 25
            virtualPercent = ForkOptions.virtualThreadsAvailable() ? vp : 0;
            boolean stopPhase = rnd.nextInt(100) < 15;
            boolean killpgPhase = rnd.nextInt(100) < 35;
            boolean termPhase = rec != null && rnd.nextInt(100) < 25;
            int hostBystanders = 1 + rnd.nextInt(3);
            int bBystanders = twoSandboxes ? 1 + rnd.nextInt(4) : 0;
            int aBystanders = rnd.nextInt(3);
            int threshold = Math.max(5, (int) (budget.get() * (0.15 + 0.45 * rnd.nextDouble())));
            plan.append("sink=").append(rec != null ? "recording" : "none").append(" limitA=").append(limitA)
                    .append(" budget=").append(budget.get()).append(" roots=").append(roots).append(" depth=").append(depth)
                    .append(" selfKills=").append(selfKills.get()).append(" virtual%=").append(virtualPercent)
                    .append(" B=").append(twoSandboxes).append(" bystanders host/A/B=").append(hostBystanders).append('/')
                    .append(aBystanders).append('/').append(bBystanders).append(" threshold=").append(threshold)
                    .append(" phases:").append(stopPhase ? " stop" : "").append(killpgPhase ? " killpg" : "")
                    .append(termPhase ? " term" : "");

            ph = new Phases();
            a = k.newSandbox("A", limitA);
            stormGroups.add(a.pid());
            if (twoSandboxes) {
                b = k.newSandbox("B", 64);
            }
            by = new Bystanders(hostBystanders + aBystanders + bBystanders + (twoSandboxes ? 1 : 0));
            by.holdLock();
            try {
                runLocked(hostBystanders, aBystanders, bBystanders, twoSandboxes, roots, depth, threshold, stopPhase,
                        killpgPhase, termPhase);
            } finally {
                by.stop();
                if (!finalKillStarted) {
                    a.signal(Signal.KILL); // best effort after a failure: leave nothing running
                }
            }
        }

        private void runLocked(int hostBystanders, int aBystanders, int bBystanders, boolean twoSandboxes, int roots,
                int depth, int threshold, boolean stopPhase, boolean killpgPhase, boolean termPhase) throws Exception {
            Wait[] waits = Wait.values();
            // Host bystanders: threads of init, never signalled.
            for (int i = 0; i < hostBystanders; i++) {
                Wait w = waits[rnd.nextInt(waits.length)];
                hostThread("host-bystander-" + w, by.body(w, "host " + w, null, () -> true, null));
            }
            // Bystanders of A: own group each, TERM ignored or handled quietly; collateral until the final kill.
            for (int i = 0; i < aBystanders; i++) {
                Wait w = waits[rnd.nextInt(waits.length)];
                boolean ignore = rnd.nextBoolean();
                Runnable before = () -> {
                    k.setpgid(0, 0);
                    bystanderPidsA.add(k.getpid());
                    k.sigaction(Signal.TERM, ignore ? SignalAction.IGNORE : SignalAction.handle(s -> { }));
                };
                LwpHandle h = a.spawn(someThread(rnd, virtualPercent, "a-bystander-" + w),
                        by.body(w, "A " + w + (ignore ? " ignoring TERM" : " handling TERM"), k, () -> !finalKillStarted, before));
                threads.add(h.thread());
            }
            // Bystanders of B, and an LWP of B that keeps forking.
            for (int i = 0; i < bBystanders; i++) {
                Wait w = waits[rnd.nextInt(waits.length)];
                spawnAll(b, someThread(rnd, virtualPercent, "b-bystander-" + w), bystanderB(w, "B " + w), pidsB);
            }
            if (twoSandboxes) {
                spawnAll(b, someThread(rnd, virtualPercent, "b-forker"), forkerB(rnd.nextLong()), pidsB);
            }
            require(by.ready.await(GENEROUS.toSeconds(), TimeUnit.SECONDS), "bystanders did not start");
            require(bystanderPidsA.size() == aBystanders, "bystanders of A did not move to their own groups");
            ph.mark("bystanders");

            // The storm.
            for (int i = 0; i < roots; i++) {
                if (budget.getAndDecrement() <= 0) {
                    break;
                }
                spawnAll(a, someThread(rnd, virtualPercent, "storm-root"), new StormLwp(rnd.nextLong(), depth, false), pidsA);
                forks.incrementAndGet();
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (forks.get() < threshold && budget.get() > 0 && System.nanoTime() - until < 0) {
                Thread.sleep(1);
            }

            ph.mark("storm");
            // Intermediate phases, while the storm still forks.
            if (stopPhase) {
                CountDownLatch go = new CountDownLatch(1);
                kill(List.of(killer(KillKind.KILLPG, Signal.STOP, go)), "stop");
                if (rnd.nextBoolean()) {
                    CountDownLatch go2 = new CountDownLatch(1);
                    kill(List.of(killer(KillKind.KILLPG, Signal.CONT, go2)), "cont");
                }
            }
            if (killpgPhase) {
                CountDownLatch go = new CountDownLatch(1);
                List<Killer> ks = new ArrayList<>();
                int n = 1 + rnd.nextInt(2);
                for (int i = 0; i < n; i++) {
                    ks.add(killer(KillKind.KILLPG, Signal.KILL, go));
                }
                kill(ks, "killpg");
                // Everything that was in a killed group ends (before anything else kills it): what
                // each killpg signalled and, with a log, every member at its signal block.
                Set<Long> members = new HashSet<>();
                for (Killer kl : ks) {
                    for (long p : kl.result.pids()) {
                        members.add(p);
                    }
                }
                if (rec != null) {
                    Log log = new Log(rec);
                    for (Killer kl : ks) {
                        members.addAll(log.checkKillpg(k, kl.thread.getId(), kl.target, new ArrayList<>()));
                    }
                }
                List<Long> left = awaitGone(k, members, GENEROUS);
                require(left.isEmpty(), "members of a KILLed group still run " + GENEROUS.toSeconds() + " s after killpg: "
                        + left);
            }
            if (termPhase) {
                CountDownLatch go = new CountDownLatch(1);
                List<Killer> ks = new ArrayList<>();
                ks.add(killer(KillKind.REAP_TERM, Signal.TERM, go));
                if (rnd.nextBoolean()) {
                    ks.add(killer(KillKind.KILLPG, Signal.KILL, go));
                }
                kill(ks, "term");
                for (long p : bystanderPidsA) {
                    require(alive(k, p), "bystander pid " + p + " of A ignores/handles TERM but is " + k.state(p)
                            + " after the TERM kill");
                }
            }

            ph.mark("phases");
            // The final kill, while the storm forks.
            CountDownLatch go = new CountDownLatch(1);
            List<Killer> ks = new ArrayList<>();
            int mode = rnd.nextInt(4);
            if (mode == 0) {
                ks.add(killer(KillKind.SANDBOX_KILL, Signal.KILL, go));
            } else if (mode == 1) {
                ks.add(killer(KillKind.REAP_KILL, Signal.KILL, go));
            } else {
                ks.add(killer(rnd.nextBoolean() ? KillKind.SANDBOX_KILL : KillKind.REAP_KILL, Signal.KILL, go));
                int n = 1 + rnd.nextInt(prof.maxKillers - 1);
                for (int i = 0; i < n; i++) {
                    switch (rnd.nextInt(6)) {
                        case 0:
                            ks.add(killer(KillKind.SANDBOX_KILL, Signal.KILL, go));
                            break;
                        case 1:
                            ks.add(killer(KillKind.REAP_KILL, Signal.KILL, go));
                            break;
                        case 2:
                        case 3:
                            ks.add(killer(KillKind.KILLPG, Signal.KILL, go));
                            break;
                        case 4:
                            ks.add(killer(KillKind.KILLPG, Signal.STOP, go));
                            break;
                        default:
                            ks.add(killer(KillKind.REAP_TERM, Signal.TERM, go));
                    }
                }
            }
            finalKillStarted = true;
            int before = killers.size();
            kill(ks, "final");
            for (int i = before; i < killers.size(); i++) {
                finalKillerThreads.add(killers.get(i).thread.getId());
            }

            ph.mark("kill");
            // Everything in A ends.
            boolean ended = a.awaitTermination(GENEROUS);
            require(ended && a.liveLwps() == 0, "sandbox A still has " + a.liveLwps() + " live LWPs "
                    + GENEROUS.toSeconds() + " s after the final KILL" + (a.liveLwps() == 0 ? " (lost wake-up in awaitTermination?)" : "")
                    + "; running: " + running(everyoneInA()));
            Set<Long> everyone = everyoneInA();
            List<Long> left = awaitGone(k, everyone, GENEROUS);
            require(left.isEmpty(), "LWPs of A not reaped after the final KILL: " + running(left));
            if (rec != null) {
                Log log = new Log(rec);
                require(log.descendants(a.pid()).containsAll(pidsA), "a forked pid has no FORK event");
                requireNone(log.forksAfterKill(), "children forked by a parent already marked KILL");
                requireNone(signalsOutsideTargets(log), "signals that reached what no kill targeted");
                stats.addLog(log);
            }

            ph.mark("ended");
            // Bystanders: no interrupt, no spurious wake-up, B untouched.
            require(by.interrupts.get() == 0 && by.spurious.get() == 0,
                    "COLLATERAL DAMAGE to bystanders during the storm: " + by.report());
            int bLwps = twoSandboxes ? b.liveLwps() : 0;
            by.stop();
            if (twoSandboxes) {
                require(b.awaitTermination(GENEROUS), "sandbox B's LWPs did not end after stop: " + b.liveLwps());
            }
            ph.mark("stop");
            List<String> stuck = joinAll(threads, GENEROUS);
            ph.mark("join");
            requireNone(stuck, "threads the trial created still alive " + GENEROUS.toSeconds() + " s after the end");
            require(by.interrupts.get() == 0 && by.spurious.get() == 0, "COLLATERAL DAMAGE to bystanders: " + by.report());
            require(by.finishedNormally.get() == by.started.get() - aBystanders, "bystanders: " + by.started.get()
                    + " started, " + by.finishedNormally.get() + " ended normally; only the " + aBystanders
                    + " of A may end by the final kill");
            requireNone(problems, "unexpected behaviour in plugin code");
            require(bStarted.get() == bEnded.get(), "sandbox B: " + bStarted.get() + " LWP bodies started but "
                    + bEnded.get() + " ended normally (B had " + bLwps + " live LWPs before stop)");

            a.close(GENEROUS);
            if (twoSandboxes) {
                b.close(GENEROUS);
            }
            require(k.lwpCount() == 1, "after closing every sandbox the kernel still has " + k.lwpCount()
                    + " LWPs (only init expected)");
            ph.mark("close");
            if (VERBOSE) {
                System.out.println("trial " + index + " " + plan + " forks=" + forks.get() + " killers=" + killers + " " + ph);
            }
        }

        /** Signals whose target no kill aimed at: reapers, init, sandbox B, bystanders of A (KILL before the final kill). */
        private List<String> signalsOutsideTargets(Log log) {
            List<String> out = new ArrayList<>();
            Set<Long> inA = log.descendants(a.pid());
            for (int i = 0; i < log.ev.size(); i++) {
                LifecycleEvent e = log.ev.get(i);
                if (e.type() != EventType.SIGNAL_SENT) {
                    continue;
                }
                if (!inA.contains(e.pid())) {
                    out.add("COLLATERAL: #" + i + " " + e + " (not an LWP of sandbox A)");
                } else if (bystanderPidsA.contains(e.pid()) && e.signal() == Signal.KILL.number()
                        && !finalKillerThreads.contains(e.threadId())) {
                    out.add("COLLATERAL: #" + i + " " + e + " (bystander of A, KILLed before the final kill)");
                }
            }
            return out;
        }

        private String running(Collection<Long> pids) {
            StringBuilder b = new StringBuilder();
            int n = 0;
            for (long p : pids) {
                if (!gone(k, p)) {
                    if (n++ == 10) {
                        b.append(" ...");
                        break;
                    }
                    b.append(' ').append(p).append('=').append(k.state(p)).append(k.isStopped(p) ? "(stopped)" : "");
                }
            }
            return b.toString();
        }
    }

    // =========================================================================================
    // Deterministic-ish killpg rounds
    // =========================================================================================

    static final class KillpgRound {
        final int index;
        final long seed;
        final Random rnd;
        final RecordingEventSink rec;
        final Kernel k;
        final Set<Long> pids = ConcurrentHashMap.newKeySet();
        final Set<Long> bystanderPids = ConcurrentHashMap.newKeySet();
        final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        final Queue<String> problems = new ConcurrentLinkedQueue<>();
        final AtomicInteger eagain = new AtomicInteger();
        volatile long pgid;
        CountDownLatch membersForking;
        volatile boolean closing;

        KillpgRound(int index, long seed) {
            this.index = index;
            this.seed = seed;
            this.rnd = new Random(seed);
            this.rec = index % 2 == 0 ? new RecordingEventSink() : null;
            this.k = new Kernel(rec != null ? rec : EventSink.NONE);
        }

        private void awaitGate(CountDownLatch gate) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                k.checkSignals();
                throw new AssertionError("member interrupted at the start gate", e);
            }
        }

        /** Every member forks as fast as it can; its children do the same, in the same group. */
        void member(boolean firstGeneration) {
            Random r = new Random(seed ^ k.getpid());
            if (firstGeneration) {
                membersForking.countDown();
            }
            try {
                while (true) {
                    k.checkSignals();
                    try {
                        LwpHandle h = k.fork(someThread(r, 30, "member"), () -> member(false));
                        pids.add(h.pid());
                        threads.add(h.thread());
                    } catch (LwpLimitException e) {
                        eagain.incrementAndGet();
                    }
                    if (r.nextInt(4) == 0) {
                        LockSupport.parkNanos(20_000 + r.nextInt(200_000));
                        Thread.interrupted();
                    }
                }
            } catch (LwpKilledError e) {
                throw e;
            } catch (Throwable t) {
                try {
                    k.checkSignals();
                } catch (LwpKilledError e) {
                    throw e;
                }
                problems.add("member pid " + k.getpid() + " threw " + stack(t));
            }
        }

        void run() throws Exception {
            int limit = 60 + rnd.nextInt(300);
            int members = 3 + rnd.nextInt(10);
            int threshold = members + rnd.nextInt(Math.max(1, limit * 2 / 3 - members));
            String plan = "sink=" + (rec != null ? "recording" : "none") + " limit=" + limit + " members=" + members
                    + " threshold=" + threshold;
            Phases ph = new Phases();
            int killed;
            Sandbox sb = k.newSandbox("pg", limit);
            Wait[] waits = Wait.values();
            int nBystanderLwps = 3;
            Bystanders by = new Bystanders(nBystanderLwps + 1);
            by.holdLock();
            try {
                // Bystanders: LWPs of the same sandbox in its own group, and one host thread.
                for (int i = 0; i < nBystanderLwps; i++) {
                    Wait w = waits[(i + index) % waits.length];
                    LwpHandle h = sb.spawn(someThread(rnd, 30, "pg-bystander"),
                            by.body(w, "same-sandbox " + w, k, () -> !closing, null));
                    bystanderPids.add(h.pid());
                    threads.add(h.thread());
                }
                Wait hw = waits[rnd.nextInt(waits.length)];
                Thread host = new Thread(by.body(hw, "host " + hw, null, () -> true, null), "pg-host-bystander");
                host.setDaemon(true);
                threads.add(host);
                host.start();
                check(by.ready.await(GENEROUS.toSeconds(), TimeUnit.SECONDS), "bystanders did not start");
                ph.mark("bystanders");

                // The group: a leader that makes it, and forks the members.
                membersForking = new CountDownLatch(members);
                CountDownLatch grouped = new CountDownLatch(1);
                CountDownLatch gate = new CountDownLatch(1);
                LwpHandle leader = sb.spawn(platform("pg-leader"), () -> {
                    k.setpgid(0, 0);
                    pgid = k.getpid();
                    grouped.countDown();
                    for (int i = 1; i < members; i++) {
                        LwpHandle h = k.fork(someThread(new Random(seed + i), 30, "member"), () -> {
                            awaitGate(gate);
                            member(true);
                        });
                        pids.add(h.pid());
                        threads.add(h.thread());
                    }
                    gate.countDown(); // every member starts forking at once
                    member(true);
                });
                pids.add(leader.pid());
                threads.add(leader.thread());
                check(grouped.await(GENEROUS.toSeconds(), TimeUnit.SECONDS), "leader did not make its group");
                check(membersForking.await(GENEROUS.toSeconds(), TimeUnit.SECONDS), "members did not start forking");
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (pids.size() < threshold && eagain.get() == 0 && System.nanoTime() - until < 0) {
                    Thread.yield();
                }

                ph.mark("storm");
                // killpg while every member forks.
                Killer kl = new Killer(KillKind.KILLPG, Signal.KILL, pgid, () -> k.killpg(pgid, Signal.KILL),
                        new CountDownLatch(1));
                // On the driver itself, which is running already: the kill lands while they fork.
                kl.thread = Thread.currentThread();
                kl.go.countDown();
                kl.run();
                if (kl.error != null) {
                    throw new AssertionError(plan + ": killpg failed: " + stack(kl.error));
                }
                check(!kl.esrch && kl.result.killed() > 0, plan + ": killpg signalled nothing: " + kl);

                ph.mark("killpg");
                // Exact, right after it returned: every LWP of the group that is still alive has the signal.
                List<String> found = new ArrayList<>();
                Set<Long> got = new HashSet<>();
                for (long p : kl.result.pids()) {
                    got.add(p);
                }
                for (long p : got) {
                    if (bystanderPids.contains(p)) {
                        found.add("COLLATERAL: killpg " + pgid + " signalled bystander pid " + p + " of another group");
                    }
                }
                for (long p : new ArrayList<>(pids)) {
                    if (!got.contains(p) && alive(k, p)) {
                        found.add("ESCAPE: pid " + p + " of group " + pgid + " is " + k.state(p)
                                + " after killpg returned without signalling it");
                    }
                }
                if (rec != null) {
                    Log log = new Log(rec);
                    log.checkKillpg(k, kl.thread.getId(), pgid, found);
                    found.addAll(log.forksAfterKill());
                }
                if (!found.isEmpty()) {
                    throw new AssertionError(plan + ": " + found.size() + " violations right after killpg:\n  "
                            + String.join("\n  ", found.subList(0, Math.min(8, found.size()))));
                }

                ph.mark("checks");
                // Eventually: the group is gone, the bystanders are untouched and still run.
                List<Long> left = awaitGone(k, new ArrayList<>(pids), GENEROUS);
                check(left.isEmpty(), plan + ": members still running " + GENEROUS.toSeconds() + " s after killpg: " + left);
                long deadline = System.nanoTime() + GENEROUS.toNanos();
                while (sb.liveLwps() != nBystanderLwps && System.nanoTime() - deadline < 0) {
                    Thread.sleep(2);
                }
                check(sb.liveLwps() == nBystanderLwps, plan + ": sandbox has " + sb.liveLwps()
                        + " live LWPs after the group died; expected only the " + nBystanderLwps + " bystanders");
                for (long p : bystanderPids) {
                    check(alive(k, p), plan + ": bystander pid " + p + " (another group) is " + k.state(p));
                }
                check(by.interrupts.get() == 0 && by.spurious.get() == 0, plan + ": COLLATERAL DAMAGE: " + by.report());
                check(problems.isEmpty(), plan + ": unexpected behaviour in plugin code: " + problems);
                ph.mark("gone");
                killed = kl.result.killed();
            } finally {
                closing = true;
                by.stop();
            }
            check(sb.awaitTermination(GENEROUS), plan + ": bystanders did not end after stop");
            ph.mark("stop");
            List<String> stuck = joinAll(threads, GENEROUS);
            ph.mark("join");
            check(stuck.isEmpty(), plan + ": threads still alive: " + stuck);
            check(by.interrupts.get() == 0 && by.spurious.get() == 0, plan + ": COLLATERAL DAMAGE: " + by.report());
            check(by.finishedNormally.get() == by.started.get(), plan + ": bystanders: " + by.started.get() + " started, "
                    + by.finishedNormally.get() + " ended normally (one was killed?)");
            sb.close(GENEROUS);
            check(k.lwpCount() == 1, plan + ": " + k.lwpCount() + " LWPs left after close; only init expected");
            if (VERBOSE) {
                System.out.println("round " + index + " " + plan + " lwps=" + pids.size() + " killed=" + killed + " " + ph);
            }
        }
    }
}
