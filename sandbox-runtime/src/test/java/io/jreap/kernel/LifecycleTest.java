package io.jreap.kernel;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.Errno;
import io.jreap.proc.ExitStatus;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpLimitException;
import io.jreap.proc.LwpState;
import io.jreap.proc.NoChildException;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Birth, threads, exit, zombies and waitpid, the LWP limit, and the sandbox's own life cycle. */
class LifecycleTest extends SandboxTestSupport {
    LifecycleTest() {
        super("lifecycle");
    }

    // =====================================================================================
    // Threads and exit
    // =====================================================================================

    @Test
    void anLwpExitsWhenItsLastThreadEnds() throws Exception {
        CountDownLatch mainMayEnd = new CountDownLatch(1);
        CountDownLatch secondMayEnd = new CountDownLatch(1);
        CompletableFuture<LwpHandle> second = new CompletableFuture<>();
        LwpHandle main = sb.spawn(() -> {
            second.complete(k.addThread(ForkOptions.platform(), () -> awaitLatch(k, secondMayEnd)));
            awaitLatch(k, mainMayEnd);
        });
        LwpHandle t2 = second.get(30, SECONDS);
        assertThat(t2.pid()).as("addThread adds to the same LWP").isEqualTo(main.pid());
        assertThat(t2.thread()).isNotSameAs(main.thread());
        assertThat(rec.events(e -> e.type() == EventType.THREAD_ADD && e.pid() == main.pid())).hasSize(1);

        mainMayEnd.countDown();
        assertThat(main.join(LONG)).isTrue();
        assertThat(k.state(main.pid())).as("one thread still runs").isEqualTo(LwpState.RUNNING);
        assertThat(sb.liveLwps()).isEqualTo(1);
        assertThat(rec.events(e -> e.type() == EventType.EXIT && e.pid() == main.pid())).isEmpty();

        secondMayEnd.countDown();
        assertThat(t2.join(LONG)).isTrue();
        assertGone(main.pid());
        assertThat(k.state(main.pid())).isEqualTo(LwpState.REAPED);
        assertThat(exitOf(main.pid()).status()).isZero();
        assertThat(exitOf(main.pid()).signal()).isZero();
        assertThat(sb.liveLwps()).isZero();
        assertThatThrownBy(() -> k.addThread(ForkOptions.platform(), () -> { }))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void exitStatus_uncaughtExceptionIsOne_evenInASecondThread_butAKillWins() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            long thrower = k.fork(() -> {
                throw new IllegalStateException("test: an uncaught exception in plugin code (expected)");
            }).pid();
            Kernel.WaitResult w = k.waitpid(thrower, false);
            assertThat(w.status()).isEqualTo(ExitStatus.UNCAUGHT);
            assertThat(w.status().code()).isEqualTo(1);
            assertThat(w.status().signaled()).isFalse();

            long twoThreads = k.fork(() -> {
                LwpHandle t = k.addThread(ForkOptions.platform(), () -> {
                    throw new IllegalStateException("test: uncaught in an added thread (expected)");
                });
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).pid();
            assertThat(k.waitpid(twoThreads, false).status()).isEqualTo(ExitStatus.UNCAUGHT);

            CountDownLatch ready = new CountDownLatch(1);
            long killedThenThrew = k.fork(() -> {
                ready.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // plugin code that turns the kill's interrupt into an exception
                    throw new IllegalStateException("interrupted", e);
                }
            }).pid();
            assertThat(ready.await(30, SECONDS)).isTrue();
            k.kill(killedThenThrew, Signal.TERM);
            assertThat(k.waitpid(killedThenThrew, false).status()).as("an error caused by a kill is the kill's")
                    .isEqualTo(ExitStatus.killedBy(Signal.TERM));
        });
    }

    @Test
    void thousandsOfShortLwpsLeaveNothingBehind_andLongLivedOnesStayFindable() throws Exception {
        List<Long> longLived = new ArrayList<>();
        inLwp(() -> {
            int base = k.lwpCount();
            long[] batch = new long[25];
            for (int round = 0; round < 120; round++) {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = k.fork(() -> { }).pid();
                }
                if (round % 4 == 0) {
                    longLived.add(forkIdle(k));
                }
                assertGone(batch);
            }
            assertThat(k.lwpCount()).as("only the long-lived ones remain").isEqualTo(base + longLived.size());
            for (long p : longLived) {
                assertThat(k.getpgid(p)).as("pid %d is still found", p).isEqualTo(sb.pid());
            }
            assertThat(k.reaperGetPids(sb.pid(), 1000)).hasSize(1 + longLived.size());
        });
        assertThat(sb.kill().killed()).isEqualTo(longLived.size());
        assertThat(sb.awaitTermination(LONG)).isTrue();
        assertThat(k.lwpCount()).isEqualTo(2);
    }

    // =====================================================================================
    // Zombies and waitpid
    // =====================================================================================

    @Test
    void zombiesOnlyWhenTheParentKeepsThem() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            int base = k.lwpCount();
            long auto = k.fork(() -> { }).pid();
            assertGone(auto);
            assertThat(k.state(auto)).as("reaped at once").isEqualTo(LwpState.REAPED);
            assertThat(k.lwpCount()).as("nothing retained").isEqualTo(base);
            assertThat(rec.events(e -> e.type() == EventType.REAP && e.pid() == auto)).singleElement()
                    .satisfies(e -> assertThat(e.other()).as("reaped automatically").isEqualTo(-1));
            assertThatThrownBy(() -> k.waitpid(auto, false)).isInstanceOf(NoChildException.class);
            assertThatThrownBy(() -> k.waitpid(-1, false)).isInstanceOf(NoChildException.class);

            k.setKeepsZombies(true);
            long kept = k.fork(() -> { }).pid();
            assertGone(kept);
            assertThat(k.state(kept)).isEqualTo(LwpState.ZOMBIE);
            assertThat(k.lwpCount()).as("a zombie is retained until collected").isEqualTo(base + 1);
            assertThat(sb.liveLwps()).as("but it is not live").isEqualTo(1);
            Kernel.WaitResult w = k.waitpid(-1, false);
            assertThat(w.pid()).isEqualTo(kept);
            assertThat(w.status()).isEqualTo(ExitStatus.CLEAN);
            assertThat(k.state(kept)).isEqualTo(LwpState.REAPED);
            assertThat(k.lwpCount()).isEqualTo(base);
            assertThat(rec.events(e -> e.type() == EventType.REAP && e.pid() == kept)).singleElement()
                    .satisfies(e -> assertThat(e.other()).as("collected by the waiter").isEqualTo(me));

            k.setKeepsZombies(false);
            long again = k.fork(() -> { }).pid();
            assertGone(again);
            assertThat(k.state(again)).isEqualTo(LwpState.REAPED);
        });
        assertThatThrownBy(() -> k.setKeepsZombies(true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitpid_echildCases_wnohang_andEinval() throws Exception {
        inLwp(() -> {
            assertErrno(caught(() -> k.waitpid(-1, false)), Errno.ECHILD); // no children at all
            assertErrno(caught(() -> k.waitpid(-1, true)), Errno.ECHILD);
            k.setKeepsZombies(true);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Long> grandchild = new CompletableFuture<>();
            long c = k.fork(() -> {
                grandchild.complete(k.fork(() -> idle(k)).pid());
                awaitLatch(k, release);
            }).pid();
            long g = grandchild.get(30, SECONDS);
            assertErrno(caught(() -> k.waitpid(g, true)), Errno.ECHILD); // a grandchild is not a child
            assertErrno(caught(() -> k.waitpid(k.getppid(), true)), Errno.ECHILD);
            assertErrno(caught(() -> k.waitpid(k.getpid(), true)), Errno.ECHILD);
            assertErrno(caught(() -> k.waitpid(999_999, true)), Errno.ECHILD);
            assertErrno(caught(() -> k.waitpid(0, true)), Errno.EINVAL);
            assertErrno(caught(() -> k.waitpid(-2, true)), Errno.EINVAL);

            assertThat(k.waitpid(c, true)).as("WNOHANG: not exited yet").isNull();
            assertThat(k.waitpid(-1, true)).isNull();
            release.countDown();
            assertGone(c);
            Kernel.WaitResult w = k.waitpid(c, true);
            assertThat(w).isNotNull();
            assertThat(w.pid()).isEqualTo(c);
            assertThat(w.status()).isEqualTo(ExitStatus.CLEAN);
            assertErrno(caught(() -> k.waitpid(c, true)), Errno.ECHILD); // collected
            assertErrno(caught(() -> k.waitpid(-1, false)), Errno.ECHILD);
            k.kill(g, Signal.KILL); // the grandchild went to the sandbox reaper, not to us
        });
    }

    @Test
    void waitpid_withoutZombies_blocksUntilTheChildIsGone_thenEchild() throws Exception {
        inLwp(() -> {
            CountDownLatch release = new CountDownLatch(1);
            long c = k.fork(() -> awaitLatch(k, release)).pid();
            Thread me = Thread.currentThread();
            Thread releaser = new Thread(() -> {
                awaitBlockedIn(me);
                release.countDown();
            });
            releaser.start();
            // SA_NOCLDWAIT: the wait ends when the child is gone, with nothing to collect.
            assertErrno(caught(() -> k.waitpid(c, false)), Errno.ECHILD);
            releaser.join();
            assertThat(k.state(c)).isEqualTo(LwpState.REAPED);
        });
    }

    @Test
    void waitpid_interruptedIsInterruptedException_killedIsLwpKilledError() throws Exception {
        inLwp(() -> {
            long c = forkIdle(k);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread me = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                awaitBlockedIn(me);
                me.interrupt();
            });
            interrupter.start();
            outcome.complete(caught(() -> k.waitpid(c, false)));
            interrupter.join();
            assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
            assertThat(k.waitpid(c, true)).as("waitpid still works afterwards").isNull();
            k.kill(c, Signal.KILL);
        });

        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        LwpHandle waiter = sb.spawn(() -> {
            long c = forkIdle(k);
            waiting.countDown();
            try {
                k.waitpid(c, false);
            } catch (Throwable t) {
                thrown.set(t);
                if (t instanceof LwpKilledError) {
                    throw (LwpKilledError) t;
                }
            }
        });
        assertThat(waiting.await(30, SECONDS)).isTrue();
        awaitBlockedIn(waiter.thread());
        k.kill(waiter.pid(), Signal.TERM);
        assertGone(waiter.pid());
        assertThat(thrown.get()).as("waitpid is a check point").isInstanceOf(LwpKilledError.class);
        assertThat(exitOf(waiter.pid()).signal()).isEqualTo(Signal.TERM.number());
    }

    // =====================================================================================
    // The LWP limit
    // =====================================================================================

    @Test
    void lwpLimit_forkOverItIsEagain_withAForkDeniedEvent_andNothingElseChanges() throws Exception {
        Sandbox small = k.newSandbox("small", 2);
        try {
            long a = small.spawn(() -> idle(k)).pid();
            CompletableFuture<Throwable> fromInside = new CompletableFuture<>();
            long b = small.spawn(() -> {
                fromInside.complete(caught(() -> k.fork(() -> idle(k))));
                idle(k);
            }).pid();
            Throwable inside = fromInside.get(30, SECONDS);
            assertErrno(inside, Errno.EAGAIN);

            int count = k.lwpCount();
            int forks = rec.events(EventType.FORK).size();
            AtomicBoolean ran = new AtomicBoolean();
            LwpLimitException e = (LwpLimitException) caught(() -> small.spawn(() -> ran.set(true)));
            assertThat(e).isNotNull();
            assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
            assertThat(k.lwpCount()).isEqualTo(count);
            assertThat(small.liveLwps()).isEqualTo(2);
            assertThat(rec.events(EventType.FORK)).hasSize(forks);
            assertThat(ran).isFalse();
            List<LifecycleEvent> denied = rec.events(EventType.FORK_DENIED);
            assertThat(denied).hasSize(2);
            assertThat(denied).extracting(LifecycleEvent::pid).containsExactly(b, small.pid());
            assertThat(denied).allSatisfy(d -> assertThat(d.detail()).contains("EAGAIN"));

            k.kill(a, Signal.KILL);
            assertGone(a);
            long c = small.spawn(() -> idle(k)).pid();
            assertThat(c).as("a denied fork allocated no pid").isEqualTo(b + 1);
        } finally {
            small.close(LONG);
        }
    }

    @Test
    void lwpLimit_countsZombiesUntilCollected() throws Exception {
        Sandbox small = k.newSandbox("small", 2);
        try {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            LwpHandle h = small.spawn(() -> {
                try {
                    k.setKeepsZombies(true);
                    long z = k.fork(() -> { }).pid();
                    assertGone(z);
                    assertThat(k.state(z)).isEqualTo(LwpState.ZOMBIE);
                    assertErrno(caught(() -> k.fork(() -> { })), Errno.EAGAIN);
                    k.waitpid(z, false);
                    long next = k.fork(() -> { }).pid();
                    assertThat(k.waitpid(next, false).status()).isEqualTo(ExitStatus.CLEAN);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            assertThat(h.join(LONG)).isTrue();
            assertThat(failure.get()).isNull();
        } finally {
            small.close(LONG);
        }
    }

    // =====================================================================================
    // Forks that are not allowed
    // =====================================================================================

    @Test
    void aForkWhoseThreadCannotStart_isUndone_withAForkFailedEvent() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            Thread used = new Thread(() -> { });
            used.start(); // a thread that has already started cannot start again
            used.join();
            int count = k.lwpCount();
            int live = sb.liveLwps();
            assertThatThrownBy(() -> k.forkLwp(k.currentLwp(), true, used, new LwpThreadMain(k, () -> { })))
                    .isInstanceOf(IllegalThreadStateException.class);
            assertThat(k.lwpCount()).isEqualTo(count);
            assertThat(sb.liveLwps()).isEqualTo(live);
            LifecycleEvent failed = rec.events(EventType.FORK_FAILED).get(0);
            assertThat(rec.events(EventType.FORK_FAILED)).hasSize(1);
            long child = failed.pid();
            assertThat(k.state(child)).isEqualTo(LwpState.REAPED);
            assertThat(k.reaperGetPids(sb.pid(), 16)).extracting(i -> i.pid()).containsExactly(me);
            assertThat(k.killpg(sb.pid(), Signal.NONE).pids()).as("left its group").containsExactly(me);
            List<LifecycleEvent> events = rec.events();
            assertThat(events.indexOf(rec.events(e -> e.type() == EventType.FORK && e.pid() == child).get(0)))
                    .isLessThan(events.indexOf(failed));
            assertErrno(caught(() -> k.waitpid(-1, true)), Errno.ECHILD);
            long next = k.fork(() -> { }).pid();
            assertThat(next).isGreaterThan(child);
        });
    }

    @Test
    void onlyTheHostCreatesSandboxes_withAPositiveLimit() throws Exception {
        assertErrno(caught(() -> k.newSandbox("zero", 0)), Errno.EINVAL);
        assertErrno(caught(() -> k.newSandbox("negative", -1)), Errno.EINVAL);
        inLwp(() -> assertErrno(caught(() -> k.newSandbox("nested", 4)), Errno.EPERM));
        assertThat(k.reaperGetPids(0, 16)).extracting(i -> i.pid()).containsExactly(sb.pid());
        assertThat(sb.maxLwps()).isEqualTo(64);
        assertThat(sb.name()).isEqualTo("lifecycle");
        assertThat(k.getsid(sb.pid())).isEqualTo(sb.pid());
        assertThat(k.getpgid(sb.pid())).isEqualTo(sb.pid());
        assertThat(k.reaperStatus(sb.pid()).owned()).isTrue();
    }

    @Test
    void forkFromAHostThread_isIllegalState() {
        int before = k.lwpCount();
        assertThatThrownBy(() -> k.fork(() -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> k.fork(ForkOptions.platform(), () -> { })).isInstanceOf(IllegalStateException.class);
        assertThat(k.inLwp()).isFalse();
        assertThat(k.getpid()).isEqualTo(Kernel.INIT_PID);
        assertThat(k.lwpCount()).isEqualTo(before);
        assertThat(rec.events(EventType.FORK)).isEmpty();
    }

    @Test
    void spawnFromAnLwpThread_isEperm_soAKilledLwpCannotPlantASurvivor() throws Exception {
        Sandbox other = k.newSandbox("other", 8);
        try {
            CountDownLatch ready = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Throwable> own = new CompletableFuture<>();
            CompletableFuture<Throwable> foreign = new CompletableFuture<>();
            AtomicBoolean ran = new AtomicBoolean();
            long x = sb.spawn(() -> {
                ready.countDown();
                awaitUninterruptibly(go); // marked by the kill below, but at no check point yet
                own.complete(caught(() -> sb.spawn(() -> ran.set(true))));
                foreign.complete(caught(() -> other.spawn(() -> ran.set(true))));
            }).pid();
            assertThat(ready.await(30, SECONDS)).isTrue();
            assertThat(sb.kill().pids()).containsExactly(x);
            int count = k.lwpCount();
            go.countDown();
            assertErrno(own.get(30, SECONDS), Errno.EPERM);
            assertErrno(foreign.get(30, SECONDS), Errno.EPERM);
            assertGone(x);
            assertThat(ran).isFalse();
            assertThat(k.lwpCount()).isEqualTo(count - 1);
            assertThat(sb.liveLwps()).as("nothing survived the kill").isZero();
            assertThat(other.liveLwps()).isZero();
            assertThat(rec.events(e -> e.type() == EventType.FORK && e.ppid() != x)).extracting(LifecycleEvent::pid)
                    .containsExactly(x);
        } finally {
            other.close(LONG);
        }
    }

    @Test
    void spawnAfterClose_isIllegalState_andCloseEndsTheReaper() throws Exception {
        Sandbox s = k.newSandbox("short-lived", 8);
        long a = s.spawn(() -> idle(k)).pid();
        long b = s.spawn(() -> idle(k)).pid();
        s.close(LONG);
        assertThat(s.isClosed()).isTrue();
        assertThat(k.state(a)).isEqualTo(LwpState.REAPED);
        assertThat(k.state(b)).isEqualTo(LwpState.REAPED);
        assertThat(k.state(s.pid())).as("the reaper exited and was reaped").isEqualTo(LwpState.REAPED);
        assertThat(exitOf(s.pid()).signal()).isZero();
        assertThat(rec.events(e -> e.type() == EventType.SANDBOX && e.pid() == s.pid()))
                .extracting(LifecycleEvent::detail).containsExactly("short-lived", "closed");
        assertThat(k.reaperGetPids(0, 16)).extracting(i -> i.pid()).containsExactly(sb.pid());

        AtomicBoolean ran = new AtomicBoolean();
        assertThatThrownBy(() -> s.spawn(() -> ran.set(true))).isInstanceOf(IllegalStateException.class);
        assertThat(ran).isFalse();
        s.close(LONG); // a second close is a no-op
        assertThat(s.isClosed()).isTrue();
    }

    @Test
    void close_failsWhileAnLwpRunsOn_andSucceedsOnceItEnds() throws Exception {
        Sandbox s = k.newSandbox("stubborn", 8);
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long p = s.spawn(() -> {
            ready.countDown();
            awaitUninterruptibly(release); // ignores interrupts, reaches no check point
        }).pid();
        try {
            assertThat(ready.await(30, SECONDS)).isTrue();
            assertThatThrownBy(() -> s.close(Duration.ofMillis(200))).isInstanceOf(IllegalStateException.class);
            assertThat(s.isClosed()).as("the sandbox stays open").isFalse();
            assertThat(k.state(p)).isEqualTo(LwpState.RUNNING);
        } finally {
            release.countDown();
        }
        s.close(LONG);
        assertThat(s.isClosed()).isTrue();
        assertThat(exitOf(p).signal()).as("a killed LWP exits with the kill's status, however its thread ended").isEqualTo(Signal.KILL.number());
    }

    // =====================================================================================
    // shutdown
    // =====================================================================================

    @Test
    void shutdown_cooperativeLwpsEndOnTerm() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        long b = sb.spawn(() -> idle(k)).pid();
        assertThat(sb.shutdown(LONG)).isTrue();
        assertThat(sb.liveLwps()).isZero();
        assertThat(exitOf(a).signal()).isEqualTo(Signal.TERM.number());
        assertThat(exitOf(b).signal()).isEqualTo(Signal.TERM.number());
        assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.signal() == Signal.KILL.number())).isEmpty();
    }

    @Test
    void shutdown_lwpsThatIgnoreTerm_needKill() throws Exception {
        List<Signal> handled = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(2);
        long handler = sb.spawn(() -> {
            k.sigaction(Signal.TERM, SignalAction.handle(handled::add)); // a handler that carries on
            ready.countDown();
            tick(k);
        }).pid();
        long ignorer = sb.spawn(() -> {
            k.sigaction(Signal.TERM, SignalAction.IGNORE);
            ready.countDown();
            tick(k);
        }).pid();
        assertThat(ready.await(30, SECONDS)).isTrue();
        assertThat(sb.shutdown(Duration.ofSeconds(3))).as("TERM, the grace period, then KILL").isTrue();
        assertThat(handled).containsExactly(Signal.TERM);
        assertThat(exitOf(handler).signal()).isEqualTo(Signal.KILL.number());
        assertThat(exitOf(ignorer).signal()).isEqualTo(Signal.KILL.number());
        assertThat(rec.events(e -> e.type() == EventType.KILL_END)).extracting(LifecycleEvent::signal)
                .containsExactly(Signal.TERM.number(), Signal.KILL.number());
    }

    // =====================================================================================
    // Thread kinds
    // =====================================================================================

    @Test
    void forkOptions_nameAndDaemon() throws Exception {
        CompletableFuture<String[]> seen = new CompletableFuture<>();
        LwpHandle h = sb.spawn(ForkOptions.platform().withName("plugin-main").withDaemon(true), () -> {
            Thread t = Thread.currentThread();
            seen.complete(new String[] {t.getName(), String.valueOf(t.isDaemon()), String.valueOf(k.inLwp())});
        });
        assertThat(seen.get(30, SECONDS)).containsExactly("plugin-main", "true", "true");
        assertThat(h.thread().getName()).isEqualTo("plugin-main");
        assertThat(ForkOptions.platform().isVirtual()).isFalse();
    }

    @Test
    void virtualThreadForks() throws Exception {
        assumeTrue(ForkOptions.virtualThreadsAvailable(),
                "skipped: this JDK lacks virtual threads (JDK " + Runtime.version().feature() + " < 21)");
        CompletableFuture<LwpHandle> child = new CompletableFuture<>();
        CountDownLatch ready = new CountDownLatch(2);
        LwpHandle parent = sb.spawn(ForkOptions.virtual(), () -> {
            child.complete(k.fork(ForkOptions.virtual().withName("virtual-child"), () -> {
                ready.countDown();
                idle(k);
            }));
            ready.countDown();
            idle(k);
        });
        LwpHandle c = child.get(30, SECONDS);
        assertThat(ready.await(30, SECONDS)).isTrue();
        assertThat(ForkOptions.isVirtual(parent.thread())).isTrue();
        assertThat(ForkOptions.isVirtual(c.thread())).isTrue();
        assertThat(c.thread().getName()).isEqualTo("virtual-child");
        assertThat(k.getpgid(c.pid())).isEqualTo(sb.pid());
        assertThat(k.reaperStatus(sb.pid()).descendants()).isEqualTo(2);

        KillResult r = sb.kill();
        assertThat(r.pids()).containsExactlyInAnyOrder(parent.pid(), c.pid());
        assertThat(sb.awaitTermination(LONG)).isTrue();
        assertThat(exitOf(c.pid()).virtualThread()).as("the child's own thread published its exit").isTrue();
        assertThat(exitOf(c.pid()).signal()).isEqualTo(Signal.KILL.number());
        assertThat(rec.events(e -> e.type() == EventType.FORK && e.pid() == c.pid())).singleElement()
                .satisfies(e -> assertThat(e.virtualThread()).as("forked by a virtual thread").isTrue());
    }

    @Test
    void virtualThreadOptions_onAJdkWithout_areUnsupported() {
        assumeFalse(ForkOptions.virtualThreadsAvailable(), "skipped: this JDK has virtual threads");
        assertThatThrownBy(ForkOptions::virtual).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ForkOptions.isVirtual(Thread.currentThread())).isFalse();
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    /** Waits until {@code t} parks (e.g. in waitpid). */
    private static void awaitBlockedIn(Thread t) {
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(t + " never blocked");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
