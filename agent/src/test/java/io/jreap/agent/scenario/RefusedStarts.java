package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.equal;
import static io.jreap.agent.scenario.Checks.run;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpLimitException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A start is a transaction: a start the JDK refuses (a thread started twice, a thread factory
 * that throws) leaves no LWP behind; a start jreap refuses (the starter was killed, the sandbox is
 * at its limit) throws in the starter and the new thread never runs.
 */
public final class RefusedStarts {
    private RefusedStarts() {
    }

    static final Kernel K = Kernel.global();
    static final RecordingEventSink EVENTS = new RecordingEventSink();

    public static void main(String[] args) throws Exception {
        K.setEventSink(EVENTS);
        inPlugin("JDK refusals", RefusedStarts::jdkRefusals);
        killedStarter();
        inPlugin("LWP limit", RefusedStarts::atTheLimit);
        Checks.done();
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} in the first LWP of a new sandbox (limit 3: the plugin and two more). */
    static void inPlugin(String name, Body body) throws Exception {
        Sandbox sb = K.newSandbox(name, name.equals("LWP limit") ? 2 : 100);
        CountDownLatch done = new CountDownLatch(1);
        sb.spawn(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                check(name, false, e);
            } finally {
                done.countDown();
            }
        });
        check(name + ": finished", done.await(60, TimeUnit.SECONDS), "timed out");
        sb.close();
    }

    static int lwps() {
        return K.ps().size();
    }

    static int count(EventType t) {
        return EVENTS.events(t).size();
    }

    static void jdkRefusals() throws Exception {
        run("a platform thread started again after it ended", () -> {
            AtomicInteger runs = new AtomicInteger();
            Thread t = new Thread(runs::incrementAndGet, "twice");
            t.start();
            t.join();
            startedTwice("platform, after it ended", t, true);
            equal("platform, after it ended: it ran once", 1, runs.get());
        });
        run("a platform thread started again while it runs", () -> {
            CountDownLatch release = new CountDownLatch(1);
            Thread t = new Thread(() -> await(release), "twice-running");
            t.start();
            startedTwice("platform, while it runs", t, false);
            release.countDown();
            t.join();
        });
        if (Jdk21.available()) {
            run("a virtual thread started again after it ended", () -> {
                AtomicInteger runs = new AtomicInteger();
                Thread t = Jdk21.builderUnstarted(Jdk21.ofVirtual(), runs::incrementAndGet);
                t.start();
                t.join();
                startedTwice("virtual, after it ended", t, true);
                equal("virtual, after it ended: it ran once", 1, runs.get());
            });
            run("a virtual thread started again while it runs", () -> {
                CountDownLatch release = new CountDownLatch(1);
                Thread t = Jdk21.startVirtualThread(() -> await(release));
                startedTwice("virtual, while it runs", t, false);
                release.countDown();
                t.join();
            });
            run("a thread-per-task executor whose factory throws", () -> {
                int before = lwps();
                ExecutorService ex = Jdk21.newThreadPerTaskExecutor(r -> {
                    throw new IllegalStateException("factory refused");
                });
                threw("thread-per-task factory throws", () -> ex.execute(() -> { }), IllegalStateException.class,
                        "factory refused");
                ex.shutdown();
                equal("thread-per-task factory throws: no LWP left", before, lwps());
            });
        } else {
            Checks.skip("virtual threads started twice, thread-per-task executors", "JDK " + Checks.feature());
        }
        run("a ThreadPoolExecutor whose factory throws", () -> {
            int before = lwps();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        throw new IllegalStateException("factory refused");
                    });
            equal("pool factory throws: the pool is one LWP", before + 1, lwps());
            threw("pool factory throws", () -> pool.execute(() -> { }), IllegalStateException.class, "factory refused");
            equal("pool factory throws: still only the pool's LWP", before + 1, lwps());
            pool.shutdown();
            check("pool factory throws: terminated", pool.awaitTermination(10, TimeUnit.SECONDS), pool);
            equal("pool factory throws: no LWP left after shutdown", before, lwps());
        });
        run("a ThreadPoolExecutor whose factory returns a started thread", () -> {
            int before = lwps();
            CountDownLatch release = new CountDownLatch(1);
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(() -> await(release), "started-by-factory");
                        t.start();
                        return t;
                    });
            threw("pool factory returns a started thread", () -> pool.execute(() -> { }),
                    IllegalThreadStateException.class, null);
            release.countDown();
            pool.shutdown();
            check("started thread: terminated", pool.awaitTermination(10, TimeUnit.SECONDS), pool);
            awaitLwps("started thread: no LWP left after shutdown", before);
        });
        run("a ForkJoinPool whose factory throws", () -> {
            int before = lwps();
            ForkJoinPool pool = new ForkJoinPool(1, p -> {
                throw new IllegalStateException("factory refused");
            }, null, false);
            threw("fork/join factory throws", () -> pool.execute(() -> { }), IllegalStateException.class,
                    "factory refused");
            equal("fork/join factory throws: still only the pool's LWP", before + 1, lwps());
            pool.shutdownNow();
            if (pool.awaitTermination(10, TimeUnit.SECONDS)) {
                equal("fork/join factory throws: no LWP left after shutdownNow", before, lwps());
            } else {
                // JDK 17's ForkJoinPool counts the worker it failed to create and never terminates
                // (with or without the agent); its LWP ends with the sandbox.
                check("fork/join factory throws: not terminated only on JDK 17", Checks.feature() == 17, pool);
                equal("fork/join factory throws: the never-terminated pool keeps its one LWP", before + 1, lwps());
            }
        });
        run("a pool shut down without ever running a task", () -> {
            int before = lwps();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            equal("unused pool: one LWP", before + 1, lwps());
            pool.shutdown();
            equal("unused pool: no LWP left after shutdown", before, lwps());
        });
    }

    /** Starts {@code t} again: the JDK refuses; no LWP is left, and a FORK_FAILED only if one was linked. */
    static void startedTwice(String name, Thread t, boolean ended) {
        int before = lwps();
        int forks = count(EventType.FORK);
        int failed = count(EventType.FORK_FAILED);
        threw(name, t::start, IllegalThreadStateException.class, null);
        equal(name + ": LWP count unchanged", before, lwps());
        if (ended) {
            // jreap linked a child before the JDK refused: the transaction unlinked it again.
            List<LifecycleEvent> f = EVENTS.events(EventType.FORK_FAILED);
            check(name + ": one FORK after the refusal's FORK_FAILED", count(EventType.FORK) == forks + 1
                    && f.size() == failed + 1 && f.get(f.size() - 1).detail().contains("IllegalThreadStateException"), f);
        } else {
            check(name + ": nothing linked (the thread is already an LWP)", count(EventType.FORK) == forks
                    && count(EventType.FORK_FAILED) == failed, EVENTS.events(EventType.FORK_FAILED));
        }
    }

    static void threw(String name, Runnable r, Class<? extends Throwable> type, String message) {
        try {
            r.run();
            check(name + ": threw " + type.getSimpleName(), false, "nothing thrown");
        } catch (Throwable e) {
            check(name + ": threw " + type.getSimpleName(), type.isInstance(e)
                    && (message == null || message.equals(e.getMessage())), e);
        }
    }

    static void awaitLwps(String name, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lwps() != expected && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        equal(name, expected, lwps());
    }

    static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A plugin thread that survives its kill's interrupt and then tries to start threads. */
    static void killedStarter() throws Exception {
        Sandbox sb = K.newSandbox("killed", 100);
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch tried = new CountDownLatch(1);
        AtomicBoolean platformRan = new AtomicBoolean();
        AtomicBoolean virtualRan = new AtomicBoolean();
        AtomicBoolean poolTaskRan = new AtomicBoolean();
        AtomicReference<Throwable> platform = new AtomicReference<>();
        AtomicReference<Throwable> virtual = new AtomicReference<>();
        AtomicReference<Throwable> pool = new AtomicReference<>();
        AtomicReference<Long> pid = new AtomicReference<>();
        sb.spawn(() -> {
            pid.set(K.getpid());
            ready.countDown();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                // The kill's interrupt, caught: this thread goes on (it reaches no check point).
            }
            try {
                new Thread(() -> platformRan.set(true), "after-kill").start();
            } catch (Throwable e) {
                platform.set(e);
            }
            if (Jdk21.available()) {
                try {
                    Jdk21.startVirtualThread(() -> virtualRan.set(true));
                } catch (Throwable e) {
                    virtual.set(e);
                }
            }
            try {
                Executors.newFixedThreadPool(1).execute(() -> poolTaskRan.set(true));
            } catch (Throwable e) {
                pool.set(e);
            }
            tried.countDown();
        });
        ready.await();
        sb.kill();
        check("killed starter: tried its starts", tried.await(30, TimeUnit.SECONDS), "timed out");
        check("killed starter: the sandbox terminated", sb.awaitTermination(Duration.ofSeconds(30)), K.ps());
        Thread.sleep(200);
        String kill = "LWP " + pid.get() + " was terminated by SIGKILL";
        check("killed starter: Thread.start threw LwpKilledError naming the thread and the kill",
                platform.get() instanceof LwpKilledError && platform.get().getMessage().contains("\"after-kill\"")
                        && platform.get().getMessage().startsWith(kill), platform.get());
        check("killed starter: the platform thread never ran", !platformRan.get(), "it ran");
        if (Jdk21.available()) {
            check("killed starter: a virtual start threw LwpKilledError", virtual.get() instanceof LwpKilledError
                    && virtual.get().getMessage().startsWith(kill), virtual.get());
            check("killed starter: the virtual thread never ran", !virtualRan.get(), "it ran");
        }
        // A pool created by a killed LWP is refused and shut down by the agent's pool reaper:
        // its first submission gets the kill's error, or, once the shutdown ran, the pool's own
        // RejectedExecutionException.
        check("killed starter: a new pool's first worker was refused", pool.get() instanceof LwpKilledError
                && pool.get().getMessage().startsWith(kill)
                || pool.get() instanceof java.util.concurrent.RejectedExecutionException, pool.get());
        check("killed starter: the pool task never ran", !poolTaskRan.get(), "it ran");
        sb.close();
    }

    /** The sandbox (limit 2) holds the plugin and one child: every further start is refused. */
    static void atTheLimit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread child = new Thread(() -> await(release), "second");
        child.start();
        int before = lwps();
        int denied = count(EventType.FORK_DENIED);
        AtomicBoolean ran = new AtomicBoolean();
        threw("at the limit: platform start", () -> new Thread(() -> ran.set(true), "third").start(),
                LwpLimitException.class, null);
        if (Jdk21.available()) {
            threw("at the limit: virtual start", () -> Jdk21.startVirtualThread(() -> ran.set(true)),
                    LwpLimitException.class, null);
            ExecutorService vex = Jdk21.newVirtualThreadPerTaskExecutor();
            threw("at the limit: virtual-thread-per-task executor", () -> vex.execute(() -> ran.set(true)),
                    LwpLimitException.class, null);
            vex.shutdown();
        }
        equal("at the limit: LWP count unchanged", before, lwps());
        equal("at the limit: one FORK_DENIED per refusal", denied + (Jdk21.available() ? 3 : 1),
                count(EventType.FORK_DENIED));
        Thread.sleep(100);
        check("at the limit: no refused thread ran", !ran.get(), "one ran");
        release.countDown();
        child.join();
    }
}
