package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.run;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.LwpInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Who owns a pool's workers, and what a plugin's kill does to the pool:
 * <ol type="a">
 *   <li>a pool the host created, whose workers a plugin's submissions start, stays the host's: the
 *       workers are host threads, are not interrupted by the plugin's kill (not even while they run
 *       the plugin's task) and run the host's tasks afterwards;</li>
 *   <li>a pool a plugin created is a child LWP of the plugin whose threads are its workers; it dies
 *       with the plugin: after the kill it is shut down, a host submission gets the pool's own
 *       {@code RejectedExecutionException}, its workers end (also a pool that never started one);</li>
 *   <li>a pool whose creating thread exited before the pool started its first worker still owns its
 *       workers (whoever submits, an LWP or the host), and is reparented to the sandbox's reaper;</li>
 *   <li>(b) for {@code ScheduledThreadPoolExecutor} and {@code ForkJoinPool} (its JDK 25 delay
 *       scheduler included);</li>
 *   <li>the common pool is untouched by a plugin's kill.</li>
 * </ol>
 */
public final class PoolOwnership {
    static final Kernel K = Kernel.global();
    static final RecordingEventSink EVENTS = new RecordingEventSink();
    static final Duration LONG = Duration.ofSeconds(30);

    /** What a task saw. */
    record Seen(long pid, long ppid, Thread thread) {
        @Override
        public String toString() {
            return "pid " + pid + " ppid " + ppid + " on \"" + thread.getName() + "\"";
        }
    }

    static Seen look() {
        return new Seen(K.getpid(), K.getppid(), Thread.currentThread());
    }

    public static void main(String[] args) throws Exception {
        K.setEventSink(EVENTS);
        run("(a) host pools used by a plugin", PoolOwnership::hostPoolsUsedByPlugin);
        run("(b, d) plugin pools die with the plugin", PoolOwnership::pluginPoolsDieWithPlugin);
        run("(b) idle pools left behind by plugins", PoolOwnership::idlePoolsLeftBehind);
        run("(c) a pool whose creator exited", PoolOwnership::poolOfExitedCreator);
        run("(e) common pool untouched", PoolOwnership::commonPoolUntouched);
        Checks.done();
    }

    // ===================================================================================
    // (a)
    // ===================================================================================

    static void hostPoolsUsedByPlugin() throws Exception {
        Map<String, ExecutorService> pools = new LinkedHashMap<>();
        pools.put("host fixed pool", Executors.newFixedThreadPool(3));
        pools.put("host cached pool", Executors.newCachedThreadPool());
        pools.put("host ForkJoinPool", new ForkJoinPool(3));
        for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
            check("(a) " + e.getKey() + " has no worker before the plugin uses it", poolSize(e.getValue()) == 0,
                    e.getValue());
        }
        Map<String, List<Seen>> seen = new ConcurrentHashMap<>();
        CountDownLatch release = new CountDownLatch(1);
        Map<String, Blocked> blocked = new ConcurrentHashMap<>();

