package io.jreap.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpState;
import io.jreap.proc.Signal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's hooks driven by hand, step by step, in each order the JDK can produce: entry and
 * exit of the start method around a real {@code Thread.start}, a child that ends before its start
 * returned, a start that fails, a start refused by a kill, pools. (The agent-attached versions of
 * these run in agent/'s integration tests.)
 */
class JdkHooksTest extends SandboxTestSupport {
    JdkHooksTest() {
        super("hooks");
    }

    @BeforeEach
    void useThisKernel() {
        JdkHooks.useForTest(k);
    }

    /**
     * Runs body as a plugin LWP's thread and waits for it. The body starts once the spawn has
     * returned: until then the host's spawn holds the sandbox group's lock shared (the plugin LWP
     * is in that group), and a body that checks the lock is free would see it held.
     */
    private void asPlugin(ThrowingBody body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch spawned = new CountDownLatch(1);
        sb.spawn(() -> {
            try {
                awaitUninterruptibly(spawned);
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                done.countDown();
            }
        });
        spawned.countDown();
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        if (failure.get() != null) {
            throw new AssertionError("plugin body failed", failure.get());
        }
    }

    interface ThrowingBody {
        void run() throws Exception;
    }

    /** A thread whose body reports its pid, then ends through the exit hook as Thread.exit would. */
    private Thread child(AtomicLong pid, CountDownLatch ran) {
        Thread[] self = new Thread[1];
        self[0] = new Thread(() -> {
            pid.set(k.getpid());
            ran.countDown();
            JdkHooks.threadExit(self[0]);
        });
        return self[0];
    }

    @Test
    void aStartIsAForkHoldingTheGroupLockUntilTheStartMethodReturns() throws Exception {
        asPlugin(() -> {
            long me = k.getpid();
            AtomicLong pid = new AtomicLong();
            CountDownLatch ran = new CountDownLatch(1);
            Thread c = child(pid, ran);
            ProcessGroup g = k.currentLwp().group;
            assertThat(JdkHooks.beforeStart(c, null)).isNull();
            Lwp linked = k.lwpOf(c);
            assertThat(linked).as("linked and bound before it runs").isNotNull();
            assertThat(linked.parent.pid).isEqualTo(me);
            assertThat(g.killLock.isLocked()).as("group lock held across the JDK's start").isTrue();
            c.start();
            JdkHooks.afterStart(c, null);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            c.join();
            assertThat(pid.get()).as("the child's first instruction ran in its LWP").isEqualTo(linked.pid);
            assertThat(g.killLock.isLocked()).isFalse();
            assertThat(k.lwpOf(c)).as("unbound when it ended").isNull();
            assertThat(k.state(linked.pid)).isEqualTo(LwpState.REAPED);
        });
        assertThat(rec.events(e -> e.type() == EventType.FORK)).hasSize(2); // the plugin, its child
    }

    @Test
    void aChildThatEndsBeforeItsStartReturnedLeavesItsBindingToTheStarter() throws Exception {
        asPlugin(() -> {
            AtomicLong pid = new AtomicLong();
            CountDownLatch ran = new CountDownLatch(1);
            Thread c = child(pid, ran);
            assertThat(JdkHooks.beforeStart(c, null)).isNull();
            Lwp linked = k.lwpOf(c);
            c.start();
            c.join(); // the child ran and ended; the start method has not "returned" yet
            assertThat(k.state(linked.pid)).as("it exited").isEqualTo(LwpState.REAPED);
            assertThat(k.lwpOf(c)).as("the binding stays for the open fork").isSameAs(linked);
            JdkHooks.afterStart(c, null);
            assertThat(k.lwpOf(c)).isNull();
            assertThat(linked.group.killLock.isLocked()).as("the fork's lock was released once").isFalse();
        });
    }

    @Test
    void aFailedStartUnlinksTheChildAndReleasesTheLock() throws Exception {
        asPlugin(() -> {
            int before = k.lwpCount();
            Thread c = new Thread(() -> { });
            assertThat(JdkHooks.beforeStart(c, null)).isNull();
            Lwp linked = k.lwpOf(c);
            JdkHooks.afterStart(c, new OutOfMemoryError("test: unable to create native thread"));
            assertThat(k.lwpOf(c)).isNull();
            assertThat(k.lwpCount()).isEqualTo(before);
            assertThat(linked.group.killLock.isLocked()).isFalse();
        });
        assertThat(rec.events(e -> e.type() == EventType.FORK_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("unable to create native thread"));
    }

    @Test
    void aStartFromAKilledLwpIsRefusedAndTheChildNeverRuns() throws Exception {
        asPlugin(() -> {
            Thread c = new Thread(() -> {
                throw new AssertionError("must not run");
            }, "refused-child");
            Lwp me = k.currentLwp();
            ProcessGroup g = me.group;
            g.killLock.writeLock();
            try {
                k.markLocked(me, Signal.KILL, 1, null); // as a kill does, without the interrupt
            } finally {
                g.killLock.writeUnlock();
            }
            Throwable v = JdkHooks.beforeStart(c, null);
            assertThat(v).isInstanceOf(LwpKilledError.class).hasMessageContaining("refused-child")
                    .hasMessageContaining("SIGKILL");
            assertThat(k.lwpOf(c)).isNull();
            assertThat(g.killLock.isLocked()).isFalse();
        });
    }

    @Test
    void aSecondConcurrentStartOfTheSameThreadPassesThrough() throws Exception {
        asPlugin(() -> {
            Thread c = new Thread(() -> { });
            assertThat(JdkHooks.beforeStart(c, null)).isNull();
            Lwp linked = k.lwpOf(c);
            int count = k.lwpCount();
            assertThat(JdkHooks.beforeStart(c, null)).as("already bound: no second fork").isNull();
            assertThat(k.lwpCount()).isEqualTo(count);
            JdkHooks.afterStart(c, new IllegalThreadStateException("test"));
            assertThat(k.state(linked.pid)).isEqualTo(LwpState.REAPED);
        });
    }

    @Test
    void aPoolAPluginCreatesIsAThreadlessChildAndDiesWithIt() throws Exception {
        AtomicReference<ExecutorService> pool = new AtomicReference<>();
        AtomicLong poolPid = new AtomicLong();
        asPlugin(() -> {
            ExecutorService p = Executors.newSingleThreadExecutor();
            JdkHooks.poolCreated(p); // what the constructor advice calls
            pool.set(p);
            Thread worker = new Thread(() -> { });
            JdkHooks.poolWorkerCreated(worker, p);
            assertThat(JdkHooks.beforeStart(worker, null)).isNull();
            Lwp poolLwp = k.lwpOf(worker);
            assertThat(poolLwp.pool).isSameAs(p);
            assertThat(poolLwp.parent).isSameAs(k.currentLwp());
            poolPid.set(poolLwp.pid);
            JdkHooks.afterStart(worker, new IllegalStateException("test: not really started"));
            assertThat(k.lwpOf(worker)).isNull();
            assertThat(k.state(poolLwp.pid)).as("a pool without workers lives on").isEqualTo(LwpState.RUNNING);
        });
        sb.kill();
        assertThat(pool.get().isShutdown()).as("killing the pool's LWP shuts the pool down").isTrue();
        assertThat(k.state(poolPid.get())).as("an idle killed pool exits at once").isEqualTo(LwpState.REAPED);
    }

    @Test
    void aPoolTheHostCreatesIsNotAnLwp() {
        ExecutorService p = Executors.newSingleThreadExecutor();
        try {
            int before = k.lwpCount();
            JdkHooks.poolCreated(p);
            Thread worker = new Thread(() -> { });
            JdkHooks.poolWorkerCreated(worker, p);
            assertThat(JdkHooks.beforeStart(worker, null)).isNull();
            assertThat(k.lwpOf(worker)).isNull();
            assertThat(k.lwpCount()).isEqualTo(before);
        } finally {
            p.shutdown();
        }
    }

    /**
     * A {@code ForkJoinPool} that is shut down but has not terminated, as one still is while it
     * has work left: on JDK 25 a delayed task that {@code shutdown()} lets run, which its
     * DelayScheduler (a host thread) later pushes, starting a worker for it.
     */
    static final class StillTerminating extends ForkJoinPool {
        volatile boolean terminated;

        StillTerminating() {
            super(1);
        }

        @Override
        public boolean isTerminated() {
            return terminated && super.isTerminated();
        }
    }

    /** A worker the pool would start now, from whichever thread signals for one. */
    private static Thread lateWorker(ForkJoinPool p) {
        return ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
    }

    /** Marks the calling plugin LWP killed, as a kill does, without the interrupt. */
    private void markMeKilled() {
        Lwp me = k.currentLwp();
        ProcessGroup g = me.group;
        g.killLock.writeLock();
        try {
            k.markLocked(me, Signal.KILL, 1, null);
        } finally {
            g.killLock.writeUnlock();
        }
    }

    /**
     * AgentStorm on JDK 25 ("pool task runs outside any LWP (as the host) on
     * ForkJoinPool-84-worker-2"): an LWP killed while constructing a ForkJoinPool leaves a refused
     * pool; the plugin's shutdown() (or the reaper's shutdownNow()) forgot it before it had
     * terminated, and the worker its DelayScheduler then started was taken for a host thread.
     */
    @Test
    void aRefusedPoolThatIsOnlyShutDownStillRefusesItsWorkers() throws Exception {
        StillTerminating p = new StillTerminating();
        try {
            asPlugin(() -> {
                markMeKilled();
                JdkHooks.poolCreated(p); // refused: its creator was killed (and the pool shut down)
                p.shutdown();
                JdkHooks.poolShutdown(p); // what the advice calls before shutdown() returns
            });
            Thread late = lateWorker(p); // on a host thread, as the DelayScheduler's
            assertThat(JdkHooks.beforeStart(late, null)).as("refused, not a host thread")
                    .isInstanceOf(LwpKilledError.class).hasMessageContaining(late.getName());
            assertThat(k.lwpOf(late)).isNull();
            p.terminated = true;
            JdkHooks.poolShutdown(p); // terminated: forgotten now
            assertThat(JdkHooks.beforeStart(lateWorker(p), null)).as("forgotten, still refused")
                    .isInstanceOf(LwpKilledError.class);
        } finally {
            p.terminated = true;
            p.shutdownNow();
        }
    }

    /**
     * The same window without a kill: the last worker of a shut-down pool ends, so the pool's LWP
     * exits, while the pool can still start a worker. The pool stays known until it has
     * terminated, and a late worker is refused (its LWP has exited), not made a host thread.
     */
    @Test
    void aShutDownPoolWhoseLwpExitedRefusesLateWorkers() throws Exception {
        StillTerminating p = new StillTerminating();
        AtomicReference<Lwp> poolLwp = new AtomicReference<>();
        try {
            asPlugin(() -> {
                JdkHooks.poolCreated(p);
                Thread w = lateWorker(p);
                assertThat(JdkHooks.beforeStart(w, null)).isNull();
                poolLwp.set(k.lwpOf(w));
                JdkHooks.afterStart(w, null); // (the test does not really run it)
                p.shutdown();
                JdkHooks.poolShutdown(p);
                assertThat(poolLwp.get().alive()).as("a worker is left").isTrue();
                JdkHooks.threadExit(w); // the last worker ends in a shut-down pool
                assertThat(poolLwp.get().alive()).as("the pool's LWP exited").isFalse();
            });
            Thread late = lateWorker(p);
            assertThat(JdkHooks.beforeStart(late, null)).as("refused, not a host thread")
                    .isInstanceOf(LwpKilledError.class);
            assertThat(k.lwpOf(late)).isNull();
            assertThat(poolLwp.get().group.killLock.isLocked()).as("the refused start released the lock").isFalse();
            p.terminated = true;
            JdkHooks.forgetPool(p); // what the reaper does once the pool has terminated
            Thread later = lateWorker(p); // JDK 17: a submitter stalled across the termination
            assertThat(JdkHooks.beforeStart(later, null)).as("forgotten, still refused")
                    .isInstanceOf(LwpKilledError.class).hasMessageContaining("has ended");
        } finally {
            p.terminated = true;
            p.shutdownNow();
        }
    }

    /**
     * A pool LWP's exit decided on "no thread left" races a worker joining it: the exit happens
     * only if no worker joined since (else that worker's end exits it), and a worker that comes
     * after the decision is refused, so no worker runs in an exited LWP, out of every kill's reach.
     */
    @Test
    void aWorkerJoiningAPoolLwpAsItExitsEitherKeepsItOrIsRefused() throws Exception {
        StillTerminating p = new StillTerminating();
        try {
            asPlugin(() -> {
                JdkHooks.poolCreated(p);
                Thread w1 = lateWorker(p);
                assertThat(JdkHooks.beforeStart(w1, null)).isNull();
                Lwp pool = k.lwpOf(w1);
                JdkHooks.afterStart(w1, null);
                p.shutdown();
                assertThat(pool.removeThread(w1, false)).as("w1 ends: no thread left").isTrue();
                k.unbind(w1, pool);
                Thread w2 = lateWorker(p); // joins before the exit is decided
                assertThat(JdkHooks.beforeStart(w2, null)).isNull();
                JdkHooks.afterStart(w2, null);
                k.exitThreadless(pool); // decided on the "no thread" seen before w2 joined
                assertThat(pool.alive()).as("w2 joined first: the LWP lives on").isTrue();
                assertThat(k.lwpOf(w2)).isSameAs(pool);
                JdkHooks.threadExit(w2); // its end exits the shut-down pool's LWP
                assertThat(pool.alive()).isFalse();
                Thread w3 = lateWorker(p);
                assertThat(JdkHooks.beforeStart(w3, null)).as("after the exit: refused")
                        .isInstanceOf(LwpKilledError.class);
                assertThat(k.lwpOf(w3)).isNull();
            });
        } finally {
            p.terminated = true;
            p.shutdownNow();
        }
    }
}
