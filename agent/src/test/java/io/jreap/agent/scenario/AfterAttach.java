package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.equal;
import static io.jreap.agent.scenario.Checks.run;

import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.LwpState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What {@link AttachHost} checks once the agent was attached (the first class that names the runtime). */
final class AfterAttach {
    private AfterAttach() {
    }

    static long pid() {
        return Kernel.global().getpid();
    }

    static void attached(AttachHost.Before b) throws Exception {
        Kernel k = Kernel.global();
        check("the runtime is in the bootstrap loader", Kernel.class.getClassLoader() == null,
                Kernel.class.getClassLoader());
        b.go.countDown();
        for (Thread t : b.threads) {
            t.join(30_000);
        }
        check("threads started before the attach are host threads (pid 1)",
                b.threadPids[0] == 1 && b.threadPids[1] == 1, b.threadPids[0] + ", " + b.threadPids[1]);
        equal("main is a host thread", 1L, k.getpid());

        Sandbox sb = k.newSandbox("attached", 1_000);
        AtomicLong plugin = new AtomicLong();
        AtomicLong child = new AtomicLong();
        AtomicLong childParent = new AtomicLong();
        AtomicLong sleeper = new AtomicLong();
        AtomicReference<Thread> sleeperThread = new AtomicReference<>();
        AtomicReference<List<Long>> fixedPids = new AtomicReference<>();
        AtomicReference<List<Long>> cachedPids = new AtomicReference<>();
        AtomicLong forkJoinPid = new AtomicLong();
        AtomicLong newPoolPid = new AtomicLong();
        AtomicLong newPoolParent = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(1);
        sb.spawn(() -> {
            try {
                plugin.set(k.getpid());
                Thread c = new Thread(() -> {
                    child.set(k.getpid());
                    childParent.set(k.getppid());
                });
                c.start();
                c.join();
                fixedPids.set(pidsOf(b.fixedPool, 4));
                cachedPids.set(pidsOf(b.cachedPool, 3)); // three at once: new workers, started by this LWP
                forkJoinPid.set(b.forkJoinPool.submit(k::getpid).get());
                ExecutorService mine = Executors.newFixedThreadPool(1);
                mine.submit(() -> {
                    newPoolPid.set(k.getpid());
                    newPoolParent.set(k.getppid());
                }).get();
                mine.shutdown();
                Thread s = new Thread(() -> {
                    sleeper.set(k.getpid());
                    ready.countDown();
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        // the kill
                    }
                });
                sleeperThread.set(s);
                s.start();
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                // the kill
            } catch (Exception e) {
                check("plugin", false, e);
                ready.countDown();
            }
        });
        check("plugin got ready", ready.await(30, TimeUnit.SECONDS), "timed out");
        check("the plugin is an LWP of the sandbox", plugin.get() > sb.pid(), plugin);
        check("a thread the plugin starts after the attach is a fork",
                child.get() > plugin.get() && childParent.get() == plugin.get(),
                "plugin " + plugin + " child " + child + " its parent " + childParent);
        check("the pre-attach fixed pool's workers stay host threads",
                fixedPids.get().stream().allMatch(p -> p == 1), fixedPids);
        check("the pre-attach cached pool's new workers are host threads",
                cachedPids.get().stream().allMatch(p -> p == 1), cachedPids);
        equal("the pre-attach fork/join pool's workers are host threads", 1L, forkJoinPid.get());
        check("a pool the plugin creates after the attach is its child LWP",
                newPoolPid.get() > plugin.get() && newPoolParent.get() == plugin.get(),
                "pool " + newPoolPid + " its parent " + newPoolParent);
        equal("the sleeping child is running", LwpState.RUNNING, k.state(sleeper.get()));

        run("kill", () -> {
            sb.kill();
            check("the sandbox terminates after a kill", sb.awaitTermination(Duration.ofSeconds(30)), k.ps());
            sleeperThread.get().join(30_000);
            check("the sleeping child's thread ended", !sleeperThread.get().isAlive(), sleeperThread.get());
            equal("the sleeping child is gone", LwpState.REAPED, k.state(sleeper.get()));
            sb.close();
        });
    }

    /** Runs {@code n} tasks on the pool at once and returns the pid each saw. */
    private static List<Long> pidsOf(ExecutorService pool, int n) throws Exception {
        CountDownLatch all = new CountDownLatch(n);
        List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(() -> {
                long p = Kernel.global().getpid();
                all.countDown();
                all.await(5, TimeUnit.SECONDS); // keeps n workers busy at once where the pool has them
                return p;
            }));
        }
        List<Long> out = new ArrayList<>();
        for (Future<Long> f : fs) {
            out.add(f.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    /** Mode preloaded: the agent ran with onFailure=continue and installed nothing. */
    static void notInstrumented(AttachHost.Before b) throws Exception {
        b.go.countDown();
        for (Thread t : b.threads) {
            t.join(30_000);
        }
        Kernel k = Kernel.global();
        check("the runtime is the host's own copy", Kernel.class.getClassLoader() == AfterAttach.class.getClassLoader(),
                Kernel.class.getClassLoader());
        Sandbox sb = k.newSandbox("not-instrumented", 10);
        AtomicLong plugin = new AtomicLong();
        AtomicLong child = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        sb.spawn(() -> {
            plugin.set(k.getpid());
            Thread c = new Thread(() -> child.set(k.getpid()));
            c.start();
            try {
                c.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        check("plugin ran", done.await(30, TimeUnit.SECONDS), "timed out");
        check("the explicit API still works (spawn)", plugin.get() > sb.pid(), plugin);
        equal("without instrumentation a plain Thread.start is not a fork", 1L, child.get());
        sb.close();
    }
}
