package io.jreap.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.Errno;
import io.jreap.proc.KillResult;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.ProcException;
import io.jreap.proc.Signal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A kill called from a virtual thread marks on a kernel-owned platform thread, a "jreap killer"
 * ({@link KillerThreads}), while the caller waits: the caller's results, errors and permissions
 * are exactly those of the same call from a platform thread, computed for the caller's LWP; the
 * events name the caller. JDK 21+ (every test is skipped, saying so, on JDK 17).
 */
class VirtualKillerTest extends SandboxTestSupport {
    /** Which thread published each SIGNAL_SENT (the sink runs on the marking thread). */
    private final List<Thread> signalPublishers = new ArrayList<>();
    private final List<LifecycleEvent> signals = new ArrayList<>();
    private volatile Error throwOnSignal;

    VirtualKillerTest() {
        super("virtual-killer");
    }

    @BeforeEach
    void needVirtualThreadsAndWatchThePublishers() {
        assumeTrue(ForkOptions.virtualThreadsAvailable(),
                "skipped: this JDK lacks virtual threads (JDK " + Runtime.version().feature() + " < 21)");
        k.setEventSink(new EventSink() {
            @Override
            public void publish(LifecycleEvent event) {
                rec.publish(event);
                if (event.type() == EventType.SIGNAL_SENT) {
                    synchronized (signals) {
                        signalPublishers.add(Thread.currentThread());
                        signals.add(event);
                    }
                    Error e = throwOnSignal;
                    if (e != null) {
                        throw e;
                    }
                }
            }
        });
    }

