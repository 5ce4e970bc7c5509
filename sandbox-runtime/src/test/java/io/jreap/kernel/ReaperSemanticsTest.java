package io.jreap.kernel;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.BusyException;
import io.jreap.proc.Errno;
import io.jreap.proc.ExitStatus;
import io.jreap.proc.InvalidArgumentException;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpState;
import io.jreap.proc.NoChildException;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.ReaperPidInfo;
import io.jreap.proc.ReaperStatus;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The FreeBSD {@code tests/sys/kern/reaper.c} ATF cases and the {@code procctl(2)} reaper rules
 * (reference/freebsd-reaper.md sections 2 and 3), ported to LWPs. A "process" of the original is
 * an LWP here; the test's reaper is an LWP of a sandbox that runs the test body in its own thread,
 * because every kernel call acts for the calling thread.
 */
class ReaperSemanticsTest extends SandboxTestSupport {
    private static final int VALID = ReaperPidInfo.VALID;
    private static final int CHILD = ReaperPidInfo.CHILD;
    private static final int REAPER = ReaperPidInfo.REAPER;
    private static final int ZOMBIE = ReaperPidInfo.ZOMBIE;
    private static final int STOPPED = ReaperPidInfo.STOPPED;

    ReaperSemanticsTest() {
        super("reaper-test");
    }

    // =====================================================================================
    // reaper_wait_child_first / reaper_wait_grandchild_first
    // =====================================================================================

    @Test
    void waitChildFirst_orphanGoesToReaperWhichCollectsItsStatus() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            k.setKeepsZombies(true);
            k.reaperAcquire(0);
            CountDownLatch childCollected = new CountDownLatch(1);
            CompletableFuture<Long> grandchild = new CompletableFuture<>();
            CompletableFuture<Long> grandchildPpid = new CompletableFuture<>();
            long child = k.fork(() -> grandchild.complete(k.fork(() -> {
                awaitLatch(k, childCollected);
                grandchildPpid.complete(k.getppid());
                k.kill(k.getpid(), Signal.USR1); // "exit 2": a status distinct from the child's
                k.checkSignals();
            }).pid())).pid();
            long g = grandchild.get(30, SECONDS);

            Kernel.WaitResult first = k.waitpid(-1, false);
            assertThat(first.pid()).as("only the child can have exited yet").isEqualTo(child);
            assertThat(first.status()).isEqualTo(ExitStatus.CLEAN);

            childCollected.countDown();
            assertThat(grandchildPpid.get(30, SECONDS)).as("getppid() of the orphan is the reaper").isEqualTo(me);
            Kernel.WaitResult second = k.waitpid(-1, false);
            assertThat(second.pid()).isEqualTo(g);
            assertThat(second.status()).isEqualTo(ExitStatus.killedBy(Signal.USR1));
            assertThat(second.status().signaled()).isTrue();

