package io.jreap.kernel;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.proc.Errno;
import io.jreap.proc.ProcException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared fixture and helpers of the kernel semantics tests: a recording kernel with one sandbox per
 * test, created before and closed after each test (which must leave only init behind).
 */
abstract class SandboxTestSupport {
    /** Generous timeout for joins, closes and waits that should end quickly. */
    protected static final Duration LONG = Duration.ofSeconds(30);

    /** Records every lifecycle event the kernel emits. */
    protected final RecordingEventSink rec = new RecordingEventSink();
    /** The kernel under test, emitting to {@link #rec}. */
    protected final Kernel k = new Kernel(rec);
    /** The sandbox of the current test, created in {@link #setUp()}. */
    protected Sandbox sb;

    private final String sandboxName;
    private final int lwpLimit;

    /** A fixture whose sandbox is called {@code sandboxName} and allows 64 LWPs. */
    protected SandboxTestSupport(String sandboxName) {
        this(sandboxName, 64);
    }

    /** A fixture whose sandbox is called {@code sandboxName} and allows {@code lwpLimit} LWPs. */
    protected SandboxTestSupport(String sandboxName, int lwpLimit) {
        this.sandboxName = sandboxName;
        this.lwpLimit = lwpLimit;
    }

    /** Creates the test's sandbox. */
    @BeforeEach
    void setUp() {
        sb = k.newSandbox(sandboxName, lwpLimit);
    }

    /** Closes the sandbox and checks that only init is left. */
    @AfterEach
    void tearDown() throws Exception {
        sb.close(LONG);
        assertThat(k.lwpCount()).as("nothing is retained once the sandbox is closed").isEqualTo(1);
    }

    /** Returns the single EXIT event of {@code pid}. */
    protected LifecycleEvent exitOf(long pid) {
        List<LifecycleEvent> exits = rec.events(e -> e.type() == EventType.EXIT && e.pid() == pid);
        assertThat(exits).as("EXIT events of pid %d", pid).hasSize(1);
        return exits.get(0);
    }

    /** Returns what {@code call} throws, or null if it returns normally. */
    protected static Throwable caught(ThrowingCallable call) {
        try {
            call.call();
        } catch (Throwable t) {
            return t;
        }
        return null;
    }

    /** Asserts that {@code t} is a {@link ProcException} with {@code errno}. */
    protected static void assertErrno(Throwable t, Errno errno) {
        assertThat(t).as("expected %s", errno).isInstanceOf(ProcException.class);
        assertThat(((ProcException) t).errno()).isEqualTo(errno);
    }

    /** Asserts that all {@code pids} have exited within 30 s. */
    protected void assertGone(long... pids) throws InterruptedException {
        assertThat(k.awaitExit(pids, 30, SECONDS)).as("LWPs still running 30 s after they were told to end").isEmpty();
    }

    /** Returns the index of the first event matching {@code p}, or -1. */
    protected static int indexOf(List<LifecycleEvent> events, Predicate<LifecycleEvent> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** A test body run inside an LWP. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} as a new LWP of the sandbox (so kernel calls act for it), rethrows its failure, and returns its pid. */
    protected long inLwp(Body body) throws Exception {
        return runInLwp(body, false);
    }

    /** Runs {@code body} as a new LWP of the sandbox; if {@code awaitExit}, also asserts it is gone before rethrowing its failure. */
    protected long runInLwp(Body body, boolean awaitExit) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        LwpHandle h = sb.spawn(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertThat(h.join(LONG)).as("the test body in LWP %d ended", h.pid()).isTrue();
        if (awaitExit) {
            assertGone(h.pid());
        }
        Throwable t = failure.get();
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t instanceof Exception) {
            throw (Exception) t;
        }
        return h.pid();
    }

    /** Plugin-style idling: every wake-up passes a check point, so any terminating signal ends it. */
    static void idle(Kernel k) {
        for (;;) {
            k.checkSignals();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // a kill interrupts; the check point above acts on it
            }
        }
    }

    /** A busy plugin loop with frequent check points (a handled or ignored TERM does not stop it). */
    static void tick(Kernel k) {
        for (;;) {
            k.checkSignals();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                // a kill interrupts; the check point above acts on it
            }
        }
    }

    /** Forks a child that idles; returns its pid. */
    static long forkIdle(Kernel k) {
        return k.fork(() -> idle(k)).pid();
    }

    /** Waits for the latch; an interrupt passes a check point (so a kill ends the wait) and waits on. */
    static void awaitLatch(Kernel k, CountDownLatch latch) {
        for (;;) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                k.checkSignals();
            }
        }
    }

    /** Plugin code that swallows interrupts: only the latch ends the wait. */
    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (;;) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
