package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.run;

import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Every birth path, started from inside a plugin LWP: the new thread (or the task on it) records,
 * as its very first action, which LWP it runs in, that LWP's parent, group and reaper. A pid other
 * than 1 at that first instruction proves the thread was linked before it ran.
 */
public final class BirthPaths {
    /** What a thread saw at its first instruction. */
    record Seen(long pid, long ppid, long pgid, long reaper, String thread) {
    }

    static final Kernel K = Kernel.global();

    static Seen look() {
        return new Seen(K.getpid(), K.getppid(), K.getpgid(0), K.getpid() == 1 ? 0 : K.reaperStatus(0).reaperPid(),
                Thread.currentThread().getName());
    }

    public static void main(String[] args) throws Exception {
        check("one copy of the runtime, in the bootstrap loader, even with the runtime on the class path",
                Kernel.class.getClassLoader() == null && io.jreap.proc.Signal.class.getClassLoader() == null,
                Kernel.class.getClassLoader());
        Sandbox sb = K.newSandbox("births", 10_000);
        CountDownLatch finished = new CountDownLatch(1);
        sb.spawn(() -> {
            try {
                plugin(sb);
            } catch (Throwable e) {
                check("plugin", false, e);
            } finally {
                finished.countDown();
            }
        });
        check("plugin finished", finished.await(60, TimeUnit.SECONDS), "timed out");
        sb.kill();
        check("sandbox terminated", sb.awaitTermination(java.time.Duration.ofSeconds(30)), K.ps());
        Checks.done();
    }