            assertThatThrownBy(() -> k.waitpid(-1, true)).isInstanceOf(NoChildException.class);
        });
    }

    @Test
    void waitGrandchildFirst_zombieOrphanIsStillCollectedByReaper() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            k.setKeepsZombies(true);
            k.reaperAcquire(0);
            CompletableFuture<Long> grandchild = new CompletableFuture<>();
            long child = k.fork(() -> {
                k.setKeepsZombies(true);
                long g = k.fork(() -> {
                    k.kill(k.getpid(), Signal.USR1);
                    k.checkSignals();
                }).pid();
                try {
                    // waitid(WNOWAIT): the grandchild is a zombie before the child exits
                    assertThat(k.awaitExit(new long[] {g}, 30, SECONDS)).isEmpty();
                    assertThat(k.state(g)).isEqualTo(LwpState.ZOMBIE);
                    grandchild.complete(g);
                } catch (Throwable t) {
                    grandchild.completeExceptionally(t);
                }
            }).pid();
            long g = grandchild.get(30, SECONDS);
            assertThat(k.awaitExit(new long[] {child}, 30, SECONDS)).isEmpty();

            // Both are zombies now, and the zombie orphan is the reaper's child.
            assertThat(k.reaperGetPids(0, 16)).containsExactlyInAnyOrder(
                    new ReaperPidInfo(child, child, VALID | CHILD | ZOMBIE),
                    new ReaperPidInfo(g, child, VALID | CHILD | ZOMBIE));
            assertThat(rec.events(e -> e.type() == EventType.REPARENT && e.pid() == g))
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.other()).as("old parent").isEqualTo(child);
                        assertThat(e.ppid()).as("new parent").isEqualTo(me);
                    });

            Map<Long, ExitStatus> collected = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Kernel.WaitResult w = k.waitpid(-1, false);
                collected.put(w.pid(), w.status());
            }
            assertThat(collected).containsOnly(entry(child, ExitStatus.CLEAN),
                    entry(g, ExitStatus.killedBy(Signal.USR1)));
            assertThat(k.reaperGetPids(0, 16)).isEmpty();
            assertThatThrownBy(() -> k.waitpid(-1, false)).isInstanceOf(NoChildException.class);
        });
    }

    // =====================================================================================
    // reaper_status
    // =====================================================================================

    @Test
    void reaperStatus_beforeAndAfterAcquire_andFromAChild() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            ReaperStatus before = k.reaperStatus(0);
            assertThat(before.owned()).isFalse();
            assertThat(before.realInit()).isFalse();
            assertThat(before.reaperPid()).as("an LWP's reaper is its sandbox's").isEqualTo(sb.pid());
            assertThat(before.children()).isEqualTo(1);
            assertThat(before.descendants()).isEqualTo(1);
            assertThat(before.pid()).isEqualTo(me);

            k.reaperAcquire(0);
            k.setKeepsZombies(true);
            assertThat(k.reaperStatus(0)).isEqualTo(new ReaperStatus(ReaperStatus.OWNED, 0, 0, me, -1));

            CompletableFuture<ReaperStatus[]> fromChild = new CompletableFuture<>();
            long child = k.fork(() -> fromChild.complete(
                    new ReaperStatus[] {k.reaperStatus(0), k.reaperStatus(me)})).pid();
            ReaperStatus[] seen = fromChild.get(30, SECONDS);
            assertThat(seen[0]).as("queried from the child: itself")
                    .isEqualTo(new ReaperStatus(0, 1, 1, me, child));
            assertThat(seen[1]).as("queried from the child: its reaper")
                    .isEqualTo(new ReaperStatus(ReaperStatus.OWNED, 1, 1, me, child));

            assertThat(k.awaitExit(new long[] {child}, 30, SECONDS)).isEmpty();
            assertThat(k.reaperStatus(0)).as("a zombie is still on the reap list")
                    .isEqualTo(new ReaperStatus(ReaperStatus.OWNED, 1, 1, me, child));
            k.waitpid(child, false);
            assertThat(k.reaperStatus(0)).isEqualTo(new ReaperStatus(ReaperStatus.OWNED, 0, 0, me, -1));
        });
        assertThat(k.reaperStatus(0)).as("the host is init: OWNED and REALINIT")
                .isEqualTo(new ReaperStatus(ReaperStatus.OWNED | ReaperStatus.REALINIT, 1, 1, Kernel.INIT_PID, sb.pid()));
        assertThat(k.reaperStatus(sb.pid())).as("a sandbox reaper is a reaper, not init")
                .isEqualTo(new ReaperStatus(ReaperStatus.OWNED, 0, 0, sb.pid(), -1));
    }

    // =====================================================================================
    // reaper_getpids
    // =====================================================================================

    @Test
    void reaperGetpids_childThenGrandchild_thenOrphan_thenEmpty() throws Exception {
        inLwp(() -> {
            k.reaperAcquire(0);
            k.setKeepsZombies(true);
            assertThat(k.reaperGetPids(0, 16)).isEmpty();

            CountDownLatch forkNow = new CountDownLatch(1);
            CompletableFuture<Long> grandchild = new CompletableFuture<>();
            long child = k.fork(() -> {
                awaitLatch(k, forkNow);
                grandchild.complete(k.fork(() -> idle(k)).pid());
                idle(k);
            }).pid();
            assertThat(k.reaperGetPids(0, 16)).containsExactly(new ReaperPidInfo(child, child, VALID | CHILD));

            forkNow.countDown();
            long g = grandchild.get(30, SECONDS);
            assertThat(k.reaperGetPids(0, 16)).as("same subtree id for child and grandchild")
                    .containsExactlyInAnyOrder(new ReaperPidInfo(child, child, VALID | CHILD),
                            new ReaperPidInfo(g, child, VALID));
            assertThat(k.reaperGetPids(0, 1)).as("truncation is not an error").hasSize(1);
            assertThat(k.reaperGetPids(0, 0)).isEmpty();
            assertThatThrownBy(() -> k.reaperGetPids(0, -1)).isInstanceOf(InvalidArgumentException.class);

            k.kill(child, Signal.TERM);
            assertThat(k.awaitExit(new long[] {child}, 30, SECONDS)).isEmpty();
            assertThat(k.reaperGetPids(0, 16)).as("the orphaned grandchild is now the reaper's child")
                    .containsExactlyInAnyOrder(new ReaperPidInfo(child, child, VALID | CHILD | ZOMBIE),
                            new ReaperPidInfo(g, child, VALID | CHILD));
            assertThat(k.waitpid(child, false).status()).isEqualTo(ExitStatus.killedBy(Signal.TERM));
            assertThat(k.reaperGetPids(0, 16)).containsExactly(new ReaperPidInfo(g, child, VALID | CHILD));

            k.kill(g, Signal.TERM);
            assertThat(k.waitpid(g, false).status()).isEqualTo(ExitStatus.killedBy(Signal.TERM));
            assertThat(k.reaperGetPids(0, 16)).isEmpty();
        });
    }

    @Test
    void reaperGetpids_flagsReaperAndStopped_andSubReaperHidesItsDescendants() throws Exception {
        inLwp(() -> {
            k.reaperAcquire(0);
            CompletableFuture<Long> below = new CompletableFuture<>();
            long sub = k.fork(() -> {
                k.reaperAcquire(0);
                below.complete(k.fork(() -> idle(k)).pid());
                idle(k);
            }).pid();
            long b = below.get(30, SECONDS);
            assertThat(k.reaperGetPids(0, 16)).as("a sub-reaper's descendants are not listed")
                    .containsExactly(new ReaperPidInfo(sub, sub, VALID | CHILD | REAPER));
            assertThat(k.reaperGetPids(sub, 16)).as("the sub-reaper's own list; subtree ids restart there")
                    .containsExactly(new ReaperPidInfo(b, b, VALID | CHILD));

            k.kill(sub, Signal.STOP);
            assertThat(k.reaperGetPids(0, 16))
                    .containsExactly(new ReaperPidInfo(sub, sub, VALID | CHILD | REAPER | STOPPED));
            k.kill(sub, Signal.CONT);
            assertThat(k.reaperGetPids(0, 16))
                    .containsExactly(new ReaperPidInfo(sub, sub, VALID | CHILD | REAPER));

            KillResult all = k.reaperKill(0, Signal.KILL, Kernel.REAPER_KILL_ALL, 0);
            assertThat(all.pids()).as("a reap kill descends into sub-reapers").containsExactlyInAnyOrder(sub, b);
            assertGone(sub, b);
        });
    }

    // =====================================================================================
    // reaper_kill_*
    // =====================================================================================

    @Test
    void reaperKill_badSignalAndSignalZeroAreEinval() throws Exception {
        inLwp(() -> {
            k.reaperAcquire(0);
            long c = forkIdle(k);
            assertThat(catchThrowableOfType(InvalidArgumentException.class, () -> Signal.of(-1)).errno())
                    .as("reaper_kill_badsig: -1 is no signal").isEqualTo(Errno.EINVAL);
            assertThat(catchThrowableOfType(InvalidArgumentException.class,
                    () -> k.reaperKill(0, null, Kernel.REAPER_KILL_ALL, 0)).errno()).isEqualTo(Errno.EINVAL);
            assertThat(catchThrowableOfType(InvalidArgumentException.class,
                    () -> k.reaperKill(0, Signal.NONE, Kernel.REAPER_KILL_ALL, 0)).errno())
                    .as("reaper_kill_sigzero").isEqualTo(Errno.EINVAL);
            assertThat(k.state(c)).isIn(LwpState.NEW, LwpState.RUNNING);
        });
        assertThat(rec.events(EventType.SIGNAL_SENT)).as("a rejected kill signals nothing").isEmpty();
        assertThat(rec.events(EventType.KILL_BEGIN)).as("nor begins").isEmpty();
    }

    @Test
    void reaperKill_emptyIsEsrchWithNothingKilled() throws Exception {
        inLwp(() -> {
            k.reaperAcquire(0);
            NoSuchProcessException e = catchThrowableOfType(NoSuchProcessException.class,
                    () -> k.reaperKill(0, Signal.TERM, Kernel.REAPER_KILL_ALL, 0));
            assertThat(e.errno()).isEqualTo(Errno.ESRCH);
            assertThat(e.partialResult()).hasValueSatisfying(r -> {
                assertThat(r.killed()).isZero();
                assertThat(r.firstFailedPid()).isEqualTo(-1);
                assertThat(r.pids()).isEmpty();
            });
        });
        Sandbox empty = k.newSandbox("empty", 4);
        try {
            KillResult r = empty.signal(Signal.TERM);
            assertThat(r.killed()).as("Sandbox.signal maps ESRCH to 0 killed").isZero();
            assertThat(r.firstFailedPid()).isEqualTo(-1);
        } finally {
            empty.close(LONG);
        }
    }

    @Test
    void reaperKill_normal_killsChildAndGrandchildWithTerm() throws Exception {
        inLwp(() -> {
            k.setKeepsZombies(true);
            k.reaperAcquire(0);
            long[] cg = forkChildWithGrandchild(k, true);
            KillResult r = k.reaperKill(0, Signal.TERM, Kernel.REAPER_KILL_ALL, 0);
            assertThat(r.killed()).isEqualTo(2);
            assertThat(r.firstFailedPid()).isEqualTo(-1);
            assertThat(r.pids()).containsExactlyInAnyOrder(cg[0], cg[1]);
            Map<Long, ExitStatus> collected = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Kernel.WaitResult w = k.waitpid(-1, false);
                collected.put(w.pid(), w.status());
            }
            assertThat(collected).containsOnly(entry(cg[0], ExitStatus.killedBy(Signal.TERM)),
                    entry(cg[1], ExitStatus.killedBy(Signal.TERM)));
        });
    }

    @Test
    void reaperKill_subtree_killsExactlyThatSubtree() throws Exception {
        inLwp(() -> {
            k.reaperAcquire(0);
            long[] a = forkChildWithGrandchild(k, false);
            long[] b = forkChildWithGrandchild(k, false);

            KillResult r1 = k.reaperKill(0, Signal.USR1, Kernel.REAPER_KILL_SUBTREE, a[0]);
            assertThat(r1.killed()).isEqualTo(2);
            assertThat(r1.firstFailedPid()).isEqualTo(-1);
            assertThat(r1.pids()).containsExactlyInAnyOrder(a[0], a[1]);
            assertGone(a);
            assertThat(k.state(b[0])).isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(k.state(b[1])).isIn(LwpState.NEW, LwpState.RUNNING);

            KillResult r2 = k.reaperKill(0, Signal.USR2, Kernel.REAPER_KILL_SUBTREE, b[0]);
            assertThat(r2.killed()).isEqualTo(2);
            assertThat(r2.firstFailedPid()).isEqualTo(-1);
            assertThat(r2.pids()).containsExactlyInAnyOrder(b[0], b[1]);
            assertGone(b);

            assertThatThrownBy(() -> k.reaperKill(0, Signal.TERM, Kernel.REAPER_KILL_SUBTREE, a[0]))
                    .as("nothing left in that subtree").isInstanceOf(NoSuchProcessException.class);
            for (long p : a) {
                assertThat(exitOf(p).signal()).as("pid %d died of USR1", p).isEqualTo(Signal.USR1.number());
            }
            for (long p : b) {
                assertThat(exitOf(p).signal()).as("pid %d died of USR2", p).isEqualTo(Signal.USR2.number());
            }
        });
    }

    @Test
    void reaperKill_modesSelectTheirTargets_childrenModeIsDirectChildrenOnly() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            long early = forkIdle(k); // forked before ACQUIRE: a child whose reaper is the sandbox's
            k.reaperAcquire(0);
            long[] a = forkChildWithGrandchild(k, false);
            long b = forkIdle(k);

            // CONT is harmless to running LWPs, so each mode's target set can be read off its result.
            assertThat(k.reaperKill(0, Signal.CONT, Kernel.REAPER_KILL_ALL, 0).pids())
                    .as("default: the reap list, transitively").containsExactlyInAnyOrder(a[0], a[1], b);
            assertThat(k.reaperKill(0, Signal.CONT, Kernel.REAPER_KILL_CHILDREN, 0).pids())
                    .as("CHILDREN: direct children, whatever their reaper").containsExactlyInAnyOrder(early, a[0], b);
            assertThat(k.reaperKill(0, Signal.CONT, Kernel.REAPER_KILL_SUBTREE, a[0]).pids())
                    .containsExactlyInAnyOrder(a[0], a[1]);

            KillResult r = k.reaperKill(0, Signal.TERM, Kernel.REAPER_KILL_CHILDREN, 0);
            assertThat(r.killed()).isEqualTo(3);
            assertGone(early, a[0], b);
            assertThat(k.state(a[1])).as("a grandchild is not a target of CHILDREN").isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(k.reaperGetPids(0, 16)).containsExactly(new ReaperPidInfo(a[1], a[0], VALID | CHILD));
            assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.pid() == a[1]
                    && e.signal() == Signal.TERM.number())).isEmpty();
            assertThat(me).isEqualTo(k.getpid());
        });
    }

    @Test
    void reaperKill_doesNotChaseAChildForkedByAHandlerOfThatKillsSignal_theNextKillGetsIt() throws Exception {
        // DESIGN 4 rule 8 as seen from outside. (Targets are woken after the last pass, so here the
        // handler runs once the kill is over; the in-flight skip itself is the stress tests' job.)
        inLwp(() -> {
            k.reaperAcquire(0);
            CompletableFuture<Long> bornInHandler = new CompletableFuture<>();
            CountDownLatch ready = new CountDownLatch(1);
            long survivor = k.fork(() -> {
                k.sigaction(Signal.TERM, SignalAction.handleInterrupting(sig -> {
                    if (!bornInHandler.isDone()) {
                        bornInHandler.complete(k.fork(() -> idle(k)).pid());
                    }
                }));
                ready.countDown();
                idle(k);
            }).pid();
            assertThat(ready.await(30, SECONDS)).isTrue();

            KillResult first = k.reaperKill(0, Signal.TERM, Kernel.REAPER_KILL_ALL, 0);
            assertThat(first.pids()).containsExactly(survivor);
            long child = bornInHandler.get(30, SECONDS);
            assertThat(k.state(survivor)).as("it handled TERM").isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.pid() == child))
                    .as("the handler's child was not chased by the kill its parent survived").isEmpty();

            KillResult second = k.reaperKill(0, Signal.KILL, Kernel.REAPER_KILL_ALL, 0);
            assertThat(second.pids()).as("the next kill gets it").containsExactlyInAnyOrder(survivor, child);
            assertGone(survivor, child);
        });
    }

    @Test
    void reaperKill_childrenOfInit_skipsSandboxReapers() {
        NoSuchProcessException e = catchThrowableOfType(NoSuchProcessException.class,
                () -> k.reaperKill(0, Signal.KILL, Kernel.REAPER_KILL_CHILDREN, 0));
        assertThat(e).as("init's only children are sandbox reapers, which are never signalled").isNotNull();
        assertThat(k.state(sb.pid())).isEqualTo(LwpState.RUNNING);
        assertThat(rec.events(EventType.SIGNAL_SENT)).isEmpty();
    }

    @Test
    void reaperKill_flagErrorsAreEinval() throws Exception {
        inLwp(() -> {
            k.reaperAcquire(0);
            long c = forkIdle(k);
            for (int flags : new int[] {Kernel.REAPER_KILL_CHILDREN | Kernel.REAPER_KILL_SUBTREE, 0x4, 0x100, -1}) {
                InvalidArgumentException e = catchThrowableOfType(InvalidArgumentException.class,
                        () -> k.reaperKill(0, Signal.TERM, flags, c));
                assertThat(e).as("flags 0x%x", flags).isNotNull();
                assertThat(e.errno()).isEqualTo(Errno.EINVAL);
            }
            assertThat(k.state(c)).isIn(LwpState.NEW, LwpState.RUNNING);
        });
        assertThat(rec.events(EventType.SIGNAL_SENT)).isEmpty();
    }

    // =====================================================================================
    // PROC_REAP_ACQUIRE
    // =====================================================================================

    @Test
    void acquire_onlyOnSelf_andOnlyOnce() throws Exception {
        Sandbox other = k.newSandbox("other", 4);
        try {
            inLwp(() -> {
                long c = forkIdle(k);
                assertThat(catchThrowableOfType(PermissionDeniedException.class, () -> k.reaperAcquire(c)).errno())
                        .isEqualTo(Errno.EPERM);
                assertThatThrownBy(() -> k.reaperAcquire(sb.pid())).isInstanceOf(PermissionDeniedException.class);
                assertThatThrownBy(() -> k.reaperAcquire(other.pid()))
                        .as("another sandbox's pid is invisible").isInstanceOf(NoSuchProcessException.class);
                assertThat(k.reaperStatus(0).owned()).isFalse();
                k.reaperAcquire(0);
                assertThat(k.reaperStatus(0).owned()).isTrue();
                assertThat(catchThrowableOfType(BusyException.class, () -> k.reaperAcquire(0)).errno())
                        .isEqualTo(Errno.EBUSY);
                assertThatThrownBy(() -> k.reaperAcquire(k.getpid())).isInstanceOf(BusyException.class);
            });
            assertThatThrownBy(() -> k.reaperAcquire(0)).as("init is a reaper already").isInstanceOf(BusyException.class);
            assertThatThrownBy(() -> k.reaperAcquire(sb.pid())).isInstanceOf(PermissionDeniedException.class);
            assertThat(rec.events(EventType.REAPER_ACQUIRE)).hasSize(1);
        } finally {
            other.close(LONG);
        }
    }

    @Test
    void acquire_doesNotRecaptureExistingDescendants() throws Exception {
        inLwp(() -> {
            CountDownLatch forkNow = new CountDownLatch(1);
            CompletableFuture<Long> earlysChild = new CompletableFuture<>();
            long early = k.fork(() -> {
                awaitLatch(k, forkNow);
                earlysChild.complete(k.fork(() -> idle(k)).pid());
                idle(k);
            }).pid();
            k.reaperAcquire(0);
            long later = forkIdle(k);
            forkNow.countDown();
            long ec = earlysChild.get(30, SECONDS);

            assertThat(k.reaperGetPids(0, 16)).as("only LWPs forked after ACQUIRE")
                    .containsExactly(new ReaperPidInfo(later, later, VALID | CHILD));
            ReaperStatus st = k.reaperStatus(0);
            assertThat(st.children()).isEqualTo(1);
            assertThat(st.descendants()).isEqualTo(1);
            assertThat(st.pid()).as("rs_pid: the newest child").isEqualTo(later);
            assertThat(k.reaperStatus(early).reaperPid()).as("the early child keeps its reaper").isEqualTo(sb.pid());
            assertThat(k.reaperStatus(ec).reaperPid()).as("and passes it on").isEqualTo(sb.pid());
            assertThat(k.reaperKill(0, Signal.CONT, Kernel.REAPER_KILL_ALL, 0).pids()).containsExactly(later);
        });
    }

    // =====================================================================================
    // PROC_REAP_RELEASE
    // =====================================================================================

    @Test
    void release_errors() throws Exception {
        assertThat(catchThrowableOfType(InvalidArgumentException.class, () -> k.reaperRelease(0)).errno())
                .as("init cannot release").isEqualTo(Errno.EINVAL);
        assertThatThrownBy(() -> k.reaperRelease(Kernel.INIT_PID)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> k.reaperRelease(sb.pid())).isInstanceOf(PermissionDeniedException.class);
        inLwp(() -> {
            long c = forkIdle(k);
            assertThat(catchThrowableOfType(InvalidArgumentException.class, () -> k.reaperRelease(0)).errno())
                    .as("not a reaper").isEqualTo(Errno.EINVAL);
            k.reaperAcquire(0);
            assertThat(catchThrowableOfType(PermissionDeniedException.class, () -> k.reaperRelease(c)).errno())
                    .isEqualTo(Errno.EPERM);
            k.reaperRelease(0);
            assertThatThrownBy(() -> k.reaperRelease(0)).isInstanceOf(InvalidArgumentException.class);
            k.reaperAcquire(0); // may be acquired again
            assertThat(k.reaperStatus(0).owned()).isTrue();
        });
        assertThat(k.reaperStatus(sb.pid()).owned()).as("a failed release changes nothing").isTrue();
    }

    @Test
    void release_movesReapListToOwnReaper_butParentLinksStay() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            k.setKeepsZombies(true);
            k.reaperAcquire(0);
            long[] a = forkChildWithGrandchild(k, false);
            k.reaperRelease(0);

            ReaperStatus st = k.reaperStatus(0);
            assertThat(st.owned()).isFalse();
            assertThat(st.reaperPid()).isEqualTo(sb.pid());
            assertThat(k.reaperGetPids(sb.pid(), 16)).as("subtree ids become the releaser's own")
                    .containsExactlyInAnyOrder(new ReaperPidInfo(me, me, VALID | CHILD),
                            new ReaperPidInfo(a[0], me, VALID),
                            new ReaperPidInfo(a[1], me, VALID));
            assertThat(rec.events(EventType.REPARENT)).as("RELEASE changes no parent link").isEmpty();

            // The child is still ours to wait for ...
            k.kill(a[0], Signal.TERM);
            assertThat(k.waitpid(a[0], false).status()).isEqualTo(ExitStatus.killedBy(Signal.TERM));
            // ... but its orphan now goes to the sandbox reaper, no longer to us.
            assertThat(k.reaperGetPids(sb.pid(), 16))
                    .containsExactlyInAnyOrder(new ReaperPidInfo(me, me, VALID | CHILD),
                            new ReaperPidInfo(a[1], me, VALID | CHILD));
            assertThat(rec.events(e -> e.type() == EventType.REPARENT && e.pid() == a[1]))
                    .singleElement().satisfies(e -> assertThat(e.ppid()).isEqualTo(sb.pid()));
        });
        assertThat(rec.events(EventType.REAPER_RELEASE)).singleElement().satisfies(e -> {
            assertThat(e.count()).as("LWPs handed over").isEqualTo(2);
            assertThat(e.other()).as("to the releaser's reaper").isEqualTo(sb.pid());
        });
    }

    // =====================================================================================
    // Exit of a reaper; orphans in a sandbox
    // =====================================================================================

    @Test
    void deadReaper_keepsItsChildrenWhileZombie_andHandsThemOnWhenCollected() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            k.setKeepsZombies(true);
            k.reaperAcquire(0);
            CountDownLatch exitNow = new CountDownLatch(1);
            CompletableFuture<long[]> below = new CompletableFuture<>();
            long mid = k.fork(() -> {
                k.reaperAcquire(0);
                try {
                    below.complete(forkChildWithGrandchild(k, false));
                } catch (Exception e) {
                    below.completeExceptionally(e);
                }
                awaitLatch(k, exitNow);
            }).pid();
            long[] bc = below.get(30, SECONDS);
            exitNow.countDown();
            assertThat(k.awaitExit(new long[] {mid}, 30, SECONDS)).isEmpty();

            assertThat(k.state(mid)).isEqualTo(LwpState.ZOMBIE);
            // Queried through a live member (FreeBSD's procctl does not look up zombies).
            assertThat(k.reaperStatus(bc[1]).reaperPid()).isEqualTo(mid);
            assertThat(k.reaperGetPids(bc[1], 16)).as("a zombie reaper keeps its reap list")
                    .containsExactlyInAnyOrder(new ReaperPidInfo(bc[0], bc[0], VALID | CHILD),
                            new ReaperPidInfo(bc[1], bc[0], VALID));
            assertThat(k.reaperGetPids(0, 16)).containsExactly(new ReaperPidInfo(mid, mid, VALID | CHILD | REAPER | ZOMBIE));

            assertThat(k.reaperKill(0, Signal.CONT, Kernel.REAPER_KILL_ALL, 0).pids())
                    .as("a reap kill still reaches the live LWPs below a zombie sub-reaper")
                    .containsExactlyInAnyOrder(bc[0], bc[1]);

            assertThat(k.waitpid(mid, false).status()).isEqualTo(ExitStatus.CLEAN);
            assertThat(k.reaperGetPids(0, 16)).as("collected: its list and its children are ours")
                    .containsExactlyInAnyOrder(new ReaperPidInfo(bc[0], mid, VALID | CHILD),
                            new ReaperPidInfo(bc[1], mid, VALID));
            assertThat(rec.events(e -> e.type() == EventType.REPARENT && e.pid() == bc[0]))
                    .singleElement().satisfies(e -> {
                        assertThat(e.other()).isEqualTo(mid);
                        assertThat(e.ppid()).isEqualTo(me);
                    });
            k.kill(bc[0], Signal.TERM);
            assertThat(k.waitpid(bc[0], false).status()).as("the handed-over child is ours to wait for")
                    .isEqualTo(ExitStatus.killedBy(Signal.TERM));
            k.kill(bc[1], Signal.TERM);
            assertThat(k.waitpid(bc[1], false).status()).isEqualTo(ExitStatus.killedBy(Signal.TERM));
        });
    }

    @Test
    void deadReaper_reapedAtOnce_handsItsListToTheSandboxReaper_neverToInit() throws Exception {
        CompletableFuture<long[]> below = new CompletableFuture<>();
        long mid = sb.spawn(() -> {
            k.reaperAcquire(0);
            try {
                below.complete(forkChildWithGrandchild(k, false));
            } catch (Exception e) {
                below.completeExceptionally(e);
            }
        }).pid();
        long[] bc = below.get(30, SECONDS);
        assertGone(mid);
        assertThat(k.state(mid)).as("the sandbox reaper keeps no zombies").isEqualTo(LwpState.REAPED);
        assertThat(k.reaperGetPids(sb.pid(), 16)).containsExactlyInAnyOrder(
                new ReaperPidInfo(bc[0], mid, VALID | CHILD), new ReaperPidInfo(bc[1], mid, VALID));
        assertInitHasOnlySandboxReapers();
    }

    @Test
    void sandboxOrphansNeverGoToInit() throws Exception {
        CompletableFuture<long[]> below = new CompletableFuture<>();
        long top = sb.spawn(() -> {
            try {
                below.complete(forkChildWithGrandchild(k, false));
            } catch (Exception e) {
                below.completeExceptionally(e);
            }
        }).pid();
        long[] bc = below.get(30, SECONDS);
        assertGone(top);
        k.kill(bc[0], Signal.TERM);
        assertGone(bc[0]);
        assertThat(k.reaperGetPids(sb.pid(), 16)).containsExactly(new ReaperPidInfo(bc[1], top, VALID | CHILD));
        List<LifecycleEvent> reparents = rec.events(EventType.REPARENT);
        assertThat(reparents).extracting(LifecycleEvent::pid).containsExactlyInAnyOrder(bc[0], bc[1]);
        assertThat(reparents).allSatisfy(e -> assertThat(e.ppid()).isEqualTo(sb.pid()));
        assertInitHasOnlySandboxReapers();
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    private void assertInitHasOnlySandboxReapers() {
        assertThat(k.reaperGetPids(0, 16)).as("init's reap list holds sandbox reapers only")
                .containsExactly(new ReaperPidInfo(sb.pid(), Kernel.INIT_PID, VALID | CHILD | REAPER));
        assertThat(rec.events(e -> e.type() == EventType.REPARENT && e.ppid() == Kernel.INIT_PID)).isEmpty();
    }

    /** Forks an idling child that forks an idling grandchild; returns {child, grandchild}. */
    static long[] forkChildWithGrandchild(Kernel k, boolean childKeepsZombies) throws Exception {
        CompletableFuture<Long> grandchild = new CompletableFuture<>();
        long child = k.fork(() -> {
            k.setKeepsZombies(childKeepsZombies);
            try {
                grandchild.complete(k.fork(() -> idle(k)).pid());
            } catch (Throwable t) {
                grandchild.completeExceptionally(t);
                throw t;
            }
            idle(k);
        }).pid();
        return new long[] {child, grandchild.get(30, SECONDS)};
    }
}