    /** Runs {@code call} on a new virtual thread (a host thread unless it forks), returns what it returned or threw. */
    private static <T> Outcome<T> onVirtual(Callable<T> call) throws InterruptedException {
        Outcome<T> o = new Outcome<>();
        Thread t = ForkOptions.virtual().withName("virtual-caller").newThread(() -> {
            o.thread = Thread.currentThread();
            try {
                o.value = call.call();
            } catch (Throwable e) {
                o.thrown = e;
            }
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(t.isAlive()).as("the virtual caller returned").isFalse();
        return o;
    }

    static final class Outcome<T> {
        volatile Thread thread;
        volatile T value;
        volatile Throwable thrown;
    }

    private List<Thread> publishers() {
        synchronized (signals) {
            return new ArrayList<>(signalPublishers);
        }
    }

    private List<LifecycleEvent> signalEvents() {
        synchronized (signals) {
            return new ArrayList<>(signals);
        }
    }

    private void clearSignals() {
        synchronized (signals) {
            signals.clear();
            signalPublishers.clear();
        }
    }

    /** Every SIGNAL_SENT so far was made on a jreap killer thread, for the thread {@code caller}. */
    private void assertMarkedOnAKillerThreadFor(Thread caller, int expected) {
        assertThat(publishers()).as("marks made on kernel platform threads").hasSize(expected)
                .allSatisfy(t -> {
                    assertThat(KillerThreads.isKillerThread(t)).as(t + " is a jreap killer").isTrue();
                    assertThat(ForkOptions.isVirtual(t)).isFalse();
                    assertThat(t.getName()).isEqualTo(KillerThreads.NAME);
                    assertThat(t.isDaemon()).isTrue();
                    assertThat(k.lwpOf(t)).as("a killer thread is in no LWP").isNull();
                });
        assertThat(signalEvents()).as("the events name the caller, not the killer thread")
                .allSatisfy(e -> {
                    assertThat(e.threadId()).isEqualTo(caller.getId());
                    assertThat(e.virtualThread()).isTrue();
                });
    }

    @Test
    void killKillpgAndReaperKillFromAVirtualThreadMarkOnAKillerThread() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        long b = sb.spawn(() -> idle(k)).pid();
        long c = sb.spawn(() -> idle(k)).pid();
        long jobs = KillerThreads.jobsRun();

        Outcome<Object> kill = onVirtual(() -> {
            k.kill(a, Signal.KILL);
            return null;
        });
        assertThat(kill.thrown).isNull();
        assertMarkedOnAKillerThreadFor(kill.thread, 1);
        assertThat(KillerThreads.jobsRun() - jobs).isEqualTo(1);
        assertGone(a);

        clearSignals();
        Outcome<KillResult> pg = onVirtual(() -> k.killpg(sb.pid(), Signal.STOP));
        assertThat(pg.thrown).isNull();
        assertThat(pg.value.killed()).isEqualTo(2);
        assertThat(Arrays.stream(pg.value.pids()).sorted().toArray()).containsExactly(b, c);
        assertThat(k.isStopped(b) && k.isStopped(c)).as("stopped by the virtual caller's killpg").isTrue();
        assertMarkedOnAKillerThreadFor(pg.thread, 2);

        clearSignals();
        Outcome<KillResult> reap = onVirtual(() -> k.reaperKill(sb.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0));
        assertThat(reap.thrown).isNull();
        assertThat(reap.value.killed()).isEqualTo(2);
        assertMarkedOnAKillerThreadFor(reap.thread, 2);
        assertGone(b, c);
        assertThat(KillerThreads.jobsRun() - jobs).isEqualTo(3);

        List<LifecycleEvent> ends = rec.events(e -> e.type() == EventType.KILL_END);
        assertThat(ends).as("KILL_BEGIN/KILL_END stay with the caller").isNotEmpty()
                .allSatisfy(e -> assertThat(e.virtualThread()).isTrue());
    }

    @Test
    void aSandboxKillAndShutdownFromAVirtualThreadMarkOnAKillerThread() throws Exception {
        sb.spawn(() -> tick(k));
        sb.spawn(() -> tick(k));
        Outcome<KillResult> kill = onVirtual(() -> sb.kill());
        assertThat(kill.thrown).isNull();
        assertThat(kill.value.killed()).isEqualTo(2);
        assertMarkedOnAKillerThreadFor(kill.thread, 2);
        assertThat(sb.awaitTermination(LONG)).isTrue();

        clearSignals();
        sb.spawn(() -> tick(k));
        Outcome<Boolean> shutdown = onVirtual(() -> sb.shutdown(LONG));
        assertThat(shutdown.thrown).isNull();
        assertThat(shutdown.value).as("TERM ended it").isTrue();
        assertMarkedOnAKillerThreadFor(shutdown.thread, 1);
    }

    @Test
    void aPlatformCallerMarksItself() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        long jobs = KillerThreads.jobsRun();
        k.kill(a, Signal.KILL);
        assertThat(publishers()).containsExactly(Thread.currentThread());
        assertThat(KillerThreads.jobsRun()).as("no hand-off from a platform thread").isEqualTo(jobs);
        assertGone(a);
    }

