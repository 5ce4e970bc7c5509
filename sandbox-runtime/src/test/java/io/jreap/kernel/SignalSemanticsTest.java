package io.jreap.kernel;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.Errno;
import io.jreap.proc.ExitStatus;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpState;
import io.jreap.proc.ReaperPidInfo;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Signal delivery: what each action does to the target's threads (and what it must not do: an
 * ignored or handled signal wakes nothing), stop/continue, signal 0, permissions, and a fork as a
 * signal-check point.
 */
class SignalSemanticsTest extends SandboxTestSupport {
    SignalSemanticsTest() {
        super("signals");
    }

    // =====================================================================================
    // Actions
    // =====================================================================================

    @Test
    void uncatchableSignals_sigactionIsEinval_andKillEndsEvenAnLwpThatHandlesEverything() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Signal> handled = new CopyOnWriteArrayList<>();
        LwpHandle h = sb.spawn(() -> {
            for (Signal s : new Signal[] {Signal.KILL, Signal.STOP, Signal.CONT, Signal.NONE, null}) {
                errors.add(caught(() -> k.sigaction(s, SignalAction.IGNORE)));
                errors.add(caught(() -> k.sigaction(s, SignalAction.handle(handled::add))));
            }
            for (Signal s : new Signal[] {Signal.HUP, Signal.INT, Signal.TERM, Signal.USR1}) {
                k.sigaction(s, SignalAction.handle(handled::add));
            }
            k.sigaction(Signal.USR2, SignalAction.IGNORE);
            ready.countDown();
            idle(k);
        });
        assertThat(ready.await(30, SECONDS)).isTrue();
        assertThat(errors).hasSize(10).allSatisfy(e -> assertErrno(e, Errno.EINVAL));
        assertThatThrownBy(() -> k.sigaction(Signal.TERM, SignalAction.IGNORE))
                .as("the host has no signal actions").isInstanceOf(IllegalStateException.class);