        Sandbox sb = K.newSandbox("host pools", 1000);
        Plugin plugin = Plugin.spawn(sb, () -> {
            for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
                seen.put(e.getKey(), together(e.getValue(), 3));
                blocked.put(e.getKey(), Blocked.submit(e.getValue(), release));
            }
            for (Blocked b : blocked.values()) {
                Checks.must(b.started.await(30, TimeUnit.SECONDS), "a plugin task that blocks never started");
            }
        });
        checkOnlyPluginLwps("(a)", sb, 1);
        for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
            String name = e.getKey();
            List<Seen> s = seen.getOrDefault(name, List.of());
            check("(a) " + name + ": the plugin's submissions started workers", poolSize(e.getValue()) >= 3
                    && threads(s).size() == 3, poolSize(e.getValue()) + " workers; tasks " + s);
            check("(a) " + name + ": the workers the plugin started are host threads (pid 1 in the plugin's tasks)",
                    !s.isEmpty() && s.stream().allMatch(x -> x.pid() == 1), s);
        }

        plugin.kill();
        release.countDown();
        for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
            String name = e.getKey();
            ExecutorService pool = e.getValue();
            Set<Thread> workers = threads(seen.getOrDefault(name, List.of()));
            Blocked b = blocked.get(name);
            check("(a) " + name + ": the worker running the plugin's task during the kill was not interrupted",
                    b.done.await(30, TimeUnit.SECONDS) && !b.interrupted.get(), b);
            check("(a) " + name + ": not shut down by the plugin's kill", !pool.isShutdown(), pool);
            check("(a) " + name + ": the workers the plugin started survived the kill", !workers.isEmpty()
                    && workers.stream().allMatch(Thread::isAlive), workers);
            List<Seen> after = together(pool, 3);
            check("(a) " + name + ": host tasks run after the kill, as the host", after.size() == 3
                    && after.stream().allMatch(x -> x.pid() == 1), after);
            if (pool instanceof ThreadPoolExecutor tpe && tpe.getCorePoolSize() == 3) {
                check("(a) " + name + ": the host's tasks run on the very workers the plugin started",
                        workers.containsAll(threads(after)) && tpe.getPoolSize() == 3, after + " vs " + workers);
            }
            pool.shutdown();
        }
        plugin.close();
    }

    // ===================================================================================
    // (b), (d)
    // ===================================================================================

    static void pluginPoolsDieWithPlugin() throws Exception {
        Map<String, ExecutorService> pools = new ConcurrentHashMap<>();
        Map<String, List<Seen>> seen = new ConcurrentHashMap<>();
        AtomicInteger ticks = new AtomicInteger();
        AtomicReference<Seen> scheduledByFjp = new AtomicReference<>();
        List<String> names = List.of("fixed pool", "cached pool", "ScheduledThreadPoolExecutor", "ForkJoinPool");

        Sandbox sb = K.newSandbox("plugin pools", 1000);
        Plugin plugin = Plugin.spawn(sb, () -> {
            pools.put("fixed pool", Executors.newFixedThreadPool(2));
            pools.put("cached pool", Executors.newCachedThreadPool());
            ScheduledExecutorService stpe = Executors.newScheduledThreadPool(2);
            pools.put("ScheduledThreadPoolExecutor", stpe);
            ForkJoinPool fjp = new ForkJoinPool(2);
            pools.put("ForkJoinPool", fjp);
            pools.put("idle pool", Executors.newFixedThreadPool(2)); // never starts a worker
            for (String n : names) {
                seen.put(n, together(pools.get(n), 2));
            }
            stpe.scheduleAtFixedRate(ticks::incrementAndGet, 0, 5, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ticks.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Checks.must(ticks.get() >= 3, "the plugin's periodic task did not run");
            if (Checks.feature() >= 25) {
                // ForkJoinPool is a ScheduledExecutorService since JDK 25; its delay scheduler starts now.
                CountDownLatch l = new CountDownLatch(1);
                ((ScheduledExecutorService) (Object) fjp).schedule(() -> {
                    scheduledByFjp.set(look());
                    l.countDown();
                }, 1, TimeUnit.MILLISECONDS);
                Checks.must(l.await(30, TimeUnit.SECONDS), "the plugin's ForkJoinPool.schedule task never ran");
            }
        });
        long me = plugin.pid.get();
        List<LwpInfo> ps = K.ps();
        Set<Long> poolPids = new HashSet<>();
        for (String n : names) {
            List<Seen> s = seen.getOrDefault(n, List.of());
            long pid = s.isEmpty() ? -1 : s.get(0).pid();
            poolPids.add(pid);
            check("(b) plugin's " + n + ": its workers run in one pool LWP, a child of the plugin", s.size() == 2
                    && pid > me && s.stream().allMatch(x -> x.pid() == pid && x.ppid() == me), s);
            LwpInfo row = ps.stream().filter(i -> i.pid() == pid).findFirst().orElse(null);
            check("(b) plugin's " + n + ": ps shows the pool LWP with its workers as threads", row != null
                    && row.ppid() == me && row.threads() == threads(s).size(), row);
        }
        check("(b) each plugin pool is an LWP of its own", poolPids.size() == names.size(), poolPids);
        List<LwpInfo> idle = ps.stream().filter(i -> i.ppid() == me && i.threads() == 0).toList();
        check("(b) the plugin's idle pool is a thread-less child LWP of the plugin", idle.size() == 1, ps);
        if (Checks.feature() >= 25) {
            Seen s = scheduledByFjp.get();
            long fjpPid = seen.getOrDefault("ForkJoinPool", List.of(new Seen(-1, -1, Thread.currentThread()))).get(0).pid();
            check("(d) plugin's ForkJoinPool.schedule task runs in the pool's LWP", s != null && s.pid() == fjpPid, s);
        }
        Set<Thread> delaySchedulers = Checks.feature() >= 25 ? delaySchedulersOf(seen.get("ForkJoinPool")) : Set.of();
        if (Checks.feature() >= 25) {
            check("(d) plugin's ForkJoinPool started its delay scheduler", delaySchedulers.size() == 1,
                    Thread.getAllStackTraces().keySet());
        }

        plugin.kill();
        for (String n : new ArrayList<>(pools.keySet())) {
            ExecutorService pool = pools.get(n);
            check("(b) plugin's " + n + ": shut down once the sandbox terminated", pool.isShutdown(), pool);
            Throwable rejected = submitFromHost(pool);
            check("(b) plugin's " + n + ": a host submission after the kill gets the pool's own "
                    + "RejectedExecutionException", rejected != null && rejected.getClass() == RejectedExecutionException.class
                    && rejected.getStackTrace().length > 0
                    && rejected.getStackTrace()[0].getClassName().startsWith("java.util.concurrent."),
                    rejected == null ? "the task was accepted" : Checks.stackOf(rejected));
            Set<Thread> workers = threads(seen.getOrDefault(n, List.of()));
            for (Thread w : workers) {
                w.join(LONG.toMillis());
            }
            check("(b) plugin's " + n + ": its workers ended", workers.stream().noneMatch(Thread::isAlive), workers);
            check("(b) plugin's " + n + ": terminated", pool.awaitTermination(30, TimeUnit.SECONDS), pool);
        }
        int t = ticks.get();
        Thread.sleep(50);
        check("(d) plugin's periodic task does not run after the kill (its workers are gone)", ticks.get() == t,
                t + " then " + ticks.get());
        if (Checks.feature() >= 25) {
            for (Thread d : delaySchedulers) {
                d.join(LONG.toMillis());
            }
            check("(d) plugin's ForkJoinPool's delay scheduler ended with the pool", !delaySchedulers.isEmpty()
                    && delaySchedulers.stream().noneMatch(Thread::isAlive), delaySchedulers);
        }
        plugin.close();
    }

    /**
     * A plugin that created a pool and ended before using it leaves only the pool's thread-less
     * LWP in its sandbox. When the kill's wait returns, that pool must already refuse work: were it
     * merely marked, a host submission would give it a new worker, a host thread, as the pool LWP
     * is gone. Repeated, because the window this closes was a race with the pool-shutdown thread.
     */
    static void idlePoolsLeftBehind() throws Exception {
        int rounds = 20;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            int round = i;
            Sandbox sb = K.newSandbox("idle pool " + i, 100);
            AtomicReference<ExecutorService> pool = new AtomicReference<>();
            CountDownLatch created = new CountDownLatch(1);
            sb.spawn(() -> {
                pool.set(round % 2 == 0 ? Executors.newFixedThreadPool(1) : new ForkJoinPool(1));
                created.countDown();
            });
            Checks.must(created.await(30, TimeUnit.SECONDS), "the plugin never created its pool");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sb.liveLwps() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(1); // until the plugin's own LWP has exited: only the pool's is left
            }
            List<LwpInfo> rows = K.ps().stream().filter(r -> sb.name().equals(r.sandbox()) && !r.reaper()).toList();
            boolean alone = rows.size() == 1 && rows.get(0).ppid() == sb.pid() && rows.get(0).threads() == 0;
            sb.kill();
            boolean terminated = sb.awaitTermination(LONG);
            boolean shut = pool.get().isShutdown();
            Throwable rejected = submitFromHost(pool.get());
            if (!alone || !terminated || !shut || rejected == null || rejected.getClass() != RejectedExecutionException.class) {
                wrong.add("round " + i + ": alone " + alone + " " + rows + ", terminated " + terminated + ", shut down "
                        + shut + ", host submission " + (rejected == null ? "accepted" : rejected));
            }
            pool.get().shutdownNow();
            if (terminated) {
                sb.close();
            }
        }
        check("(b) " + rounds + " idle pools left behind by their plugins were shut down when the kill's wait "
                + "returned, and rejected a host submission", wrong.isEmpty(), wrong);
    }

    /** The delay scheduler thread of the ForkJoinPool whose workers ran {@code seen}. */
    static Set<Thread> delaySchedulersOf(List<Seen> seen) {
        if (seen == null || seen.isEmpty()) {
            return Set.of();
        }
        String w = seen.get(0).thread().getName();
        int i = w.indexOf("-worker-");
        String name = (i < 0 ? w : w.substring(0, i)) + "-delayScheduler";
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .collect(Collectors.toSet());
    }

    // ===================================================================================
    // (c)
    // ===================================================================================

    static void poolOfExitedCreator() throws Exception {
        AtomicLong creatorPid = new AtomicLong();
        Map<String, ExecutorService> pools = new LinkedHashMap<>();
        Map<String, Long> poolPids = new ConcurrentHashMap<>();
        Map<String, Long> ppidWhileCreatorLived = new ConcurrentHashMap<>();
        Map<String, Seen> byPlugin = new ConcurrentHashMap<>();
        AtomicReference<LwpInfo> creatorAfterExit = new AtomicReference<>();

        Sandbox sb = K.newSandbox("exited creator", 1000);
        Plugin plugin = Plugin.spawn(sb, () -> {
            Thread creator = new Thread(() -> {
                long c = K.getpid();
                creatorPid.set(c);
                pools.put("fixed pool", Executors.newFixedThreadPool(2));
                pools.put("ForkJoinPool", new ForkJoinPool(2));
                List<LwpInfo> children = K.ps().stream().filter(i -> i.ppid() == c && i.threads() == 0).toList();
                if (children.size() == 2) { // pids in creation order
                    poolPids.put("fixed pool", children.get(0).pid());
                    poolPids.put("ForkJoinPool", children.get(1).pid());
                    ppidWhileCreatorLived.put("fixed pool", children.get(0).ppid());
                    ppidWhileCreatorLived.put("ForkJoinPool", children.get(1).ppid());
                }
            }, "pool creator");
            creator.start();
            creator.join(); // the creator's LWP exited: its thread-less pools went to the reaper
            creatorAfterExit.set(K.ps().stream().filter(i -> i.pid() == creatorPid.get()).findFirst().orElse(null));
            for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
                byPlugin.put(e.getKey(), once(e.getValue()));
            }
        });
        long me = plugin.pid.get();
        check("(c) the creator was a child LWP of the plugin, and has exited", creatorPid.get() > me
                && creatorAfterExit.get() == null, creatorPid + " " + creatorAfterExit);
        for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
            String n = e.getKey();
            long poolPid = poolPids.getOrDefault(n, -1L);
            check("(c) " + n + ": while its creator lived, a thread-less child LWP of the creator",
                    poolPid > creatorPid.get() && ppidWhileCreatorLived.getOrDefault(n, -1L) == creatorPid.get(),
                    poolPids + " " + ppidWhileCreatorLived);
            Seen p = byPlugin.get(n);
            check("(c) " + n + ": a worker another LWP's submission started runs in the pool LWP, "
                    + "now a child of the reaper", p != null && p.pid() == poolPid && p.ppid() == sb.pid(), p);
            Seen h = once(e.getValue());
            check("(c) " + n + ": a worker the host's submission started runs in the pool LWP too",
                    h.pid() == poolPid && h.ppid() == sb.pid() && (p == null || h.thread() != p.thread()
                            || e.getValue() instanceof ForkJoinPool), h + " vs " + p);
        }
        plugin.kill();
        for (Map.Entry<String, ExecutorService> e : pools.entrySet()) {
            check("(c) " + e.getKey() + ": shut down with the sandbox", e.getValue().isShutdown()
                    && e.getValue().awaitTermination(30, TimeUnit.SECONDS), e.getValue());
        }
        plugin.close();
    }

    // ===================================================================================
    // (e)
    // ===================================================================================

    static void commonPoolUntouched() throws Exception {
        ForkJoinPool common = ForkJoinPool.commonPool();
        int parallelism = common.getParallelism();
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Blocked> blocked = new AtomicReference<>();
        List<Long> streamPids = Collections.synchronizedList(new ArrayList<>());
        Sandbox sb = K.newSandbox("common pool", 1000);
        Plugin plugin = Plugin.spawn(sb, () -> {
            IntStream.range(0, 64).parallel().forEach(i -> streamPids.add(K.getpid()));
            Blocked b = Blocked.submit(common, release);
            blocked.set(b);
            Checks.must(b.started.await(30, TimeUnit.SECONDS), "the plugin's common-pool task never started");
        });
        long me = plugin.pid.get();
        check("(e) the plugin's parallel stream ran on the plugin and on host (common-pool) threads",
                streamPids.size() == 64 && streamPids.stream().allMatch(p -> p == 1 || p == me), streamPids);
        checkOnlyPluginLwps("(e)", sb, 1);
        plugin.kill();
        release.countDown();
        Blocked b = blocked.get();
        check("(e) the common-pool worker running the plugin's task during the kill was not interrupted",
                b != null && b.done.await(30, TimeUnit.SECONDS) && !b.interrupted.get() && b.seen.get().pid() == 1, b);
        check("(e) the common pool is not shut down", !common.isShutdown() && !common.isTerminating()
                && common.getParallelism() == parallelism, common);
        check("(e) that worker survived the kill", b != null && b.seen.get() != null
                && b.seen.get().thread().isAlive(), b);
        List<Seen> after = together(common, parallelism);
        check("(e) host tasks run on the common pool after the kill, as the host", after.size() == parallelism
                && after.stream().allMatch(x -> x.pid() == 1), after);
        plugin.close();
    }

    // ===================================================================================
    // Helpers
    // ===================================================================================

    interface Body {
        void run() throws Throwable;
    }

    /** A plugin LWP that runs a body and then sleeps until it is killed. */
    static final class Plugin {
        final Sandbox sb;
        final AtomicLong pid = new AtomicLong();
        final AtomicReference<Thread> thread = new AtomicReference<>();

        private Plugin(Sandbox sb) {
            this.sb = sb;
        }

        static Plugin spawn(Sandbox sb, Body body) throws InterruptedException {
            Plugin p = new Plugin(sb);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(1);
            sb.spawn(() -> {
                p.pid.set(K.getpid());
                p.thread.set(Thread.currentThread());
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
                ready.countDown();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    // killed
                }
            });
            boolean done = ready.await(60, TimeUnit.SECONDS);
            check(sb.name() + ": the plugin did its part", done && failure.get() == null && p.pid.get() > sb.pid(),
                    done ? Checks.stackOf(failure.get()) : "timed out");
            return p;
        }

        /** Kills the sandbox, waits for it, checks that none of its LWPs is left. */
        void kill() throws InterruptedException {
            sb.kill();
            check(sb.name() + ": the sandbox terminated after the kill", sb.awaitTermination(LONG), K.ps());
            List<LwpInfo> left = K.ps().stream().filter(i -> sb.name().equals(i.sandbox()) && !i.reaper()).toList();
            check(sb.name() + ": no LWP of the sandbox remains after the kill", left.isEmpty(), left);
        }

        /** Closes the sandbox if the kill emptied it (else close would throw; the failure is reported). */
        void close() throws InterruptedException {
            if (sb.liveLwps() == 0) {
                sb.close();
            }
        }
    }

    /** A task that blocks until the host releases it, and notes an interrupt. */
    static final class Blocked {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicReference<Seen> seen = new AtomicReference<>();

        static Blocked submit(ExecutorService pool, CountDownLatch release) {
            Blocked b = new Blocked();
            pool.execute(() -> {
                b.seen.set(look());
                b.started.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("never released");
                    }
                } catch (InterruptedException e) {
                    b.interrupted.set(true);
                } finally {
                    b.done.countDown();
                }
            });
            return b;
        }

        @Override
        public String toString() {
            return "task " + seen.get() + (interrupted.get() ? " INTERRUPTED" : "") + (done.getCount() == 0 ? " done" : "");
        }
    }

    /**
     * Runs n tasks on {@code pool} that all wait for each other, so the pool needs n workers at
     * once; returns what each saw (fewer if they never all met).
     */
    static List<Seen> together(ExecutorService pool, int n) throws InterruptedException {
        List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch met = new CountDownLatch(n);
        CountDownLatch finished = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            pool.execute(() -> {
                seen.add(look());
                met.countDown();
                try {
                    met.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    finished.countDown();
                }
            });
        }
        finished.await(30, TimeUnit.SECONDS);
        return new ArrayList<>(seen);
    }

    /** One task: what it saw. */
    static Seen once(ExecutorService pool) throws Exception {
        AtomicReference<Seen> s = new AtomicReference<>();
        CountDownLatch l = new CountDownLatch(1);
        pool.execute(() -> {
            s.set(look());
            l.countDown();
        });
        Checks.must(l.await(30, TimeUnit.SECONDS), "the task never ran");
        return s.get();
    }

    static Throwable submitFromHost(ExecutorService pool) {
        try {
            pool.execute(() -> { });
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    static Set<Thread> threads(List<Seen> seen) {
        return seen.stream().map(Seen::thread).collect(Collectors.toSet());
    }

    static int poolSize(ExecutorService pool) {
        return pool instanceof ThreadPoolExecutor t ? t.getPoolSize() : ((ForkJoinPool) pool).getPoolSize();
    }

    /** While the plugin runs: the sandbox forked only {@code lwps} LWPs and added no thread to any. */
    static void checkOnlyPluginLwps(String tag, Sandbox sb, int lwps) {
        List<LifecycleEvent> forks = EVENTS.events(e -> e.sid() == sb.pid() && e.pid() != sb.pid()
                && e.type() == EventType.FORK);
        List<LifecycleEvent> adds = EVENTS.events(e -> e.sid() == sb.pid() && e.type() == EventType.THREAD_ADD);
        check(tag + " the sandbox has only the plugin's own LWP: no worker of a host pool joined one",
                forks.size() == lwps && adds.isEmpty(), forks + " " + adds + "; ps " + K.ps());
    }



    private PoolOwnership() {
    }
}