    /**
     * The permission checks are made for the caller's LWP, though the marks are made on a thread
     * that is in none (and would act as init, which may signal anything): an LWP's virtual thread
     * may not signal another sandbox. The errors are thrown in the caller, with its stack.
     */
    @Test
    void permissionsAndErrorsAreTheVirtualCallersOwn() throws Exception {
        Sandbox other = k.newSandbox("other", 8);
        try {
            long victim = other.spawn(() -> idle(k)).pid();
            AtomicReference<Throwable> killpg = new AtomicReference<>();
            AtomicReference<Throwable> reap = new AtomicReference<>();
            AtomicReference<Throwable> kill = new AtomicReference<>();
            AtomicReference<Throwable> children = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            sb.spawn(ForkOptions.virtual(), () -> {
                try {
                    killpg.set(caught(() -> k.killpg(other.pid(), Signal.KILL)));
                    reap.set(caught(() -> k.reaperKill(other.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0)));
                    kill.set(caught(() -> k.kill(victim, Signal.KILL)));
                    children.set(caught(() -> k.reaperKill(other.pid(), Signal.CONT, Kernel.REAPER_KILL_CHILDREN, 0)));
                } finally {
                    done.countDown();
                }
            });
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            for (AtomicReference<Throwable> r : List.of(killpg, reap, kill, children)) {
                assertErrno(r.get(), Errno.EPERM);
                assertThat(r.get()).isInstanceOf(PermissionDeniedException.class);
                assertThat(r.get().getStackTrace()).as("thrown in the caller, not on a killer thread")
                        .noneMatch(f -> f.getClassName().startsWith(KillerThreads.class.getName()))
                        .anyMatch(f -> f.getClassName().equals(VirtualKillerTest.class.getName())
                                || f.getClassName().startsWith(VirtualKillerTest.class.getName() + "$"));
            }
            assertThat(((ProcException) killpg.get()).partialResult()).hasValueSatisfying(r -> {
                assertThat(r.killed()).isZero();
                assertThat(r.firstFailedPid()).isEqualTo(victim);
            });
            assertThat(((ProcException) reap.get()).partialResult()).hasValueSatisfying(r ->
                    assertThat(r.firstFailedPid()).isEqualTo(victim));
            assertThat(k.state(victim)).as("the other sandbox's LWP was not signalled").isEqualTo(io.jreap.proc.LwpState.RUNNING);
            assertThat(publishers()).as("nothing was marked").isEmpty();

            // ESRCH found under the locks (nothing left to signal), thrown in the caller too.
            Outcome<KillResult> esrch = onVirtual(() -> k.reaperKill(sb.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0));
            assertErrno(esrch.thrown, Errno.ESRCH);
            assertThat(((ProcException) esrch.thrown).partialResult()).hasValueSatisfying(r -> assertThat(r.killed()).isZero());

            // The host's virtual thread may signal the other sandbox (it acts as init).
            Outcome<KillResult> host = onVirtual(() -> k.killpg(other.pid(), Signal.KILL));
            assertThat(host.thrown).isNull();
            assertThat(host.value.pids()).containsExactly(victim);
            assertGone(victim);
        } finally {
            other.close(LONG);
        }
    }

    /** What goes wrong under the lock on the killer thread reaches the caller, and the lock is released. */
    @Test
    void anErrorOnTheKillerThreadReachesTheCallerAndReleasesTheLock() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        AssertionError boom = new AssertionError("sink failure under the lock");
        throwOnSignal = boom;
        Outcome<KillResult> pg = onVirtual(() -> k.killpg(sb.pid(), Signal.KILL));
        throwOnSignal = null;
        assertThat(pg.thrown).as("the same error object").isSameAs(boom);
        assertThat(KillerThreads.isKillerThread(publishers().get(0))).isTrue();
        ProcessGroup g = k.lwpOf(sb.spawn(() -> idle(k)).thread()).group;
        assertThat(g.killLock.isLocked()).as("the killer thread released the group lock").isFalse();
        assertThat(onVirtual(() -> k.killpg(sb.pid(), Signal.KILL)).value.killed()).isEqualTo(2);
        assertGone(a);
    }

    /** A kill is not interruptible: an interrupted virtual caller still waits for its marks, and keeps its interrupt. */
    @Test
    void anInterruptedVirtualCallerStillWaitsAndKeepsItsInterrupt() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        Outcome<Boolean> o = onVirtual(() -> {
            Thread.currentThread().interrupt();
            KillResult r = k.killpg(sb.pid(), Signal.KILL);
            return r.killed() == 1 && Thread.interrupted();
        });
        assertThat(o.thrown).isNull();
        assertThat(o.value).as("killed one, and the interrupt is still set").isTrue();
        assertGone(a);
    }

    /** Started by a virtual LWP thread through the agent's start hook, a killer thread is the host's. */
    @Test
    void theStartHookNeverMakesAKillerThreadAnLwp() throws Exception {
        JdkHooks.useForTest(k);
        AtomicReference<Throwable> verdict = new AtomicReference<>(new AssertionError("not run"));
        AtomicReference<Lwp> bound = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        sb.spawn(ForkOptions.virtual(), () -> {
            try {
                Thread w = new KillerThreads.Worker(Thread.currentThread().getThreadGroup());
                verdict.set(JdkHooks.beforeStart(w, null));
                bound.set(k.lwpOf(w));
                JdkHooks.afterStart(w, new IllegalStateException("never started"));
            } finally {
                done.countDown();
            }
        });
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(verdict.get()).as("the start goes on").isNull();
        assertThat(bound.get()).as("no LWP for a killer thread").isNull();
    }
}