        k.kill(h.pid(), Signal.KILL);
        assertGone(h.pid());
        assertThat(exitOf(h.pid()).signal()).isEqualTo(Signal.KILL.number());
        assertThat(handled).isEmpty();
        assertThat(h.join(LONG)).isTrue();
    }

    @Test
    void termByDefault_interruptsTheTarget_andItDiesOfTerm() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            CountDownLatch ready = new CountDownLatch(1);
            AtomicInteger interrupts = new AtomicInteger();
            LwpHandle h = k.fork(() -> {
                ready.countDown();
                for (;;) {
                    k.checkSignals();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupts.incrementAndGet();
                    }
                }
            });
            long c = h.pid();
            assertThat(ready.await(30, SECONDS)).isTrue();
            awaitThreadBlocked(h.thread()); // asleep, past its check point
            k.kill(c, Signal.TERM);
            Kernel.WaitResult w = k.waitpid(c, false);
            assertThat(w.status()).isEqualTo(ExitStatus.killedBy(Signal.TERM));
            assertThat(w.status().signaled()).isTrue();
            assertThat(w.status().code()).isEqualTo(128 + 15);
            assertThat(interrupts.get()).as("the sleeping thread was woken by an interrupt").isEqualTo(1);
        });
    }

    @Test
    void ignoredTerm_wakesAndInterruptsNothing() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            CountDownLatch ready = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<String> outcome = new AtomicReference<>();
            LwpHandle c = k.fork(() -> {
                k.sigaction(Signal.TERM, SignalAction.IGNORE);
                ready.countDown();
                try {
                    outcome.set(release.await(60, SECONDS) ? "released" : "timed out");
                } catch (InterruptedException e) {
                    outcome.set("interrupted");
                }
                k.checkSignals();
            });
            assertThat(ready.await(30, SECONDS)).isTrue();
            awaitThreadBlocked(c.thread());

            k.kill(c.pid(), Signal.TERM); // any wake-up happens before kill returns
            assertThat(c.thread().isInterrupted()).as("still sleeping, not interrupted").isFalse();
            assertThat(k.state(c.pid())).isIn(LwpState.NEW, LwpState.RUNNING);

            release.countDown();
            assertThat(k.waitpid(c.pid(), false).status()).isEqualTo(ExitStatus.CLEAN);
            assertThat(outcome.get()).isEqualTo("released");
            assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.pid() == c.pid())).hasSize(1);
            assertThat(rec.events(e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == c.pid())).isEmpty();
        });
    }

    @Test
    void handledTerm_runsAtTheTargetsCheckPointInItsThread_andInterruptsNothing() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            CountDownLatch ready = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<String> outcome = new AtomicReference<>();
            List<Signal> handled = new CopyOnWriteArrayList<>();
            AtomicReference<Thread> handlerThread = new AtomicReference<>();
            CompletableFuture<List<Signal>> beforeCheckPoint = new CompletableFuture<>();
            LwpHandle c = k.fork(() -> {
                k.sigaction(Signal.TERM, SignalAction.handle(sig -> {
                    handled.add(sig);
                    handlerThread.set(Thread.currentThread());
                }));
                ready.countDown();
                try {
                    outcome.set(release.await(60, SECONDS) ? "released" : "timed out");
                } catch (InterruptedException e) {
                    outcome.set("interrupted");
                }
                beforeCheckPoint.complete(List.copyOf(handled));
                k.checkSignals();
            });
            assertThat(ready.await(30, SECONDS)).isTrue();
            awaitThreadBlocked(c.thread());

            k.kill(c.pid(), Signal.TERM);
            k.kill(c.pid(), Signal.TERM); // a pending handled signal is one bit: delivered once
            assertThat(c.thread().isInterrupted()).isFalse();
            assertThat(handled).as("not before the target's check point").isEmpty();

            release.countDown();
            assertThat(k.waitpid(c.pid(), false).status()).as("a handled TERM does not terminate")
                    .isEqualTo(ExitStatus.CLEAN);
            assertThat(outcome.get()).isEqualTo("released");
            assertThat(beforeCheckPoint.get(30, SECONDS)).isEmpty();
            assertThat(handled).containsExactly(Signal.TERM);
            assertThat(handlerThread.get()).isSameAs(c.thread());
            assertThat(rec.events(e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == c.pid()))
                    .singleElement().satisfies(e -> {
                        assertThat(e.signal()).isEqualTo(Signal.TERM.number());
                        assertThat(e.detail()).isEqualTo("handled");
                        assertThat(e.threadId()).isEqualTo(c.thread().getId());
                    });
        });
    }

    @Test
    void handledInterruptingTerm_interruptsTheTarget_thenRunsTheHandler() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            CountDownLatch ready = new CountDownLatch(1);
            AtomicReference<String> outcome = new AtomicReference<>();
            List<Signal> handled = new CopyOnWriteArrayList<>();
            LwpHandle c = k.fork(() -> {
                k.sigaction(Signal.TERM, SignalAction.handleInterrupting(handled::add));
                ready.countDown();
                try {
                    outcome.set(new CountDownLatch(1).await(60, SECONDS) ? "released" : "timed out");
                } catch (InterruptedException e) {
                    outcome.set("interrupted");
                }
                k.checkSignals();
            });
            assertThat(ready.await(30, SECONDS)).isTrue();
            k.kill(c.pid(), Signal.TERM);
            assertThat(k.waitpid(c.pid(), false).status()).isEqualTo(ExitStatus.CLEAN);
            assertThat(outcome.get()).isEqualTo("interrupted");
            assertThat(handled).containsExactly(Signal.TERM);
        });
    }

    @Test
    void aForkedChild_keepsIgnoredSignals_butHandledOnesAreBackAtTheirDefault() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            k.sigaction(Signal.TERM, SignalAction.IGNORE);
            k.sigaction(Signal.USR1, SignalAction.handle(sig -> { }));
            CountDownLatch ready = new CountDownLatch(1);
            long c = k.fork(() -> {
                ready.countDown();
                idle(k);
            }).pid();
            assertThat(ready.await(30, SECONDS)).isTrue();
            k.kill(c, Signal.TERM); // ignored, as by its parent (exec keeps SIG_IGN)
            k.kill(c, Signal.USR1); // handled by the parent, but a handler does not survive exec
            assertThat(k.waitpid(c, false).status()).as("TERM was ignored, USR1 terminated")
                    .isEqualTo(ExitStatus.killedBy(Signal.USR1));
        });
    }

    // =====================================================================================
    // STOP / CONT
    // =====================================================================================

    @Test
    void stopParksAtTheNextCheckPoint_contResumes_interruptsDoNotEndAStop() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        AtomicInteger interrupts = new AtomicInteger();
        LwpHandle h = sb.spawn(() -> {
            for (;;) {
                k.checkSignals();
                ticks.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                }
            }
        });
        long p = h.pid();
        awaitTicks(ticks, 1);

        k.kill(p, Signal.STOP);
        assertThat(k.isStopped(p)).isTrue();
        awaitStoppedEvents(p, 1);
        int frozen = ticks.get();
        assertThat(k.reaperGetPids(sb.pid(), 16)).containsExactly(
                new ReaperPidInfo(p, p, ReaperPidInfo.VALID | ReaperPidInfo.CHILD | ReaperPidInfo.STOPPED));
        h.thread().interrupt();
        Thread.sleep(200); // a chance to run, which a stopped LWP must not take
        assertThat(ticks.get()).as("no progress while stopped, even when interrupted").isEqualTo(frozen);
        assertThat(k.isStopped(p)).isTrue();
        assertThat(k.state(p)).isIn(LwpState.NEW, LwpState.RUNNING);

        k.kill(p, Signal.CONT);
        assertThat(k.isStopped(p)).isFalse();
        awaitTicks(ticks, frozen + 2); // a second tick: the sleep after the first one has ended
        assertThat(interrupts.get()).as("the interrupt received while stopped is kept for the thread").isEqualTo(1);
        assertThat(rec.events(e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == p)).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("stopped"));
    }

    @Test
    void stopParksEveryThreadOfTheLwp_andContResumesThemAll() throws Exception {
        AtomicInteger ticks1 = new AtomicInteger();
        AtomicInteger ticks2 = new AtomicInteger();
        CompletableFuture<LwpHandle> second = new CompletableFuture<>();
        LwpHandle h = sb.spawn(() -> {
            second.complete(k.addThread(ForkOptions.platform(), () -> tickForever(k, ticks2)));
            tickForever(k, ticks1);
        });
        second.get(30, SECONDS);
        awaitTicks(ticks1, 1);
        awaitTicks(ticks2, 1);
        k.kill(h.pid(), Signal.STOP);
        awaitStoppedEvents(h.pid(), 2);
        assertThat(rec.events(e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == h.pid()))
                .extracting(LifecycleEvent::threadId).as("one stop per thread").doesNotHaveDuplicates();
        int f1 = ticks1.get();
        int f2 = ticks2.get();
        k.kill(h.pid(), Signal.CONT);
        awaitTicks(ticks1, f1 + 1);
        awaitTicks(ticks2, f2 + 1);
        k.kill(h.pid(), Signal.KILL);
        assertGone(h.pid());
        assertThat(exitOf(h.pid()).signal()).isEqualTo(Signal.KILL.number());
    }

    @Test
    void theFirstTerminatingSignalWins_butKillOverridesIt() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            CountDownLatch[] release = {new CountDownLatch(1), new CountDownLatch(1)};
            long[] c = new long[2];
            CountDownLatch ready = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                CountDownLatch r = release[i];
                c[i] = k.fork(() -> {
                    ready.countDown();
                    awaitUninterruptibly(r); // reaches no check point until released
                    k.checkSignals();
                }).pid();
            }
            assertThat(ready.await(30, SECONDS)).isTrue();
            k.kill(c[0], Signal.TERM);
            k.kill(c[0], Signal.USR1);
            k.kill(c[1], Signal.TERM);
            k.kill(c[1], Signal.KILL);
            release[0].countDown();
            release[1].countDown();
            assertThat(k.waitpid(c[0], false).status()).isEqualTo(ExitStatus.killedBy(Signal.TERM));
            assertThat(k.waitpid(c[1], false).status()).isEqualTo(ExitStatus.killedBy(Signal.KILL));
        });
    }

    @Test
    void killWakesAStoppedLwp_andItDies() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        LwpHandle h = sb.spawn(() -> {
            for (;;) {
                k.checkSignals();
                ticks.incrementAndGet();
                Thread.onSpinWait();
            }
        });
        awaitTicks(ticks, 1);
        k.kill(h.pid(), Signal.STOP);
        awaitStoppedEvents(h.pid(), 1);
        int frozen = ticks.get();
        k.kill(h.pid(), Signal.KILL);
        assertGone(h.pid());
        assertThat(exitOf(h.pid()).signal()).isEqualTo(Signal.KILL.number());
        assertThat(ticks.get()).as("it died without running again").isEqualTo(frozen);
        assertThat(k.isStopped(h.pid())).isFalse();
    }

    @Test
    void catchableTerminatingSignal_toAStoppedLwp_takesEffectOnlyAfterCont() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        LwpHandle h = sb.spawn(() -> {
            for (;;) {
                k.checkSignals();
                ticks.incrementAndGet();
                Thread.onSpinWait();
            }
        });
        awaitTicks(ticks, 1);
        k.kill(h.pid(), Signal.STOP);
        awaitStoppedEvents(h.pid(), 1);
        int frozen = ticks.get();
        k.kill(h.pid(), Signal.TERM);
        assertThat(k.state(h.pid())).as("a stopped LWP stays until continued").isIn(LwpState.NEW, LwpState.RUNNING);
        assertThat(k.isStopped(h.pid())).isTrue();
        k.kill(h.pid(), Signal.CONT);
        assertGone(h.pid());
        assertThat(exitOf(h.pid()).signal()).isEqualTo(Signal.TERM.number());
        assertThat(ticks.get()).as("it never ran plugin code after the stop").isEqualTo(frozen);
    }

    // =====================================================================================
    // Signal 0, permissions, errors
    // =====================================================================================

    @Test
    void signalZero_checksExistenceAndPermissionOnly() throws Exception {
        long target = sb.spawn(() -> idle(k)).pid();
        Sandbox other = k.newSandbox("other", 8);
        try {
            long foreign = other.spawn(() -> idle(k)).pid();
            k.kill(target, Signal.NONE);
            k.kill(foreign, Signal.NONE); // the host may signal any LWP
            assertErrno(caught(() -> k.kill(999_999, Signal.NONE)), Errno.ESRCH);
            assertErrno(caught(() -> k.kill(Kernel.INIT_PID, Signal.NONE)), Errno.EPERM);
            assertErrno(caught(() -> k.kill(sb.pid(), Signal.NONE)), Errno.EPERM);
            inLwp(() -> {
                k.kill(target, Signal.NONE);
                k.kill(k.getpid(), Signal.NONE);
                assertErrno(caught(() -> k.kill(foreign, Signal.NONE)), Errno.EPERM);
                assertErrno(caught(() -> k.kill(sb.pid(), Signal.NONE)), Errno.EPERM);
            });
            assertThat(k.state(target)).isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(k.state(foreign)).isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(rec.events(EventType.SIGNAL_SENT)).as("signal 0 delivers nothing").isEmpty();
        } finally {
            other.close(LONG);
        }
    }

    @Test
    void neitherInitNorASandboxReaperCanBeSignalled() throws Exception {
        for (Signal s : new Signal[] {Signal.TERM, Signal.KILL, Signal.STOP}) {
            assertErrno(caught(() -> k.kill(Kernel.INIT_PID, s)), Errno.EPERM);
            assertErrno(caught(() -> k.kill(sb.pid(), s)), Errno.EPERM);
        }
        inLwp(() -> {
            assertErrno(caught(() -> k.kill(sb.pid(), Signal.KILL)), Errno.EPERM);
            assertErrno(caught(() -> k.kill(k.getppid(), Signal.TERM)), Errno.EPERM);
            assertErrno(caught(() -> k.kill(Kernel.INIT_PID, Signal.KILL)), Errno.EPERM);
        });
        assertThat(k.state(sb.pid())).isIn(LwpState.NEW, LwpState.RUNNING);
        assertThat(k.isStopped(sb.pid())).isFalse();
        assertThat(rec.events(EventType.SIGNAL_SENT)).isEmpty();
    }

    @Test
    void crossSandbox_signalsAreEperm_theHostMaySignalAnyone() throws Exception {
        Sandbox other = k.newSandbox("other", 8);
        try {
            long foreign = other.spawn(() -> idle(k)).pid();
            inLwp(() -> {
                for (Signal s : new Signal[] {Signal.TERM, Signal.KILL, Signal.STOP, Signal.CONT}) {
                    assertErrno(caught(() -> k.kill(foreign, s)), Errno.EPERM);
                }
                assertErrno(caught(() -> k.killpg(other.pid(), Signal.KILL)), Errno.EPERM);
                assertErrno(caught(() -> k.reaperKill(other.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0)),
                        Errno.EPERM);
            });
            assertThat(k.state(foreign)).isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(rec.events(EventType.SIGNAL_SENT)).isEmpty();
            k.kill(foreign, Signal.TERM);
            assertGone(foreign);
            assertThat(exitOf(foreign).signal()).isEqualTo(Signal.TERM.number());
        } finally {
            other.close(LONG);
        }
    }

    @Test
    void unknownOrGonePid_isEsrch_nullSignalIsEinval() throws Exception {
        assertErrno(caught(() -> k.kill(999_999, Signal.TERM)), Errno.ESRCH);
        long gone = sb.spawn(() -> { }).pid();
        assertGone(gone);
        assertThat(k.state(gone)).isEqualTo(LwpState.REAPED);
        assertErrno(caught(() -> k.kill(gone, Signal.TERM)), Errno.ESRCH);
        assertErrno(caught(() -> k.kill(gone, Signal.NONE)), Errno.ESRCH);
        assertErrno(caught(() -> k.kill(sb.pid(), null)), Errno.EINVAL);
        assertErrno(caught(() -> k.kill(-1, Signal.TERM)), Errno.EINVAL);
    }

    @Test
    void aZombieMayBeSignalled_withNoEffect() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            long c = k.fork(() -> { }).pid();
            assertThat(k.awaitExit(new long[] {c}, 30, SECONDS)).isEmpty();
            assertThat(k.state(c)).isEqualTo(LwpState.ZOMBIE);
            k.kill(c, Signal.KILL);
            assertThat(k.waitpid(c, false).status()).isEqualTo(ExitStatus.CLEAN);
        });
    }

    @Test
    void killReturnsBeforeTheTargetDies_awaitExitIsSeparate() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LwpHandle h = sb.spawn(() -> {
            ready.countDown();
            awaitUninterruptibly(release); // plugin code that swallows interrupts
            k.checkSignals();
        });
        assertThat(ready.await(30, SECONDS)).isTrue();
        k.kill(h.pid(), Signal.TERM);
        assertThat(k.state(h.pid())).as("marked, not dead: it has not reached a check point").isIn(LwpState.NEW, LwpState.RUNNING);
        assertThat(k.awaitExit(new long[] {h.pid()}, 0, SECONDS)).containsExactly(h.pid());
        assertThat(h.thread().isAlive()).isTrue();
        assertThat(rec.events(e -> e.type() == EventType.EXIT && e.pid() == h.pid())).isEmpty();

        release.countDown();
        assertGone(h.pid());
        assertThat(exitOf(h.pid()).signal()).isEqualTo(Signal.TERM.number());
    }

    // =====================================================================================
    // A fork is a check point
    // =====================================================================================

    @Test
    void fork_runsAPendingHandlerFirst_thenProceeds() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Long> child = new CompletableFuture<>();
        LwpHandle h = sb.spawn(() -> {
            k.sigaction(Signal.USR1, SignalAction.handle(sig -> log.add("handler " + sig)));
            ready.countDown();
            awaitUninterruptibly(go);
            long c = k.fork(() -> idle(k)).pid();
            log.add("forked");
            child.complete(c);
            idle(k);
        });
        assertThat(ready.await(30, SECONDS)).isTrue();
        k.kill(h.pid(), Signal.USR1);
        assertThat(log).isEmpty();
        go.countDown();
        long c = child.get(30, SECONDS);
        assertThat(log).containsExactly("handler USR1", "forked");
        assertThat(k.state(c)).isIn(LwpState.NEW, LwpState.RUNNING);
        List<LifecycleEvent> events = rec.events(e -> e.pid() == h.pid() || e.pid() == c);
        int delivered = indexOf(events, e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == h.pid());
        int forked = indexOf(events, e -> e.type() == EventType.FORK && e.pid() == c);
        assertThat(delivered).isNotNegative().isLessThan(forked);
        assertThat(events.get(forked).ppid()).isEqualTo(h.pid());
    }

    @Test
    void fork_withATerminatingSignalPending_throwsLwpKilledError_andNoChildExists() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> forkFailure = new AtomicReference<>();
        AtomicReference<String> afterFork = new AtomicReference<>("not reached");
        LwpHandle h = sb.spawn(() -> {
            ready.countDown();
            awaitUninterruptibly(go);
            try {
                k.fork(() -> idle(k));
                afterFork.set("fork returned");
            } catch (LwpKilledError e) {
                forkFailure.set(e);
                throw e;
            }
        });
        assertThat(ready.await(30, SECONDS)).isTrue();
        int before = k.lwpCount();
        k.kill(h.pid(), Signal.TERM);
        go.countDown();
        assertGone(h.pid());
        assertThat(forkFailure.get()).isInstanceOf(LwpKilledError.class);
        LwpKilledError e = (LwpKilledError) forkFailure.get();
        assertThat(e.pid()).isEqualTo(h.pid());
        assertThat(e.signal()).isEqualTo(Signal.TERM);
        assertThat(afterFork.get()).isEqualTo("not reached");
        assertThat(rec.events(ev -> ev.type() == EventType.FORK && ev.ppid() == h.pid())).isEmpty();
        assertThat(rec.events(ev -> ev.type() == EventType.FORK_DENIED && ev.pid() == h.pid()))
                .singleElement().satisfies(ev -> assertThat(ev.detail()).contains("SIGTERM"));
        assertThat(k.lwpCount()).isEqualTo(before - 1);
        assertThat(sb.liveLwps()).isZero();
        assertThat(exitOf(h.pid()).signal()).isEqualTo(Signal.TERM.number());
    }

    @Test
    void fork_ofAStoppedLwp_parksUntilCont_thenProceeds() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Long> child = new CompletableFuture<>();
        LwpHandle h = sb.spawn(() -> {
            ready.countDown();
            awaitUninterruptibly(go);
            child.complete(k.fork(() -> idle(k)).pid());
            idle(k);
        });
        assertThat(ready.await(30, SECONDS)).isTrue();
        k.kill(h.pid(), Signal.STOP);
        go.countDown();
        awaitStoppedEvents(h.pid(), 1); // parked inside the fork's check point
        assertThat(child).isNotDone();
        assertThat(rec.events(e -> e.type() == EventType.FORK && e.ppid() == h.pid())).isEmpty();
        k.kill(h.pid(), Signal.CONT);
        long c = child.get(30, SECONDS);
        assertThat(rec.events(e -> e.type() == EventType.FORK && e.pid() == c)).singleElement()
                .satisfies(e -> assertThat(e.ppid()).isEqualTo(h.pid()));
    }

    @Test
    void fork_isNotFailedByAnInterruptOfTheForkingThread() throws Exception {
        inLwp(() -> {
            Thread.currentThread().interrupt();
            long c = k.fork(() -> { }).pid();
            assertThat(c).isPositive();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept, not consumed").isTrue();
            Thread.interrupted();
        });
    }

    @Test
    void fork_blockedBehindAGroupKillLock_survivesAnInterrupt() throws Exception {
        CompletableFuture<Lwp> self = new CompletableFuture<>();
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<long[]> result = new CompletableFuture<>();
        LwpHandle h = sb.spawn(() -> {
            self.complete(k.currentLwp());
            awaitUninterruptibly(go);
            try {
                long c = k.fork(() -> { }).pid();
                result.complete(new long[] {c, Thread.currentThread().isInterrupted() ? 1 : 0});
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        PollingRwLock lock = self.get(30, SECONDS).group.killLock;
        lock.writeLock(); // a killer holds the group: the fork must wait
        try {
            go.countDown();
            long deadline = System.nanoTime() + SECONDS.toNanos(30);
            while (lock.waiters() == 0) {
                assertThat(System.nanoTime() - deadline).as("the fork waits for the group lock").isNegative();
                Thread.sleep(1);
            }
            h.thread().interrupt();
            Thread.sleep(20); // let the waiting fork see the interrupt while it still waits
        } finally {
            lock.writeUnlock();
        }
        long[] r = result.get(30, SECONDS);
        assertThat(r[0]).as("the fork succeeded").isPositive();
        assertThat(r[1]).as("and the interrupt is still set").isEqualTo(1);
        assertThat(rec.events(e -> e.type() == EventType.FORK && e.pid() == r[0])).hasSize(1);
        assertThat(rec.events(EventType.FORK_DENIED)).isEmpty();
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    private void awaitStoppedEvents(long pid, int n) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (rec.events(e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == pid
                && "stopped".equals(e.detail())).size() < n) {
            assertThat(System.nanoTime() - deadline).as("pid %d parked at a check point", pid).isNegative();
            Thread.sleep(1);
        }
    }

    static void tickForever(Kernel k, AtomicInteger ticks) {
        for (;;) {
            k.checkSignals();
            ticks.incrementAndGet();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                // a kill interrupts; the check point above acts on it
            }
        }
    }

    private static void awaitTicks(AtomicInteger ticks, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (ticks.get() < atLeast) {
            assertThat(System.nanoTime() - deadline).as("progress to %d", atLeast).isNegative();
            Thread.sleep(1);
        }
    }

    /** Waits until {@code t} is blocked (in a timed or untimed wait), so a wake-up would be visible. */
    private static void awaitThreadBlocked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() - deadline).as("%s blocks", t).isNegative();
            Thread.sleep(1);
        }
    }
}