    static void plugin(Sandbox sb) throws Exception {
        long me = K.getpid();
        long group = K.getpgid(0);
        check("plugin runs in its own LWP", me > sb.pid() && K.getppid() == sb.pid(), "pid " + me);

        // A child LWP of the plugin: its own pid, the plugin as parent, the plugin's group, the sandbox's reaper.
        childPath("Thread.start", me, group, sb, r -> new Thread(r).start());
        childPath("Thread subclass", me, group, sb, r -> new Thread() {
            @Override
            public void run() {
                r.run();
            }
        }.start());
        childPath("java.util.Timer", me, group, sb, r -> new java.util.Timer("plugin-timer", true).schedule(
                new java.util.TimerTask() {
                    @Override
                    public void run() {
                        r.run();
                    }
                }, 0));
        run("grandchild", () -> {
            AtomicReference<Seen> mid = new AtomicReference<>();
            AtomicReference<Seen> grand = new AtomicReference<>();
            CountDownLatch l = new CountDownLatch(1);
            new Thread(() -> {
                mid.set(look());
                Thread g = new Thread(() -> {
                    grand.set(look());
                    l.countDown();
                });
                g.start();
                try {
                    g.join(); // else the grandchild may be an orphan, reparented to the reaper, when it looks
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start();
            check("grandchild ran", l.await(30, TimeUnit.SECONDS), "timed out");
            check("grandchild's parent is the child", grand.get().ppid() == mid.get().pid()
                    && grand.get().pid() != mid.get().pid() && grand.get().reaper() == sb.pid(),
                    "child " + mid + " grandchild " + grand);
        });

        // Pools the plugin creates: a thread-less child LWP of the plugin; every worker runs in it.
        poolPath("Executors.newFixedThreadPool", me, group, sb, Executors.newFixedThreadPool(2));
        poolPath("Executors.newCachedThreadPool", me, group, sb, Executors.newCachedThreadPool());
        ScheduledExecutorService stpe = Executors.newScheduledThreadPool(1);
        poolPath("ScheduledThreadPoolExecutor", me, group, sb, stpe);
        poolPath("new ForkJoinPool", me, group, sb, new ForkJoinPool(2));

        // The common pool belongs to the JDK: its workers are host threads.
        hostPath("ForkJoinPool.commonPool", r -> ForkJoinPool.commonPool().execute(r));
        run("parallel stream", () -> {
            List<Long> pids = java.util.Collections.synchronizedList(new ArrayList<>());
            IntStream.range(0, 64).parallel().forEach(i -> pids.add(K.getpid()));
            check("parallel stream workers are the plugin (caller) or the host (common pool)",
                    pids.stream().allMatch(p -> p == 1 || p == me), pids);
        });
        boolean threadPerTask = Runtime.version().feature() < 21 && ForkJoinPool.getCommonPoolParallelism() <= 1;
        if (threadPerTask) {
            childPath("CompletableFuture.runAsync (a thread per task)", me, group, sb,
                    r -> CompletableFuture.runAsync(r));
        } else {
            hostPath("CompletableFuture.runAsync (common pool)", r -> CompletableFuture.runAsync(r));
        }

        if (Jdk21.available()) {
            childPath("Thread.ofPlatform().start", me, group, sb, r -> Jdk21.builderStart(Jdk21.ofPlatform(), r));
            childPath("Thread.ofVirtual().start", me, group, sb, r -> Jdk21.builderStart(Jdk21.ofVirtual(), r));
            childPath("Thread.startVirtualThread", me, group, sb, Jdk21::startVirtualThread);
            childPath("ofVirtual().unstarted().start()", me, group, sb,
                    r -> Jdk21.builderUnstarted(Jdk21.ofVirtual(), r).start());
            childPath("ofVirtual().factory()", me, group, sb,
                    r -> Jdk21.builderFactory(Jdk21.ofVirtual()).newThread(r).start());
            ExecutorService vex = Jdk21.newVirtualThreadPerTaskExecutor();
            childPath("newVirtualThreadPerTaskExecutor", me, group, sb, r -> vex.execute(r));
            ExecutorService pex = Jdk21.newThreadPerTaskExecutor(Jdk21.builderFactory(Jdk21.ofPlatform()));
            childPath("newThreadPerTaskExecutor (platform)", me, group, sb, r -> pex.execute(r));
            run("virtual from virtual", () -> {
                AtomicReference<Seen> mid = new AtomicReference<>();
                AtomicReference<Seen> grand = new AtomicReference<>();
                CountDownLatch l = new CountDownLatch(1);
                Jdk21.startVirtualThread(() -> {
                    mid.set(look());
                    Thread g = Jdk21.startVirtualThread(() -> {
                        grand.set(look());
                        l.countDown();
                    });
                    try {
                        g.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                check("virtual grandchild ran", l.await(30, TimeUnit.SECONDS), "timed out");
                check("virtual grandchild's parent is the virtual child", grand.get().ppid() == mid.get().pid()
                        && mid.get().ppid() == me, "child " + mid + " grandchild " + grand);
            });
            if (Boolean.getBoolean("test.preview")) {
                run("StructuredTaskScope", () -> {
                    AtomicReference<Seen> a = new AtomicReference<>();
                    AtomicReference<Seen> b = new AtomicReference<>();
                    Jdk21.structuredScope(() -> {
                        a.set(look());
                        return null;
                    }, () -> {
                        b.set(look());
                        return null;
                    });
                    expectChild("StructuredTaskScope fork 1", a.get(), me, group, sb);
                    expectChild("StructuredTaskScope fork 2", b.get(), me, group, sb);
                    check("StructuredTaskScope forks are two LWPs", a.get().pid() != b.get().pid(), a + " " + b);
                });
            } else {
                Checks.skip("StructuredTaskScope", "needs --enable-preview (JDK 25 only)");
            }
        } else {
            Checks.skip("virtual threads, builders, thread-per-task executors", "JDK " + Runtime.version().feature()
                    + " has none");
        }
    }

    interface Starter {
        void start(Runnable r) throws Exception;
    }

    static Seen observe(Starter s) throws Exception {
        AtomicReference<Seen> seen = new AtomicReference<>();
        CountDownLatch l = new CountDownLatch(1);
        s.start(() -> {
            seen.set(look());
            l.countDown();
        });
        if (!l.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the started thread never ran its task");
        }
        return seen.get();
    }

    static void childPath(String name, long me, long group, Sandbox sb, Starter s) {
        run(name, () -> expectChild(name, observe(s), me, group, sb));
    }

    static void expectChild(String name, Seen s, long me, long group, Sandbox sb) {
        check(name + ": a child LWP of the plugin, linked before it ran", s.pid() > me && s.ppid() == me
                && s.pgid() == group && s.reaper() == sb.pid(), s);
    }

    static void poolPath(String name, long me, long group, Sandbox sb, ExecutorService pool) {
        run(name, () -> {
            List<Seen> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.add(observe(pool::execute));
            }
            Seen first = seen.get(0);
            check(name + ": workers run in one pool LWP, a child of the plugin", first.pid() > me
                    && first.ppid() == me && first.pgid() == group && first.reaper() == sb.pid()
                    && seen.stream().allMatch(x -> x.pid() == first.pid()), seen);
            pool.shutdown();
        });
    }

    static void hostPath(String name, Starter s) {
        run(name, () -> {
            Seen x = observe(s);
            check(name + ": runs on a JDK thread (the host's)", x.pid() == 1, x);
        });
    }
}
