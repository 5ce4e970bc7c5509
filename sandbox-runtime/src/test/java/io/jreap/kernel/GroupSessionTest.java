package io.jreap.kernel;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.jreap.event.EventType;
import io.jreap.proc.Errno;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpState;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Process groups and sessions: {@code setpgid}, {@code setsid}, {@code getpgid}, {@code getsid}, {@code killpg}. */
class GroupSessionTest extends SandboxTestSupport {
    GroupSessionTest() {
        super("groups");
    }

    // =====================================================================================
    // setpgid
    // =====================================================================================

    @Test
    void setpgid_selfAndChild_createOrJoinGroupsOfTheSession() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            assertThat(k.getpgid(0)).as("an LWP starts in its sandbox's group").isEqualTo(sb.pid());
            assertThat(k.getsid(0)).isEqualTo(sb.pid());

            k.setpgid(0, 0);
            assertThat(k.getpgid(0)).as("pgid 0: a new group led by the caller").isEqualTo(me);
            assertThat(k.getsid(0)).as("in the same session").isEqualTo(sb.pid());
            k.setpgid(0, sb.pid());
            assertThat(k.getpgid(0)).as("join an existing group of the session").isEqualTo(sb.pid());
            k.setpgid(me, me);
            assertThat(k.getpgid(me)).as("pgid == pid also creates").isEqualTo(me);

            long c = forkIdle(k);
            assertThat(k.getpgid(c)).as("a child inherits the group").isEqualTo(me);
            assertThat(k.getsid(c)).isEqualTo(sb.pid());
            k.setpgid(c, 0);
            assertThat(k.getpgid(c)).isEqualTo(c);
            k.setpgid(c, me);
            assertThat(k.getpgid(c)).isEqualTo(me);
            k.setpgid(c, sb.pid());
            assertThat(k.getpgid(c)).isEqualTo(sb.pid());
            k.setpgid(c, c);
            k.setpgid(c, c); // already there: a no-op
            assertThat(k.getpgid(c)).isEqualTo(c);
            assertThat(k.getsid(c)).as("setpgid never changes the session").isEqualTo(sb.pid());

            long later = forkIdle(k);
            assertThat(k.getpgid(later)).isEqualTo(me);
        });
        assertThat(rec.events(EventType.SETPGID)).hasSize(7);
    }

    @Test
    void setpgid_errors() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            long[] cg = forkChildWithGrandchild(k);
            CompletableFuture<List<Throwable>> leaderErrors = new CompletableFuture<>();
            CountDownLatch done = new CountDownLatch(1);
            long leader = k.fork(() -> {
                List<Throwable> errors = new CopyOnWriteArrayList<>();
                k.setsid();
                errors.add(caught(() -> k.setpgid(0, 0)));
                errors.add(caught(() -> k.setpgid(0, me)));
                leaderErrors.complete(errors);
                awaitLatch(k, done);
            }).pid();
            assertThat(leaderErrors.get(30, SECONDS)).as("a session leader cannot change group")
                    .allSatisfy(e -> assertErrno(e, Errno.EPERM));

            assertErrno(caught(() -> k.setpgid(cg[1], 0)), Errno.ESRCH); // a grandchild
            assertErrno(caught(() -> k.setpgid(sb.pid(), 0)), Errno.ESRCH); // the parent
            assertErrno(caught(() -> k.setpgid(999_999, 0)), Errno.ESRCH); // nobody

            assertErrno(caught(() -> k.setpgid(leader, 0)), Errno.EPERM); // child in another session
            assertErrno(caught(() -> k.setpgid(0, leader)), Errno.EPERM); // group of another session
            assertErrno(caught(() -> k.setpgid(cg[0], leader)), Errno.EPERM);
            assertErrno(caught(() -> k.setpgid(0, 987_654_321)), Errno.EPERM); // no such group
            assertErrno(caught(() -> k.setpgid(cg[0], 987_654_321)), Errno.EPERM);

            assertErrno(caught(() -> k.setpgid(-1, 0)), Errno.EINVAL);
            assertErrno(caught(() -> k.setpgid(0, -1)), Errno.EINVAL);
            assertErrno(caught(() -> k.setpgid(cg[0], -5)), Errno.EINVAL);

            assertThat(k.getpgid(0)).as("failures change nothing").isEqualTo(sb.pid());
            assertThat(k.getpgid(cg[0])).isEqualTo(sb.pid());
            assertThat(k.getpgid(cg[1])).isEqualTo(sb.pid());
            assertThat(k.getpgid(leader)).isEqualTo(leader);
            done.countDown();
        });
        assertErrno(caught(() -> k.setpgid(0, 0)), Errno.EPERM); // the host leads init's session
        assertErrno(caught(() -> k.setpgid(sb.pid(), 0)), Errno.EPERM); // a sandbox leads its session
        assertThat(rec.events(EventType.SETPGID)).isEmpty();
    }

    // =====================================================================================
    // setsid
    // =====================================================================================

    @Test
    void setsid_newSessionAndGroup_inheritedByLaterChildren() throws Exception {
        inLwp(() -> {
            long me = k.getpid();
            CompletableFuture<long[]> seen = new CompletableFuture<>();
            CompletableFuture<Throwable> second = new CompletableFuture<>();
            long c = k.fork(() -> {
                long sid = k.setsid();
                long d = forkIdle(k);
                seen.complete(new long[] {sid, k.getsid(0), k.getpgid(0), d, k.getsid(d), k.getpgid(d)});
                second.complete(caught(k::setsid));
                idle(k);
            }).pid();
            long[] s = seen.get(30, SECONDS);
            assertThat(s[0]).as("setsid returns the new sid = pid").isEqualTo(c);
            assertThat(s[1]).isEqualTo(c);
            assertThat(s[2]).isEqualTo(c);
            assertThat(s[4]).as("children forked afterwards are in the new session").isEqualTo(c);
            assertThat(s[5]).isEqualTo(c);
            assertErrno(second.get(30, SECONDS), Errno.EPERM);
            assertThat(k.getsid(c)).isEqualTo(c);
            assertThat(k.getpgid(c)).isEqualTo(c);
            assertThat(k.getsid(0)).as("the parent's session is unchanged").isEqualTo(sb.pid());

            k.setpgid(0, 0);
            assertErrno(caught(k::setsid), Errno.EPERM); // already a group leader
            assertThat(k.getsid(0)).isEqualTo(sb.pid());
            k.setpgid(0, sb.pid()); // group "me" dissolves, so setsid may make it again
            assertThat(k.setsid()).isEqualTo(me);
            assertThat(k.getsid(0)).isEqualTo(me);
            assertThat(k.getpgid(0)).isEqualTo(me);
        });
        assertErrno(caught(k::setsid), Errno.EPERM); // the host
        assertThat(rec.events(EventType.SETSID)).hasSize(2);
    }

    @Test
    void setsid_doesNotWidenReach_anotherSandboxStaysUnreachable() throws Exception {
        Sandbox other = k.newSandbox("other", 8);
        try {
            long victim = other.spawn(() -> idle(k)).pid();
            inLwp(() -> {
                long sibling = forkIdle(k);
                k.setsid();
                // Signals to another sandbox are EPERM (cr_cansignal); lookups do not see it (ESRCH).
                assertErrno(caught(() -> k.kill(victim, Signal.TERM)), Errno.EPERM);
                assertErrno(caught(() -> k.kill(victim, Signal.KILL)), Errno.EPERM);
                assertErrno(caught(() -> k.kill(victim, Signal.NONE)), Errno.EPERM);
                // A group is looked up without visibility; its members may not be signalled: EPERM.
                PermissionDeniedException pg = catchThrowableOfType(PermissionDeniedException.class,
                        () -> k.killpg(other.pid(), Signal.TERM));
                assertThat(pg).isNotNull();
                assertThat(pg.partialResult()).hasValueSatisfying(r -> assertThat(r.killed()).isZero());
                assertErrno(caught(() -> k.kill(-other.pid(), Signal.TERM)), Errno.EPERM);
                assertErrno(caught(() -> k.reaperKill(other.pid(), Signal.TERM, Kernel.REAPER_KILL_ALL, 0)),
                        Errno.EPERM);
                assertErrno(caught(() -> k.getpgid(victim)), Errno.ESRCH);
                assertErrno(caught(() -> k.getsid(victim)), Errno.ESRCH);
                k.kill(sibling, Signal.NONE); // its own sandbox, in the old session, stays reachable
                assertThat(k.getsid(sibling)).isEqualTo(sb.pid());
            });
            assertThat(k.state(victim)).isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.pid() == victim)).isEmpty();
        } finally {
            other.close(LONG);
        }
    }

    // =====================================================================================
    // getpgid / getsid
    // =====================================================================================

    @Test
    void getpgidGetsid_visibility() throws Exception {
        Sandbox other = k.newSandbox("other", 8);
        try {
            long foreign = other.spawn(() -> idle(k)).pid();
            assertThat(k.getpgid(0)).as("host: init's group").isEqualTo(Kernel.INIT_PID);
            assertThat(k.getsid(0)).isEqualTo(Kernel.INIT_PID);
            assertThat(k.getpgid(foreign)).as("the host sees every sandbox").isEqualTo(other.pid());
            assertThat(k.getsid(foreign)).isEqualTo(other.pid());
            assertThat(k.getpgid(sb.pid())).isEqualTo(sb.pid());
            assertErrno(caught(() -> k.getpgid(999_999)), Errno.ESRCH);
            assertErrno(caught(() -> k.getsid(999_999)), Errno.ESRCH);
            assertErrno(caught(() -> k.getpgid(-1)), Errno.EINVAL);
            assertThat(k.ps()).extracting(i -> i.pid()).as("the host's ps shows everything")
                    .contains(Kernel.INIT_PID, sb.pid(), other.pid(), foreign);
            inLwp(() -> {
                assertThat(k.getpgid(sb.pid())).isEqualTo(sb.pid());
                assertThat(k.getsid(sb.pid())).isEqualTo(sb.pid());
                assertErrno(caught(() -> k.getpgid(foreign)), Errno.ESRCH);
                assertErrno(caught(() -> k.getsid(foreign)), Errno.ESRCH);
                assertErrno(caught(() -> k.getpgid(other.pid())), Errno.ESRCH);
                assertErrno(caught(() -> k.getpgid(Kernel.INIT_PID)), Errno.ESRCH);
                assertThat(k.ps()).extracting(i -> i.pid()).as("ps shows its own sandbox only")
                        .contains(sb.pid(), k.getpid()).doesNotContain(Kernel.INIT_PID, foreign, other.pid());
                long gone = k.fork(() -> { }).pid();
                assertThat(k.awaitExit(new long[] {gone}, 30, SECONDS)).isEmpty();
                assertErrno(caught(() -> k.getpgid(gone)), Errno.ESRCH); // reaped
            });
        } finally {
            other.close(LONG);
        }
    }

    // =====================================================================================
    // killpg, kill(0), kill(-pgid)
    // =====================================================================================

    @Test
    void killpg_signalsEveryMember_butNeverTheSandboxReaperThatLeadsTheGroup() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        long b = sb.spawn(() -> idle(k)).pid();
        CompletableFuture<Long> loneReady = new CompletableFuture<>();
        long lone = sb.spawn(() -> {
            k.setpgid(0, 0);
            loneReady.complete(k.getpgid(0));
            idle(k);
        }).pid();
        assertThat(loneReady.get(30, SECONDS)).isEqualTo(lone);

        KillResult probe = k.killpg(sb.pid(), Signal.NONE);
        assertThat(probe.pids()).as("signal 0 counts whom it would reach").containsExactlyInAnyOrder(a, b);
        assertThat(rec.events(EventType.SIGNAL_SENT)).as("signal 0 sends nothing").isEmpty();

        KillResult r = k.killpg(sb.pid(), Signal.TERM);
        assertThat(r.killed()).isEqualTo(2);
        assertThat(r.firstFailedPid()).isEqualTo(-1);
        assertThat(r.pids()).containsExactlyInAnyOrder(a, b).doesNotContain(sb.pid());
        assertGone(a, b);
        assertThat(k.state(lone)).as("another group is untouched").isIn(LwpState.NEW, LwpState.RUNNING);
        assertThat(k.state(sb.pid())).isIn(LwpState.NEW, LwpState.RUNNING);
        assertThat(sb.isClosed()).isFalse();
        assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.pid() == sb.pid())).isEmpty();

        NoSuchProcessException onlyReaper = catchThrowableOfType(NoSuchProcessException.class,
                () -> k.killpg(sb.pid(), Signal.TERM));
        assertThat(onlyReaper).as("a group whose only member is the sandbox reaper has nobody to signal").isNotNull();
        assertThat(onlyReaper.partialResult()).hasValueSatisfying(p -> {
            assertThat(p.killed()).isZero();
            assertThat(p.firstFailedPid()).isEqualTo(-1);
        });
        assertThat(k.killpg(lone, Signal.TERM).pids()).containsExactly(lone);
        assertGone(lone);
    }

    @Test
    void killpg_errors() {
        NoSuchProcessException e = catchThrowableOfType(NoSuchProcessException.class,
                () -> k.killpg(999_999, Signal.TERM));
        assertThat(e).isNotNull();
        assertThat(e.partialResult()).hasValueSatisfying(r -> assertThat(r.killed()).isZero());
        assertErrno(caught(() -> k.killpg(0, Signal.TERM)), Errno.EINVAL);
        assertErrno(caught(() -> k.killpg(-3, Signal.TERM)), Errno.EINVAL);
        assertErrno(caught(() -> k.killpg(sb.pid(), null)), Errno.EINVAL);
    }

    @Test
    void killpg_ofInitsGroup_neverSignalsInit() {
        NoSuchProcessException e = catchThrowableOfType(NoSuchProcessException.class,
                () -> k.killpg(Kernel.INIT_PID, Signal.TERM));
        assertThat(e).as("killpg skips pid <= 1, so init's group has nobody to signal").isNotNull();
        assertThat(e.partialResult()).hasValueSatisfying(r -> assertThat(r.killed()).isZero());
        assertErrno(caught(() -> k.kill(0, Signal.TERM)), Errno.ESRCH); // the host's kill(0)
        assertThat(rec.events(e2 -> e2.type() == EventType.SIGNAL_SENT && e2.pid() == Kernel.INIT_PID)).isEmpty();
    }

    @Test
    void killpg_fromAnotherSandbox_isEpermWithPartialResult() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        Sandbox other = k.newSandbox("other", 8);
        try {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            LwpHandle h = other.spawn(() -> seen.set(caught(() -> k.killpg(sb.pid(), Signal.TERM))));
            assertThat(h.join(LONG)).isTrue();
            assertThat(seen.get()).isInstanceOf(PermissionDeniedException.class);
            PermissionDeniedException e = (PermissionDeniedException) seen.get();
            assertThat(e.errno()).isEqualTo(Errno.EPERM);
            assertThat(e.partialResult()).hasValueSatisfying(r -> {
                assertThat(r.killed()).isZero();
                assertThat(r.pids()).isEmpty();
                assertThat(r.firstFailedPid()).as("the member it may not signal, not the reaper").isEqualTo(a);
            });
            assertThat(k.state(a)).isIn(LwpState.NEW, LwpState.RUNNING);
            assertThat(rec.events(EventType.SIGNAL_SENT)).isEmpty();
        } finally {
            other.close(LONG);
        }
    }

    @Test
    void killpg_fromInside_countsTheCallerButNotTheReaper() throws Exception {
        List<Signal> handled = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        long[] others = new long[2];
        others[0] = sb.spawn(() -> idle(k)).pid(); // a sibling of the caller, in the same group
        inLwp(() -> {
            long me = k.getpid();
            others[1] = forkIdle(k);
            k.sigaction(Signal.TERM, SignalAction.handle(sig -> {
                handled.add(sig);
                handlerThread.set(Thread.currentThread());
            }));
            KillResult r = k.killpg(sb.pid(), Signal.TERM);
            assertThat(r.killed()).isEqualTo(3);
            assertThat(r.pids()).containsExactlyInAnyOrder(me, others[0], others[1]).doesNotContain(sb.pid());
            assertThat(handled).as("the caller's handler waits for its check point").isEmpty();
            k.checkSignals();
            assertThat(handled).containsExactly(Signal.TERM);
            assertThat(handlerThread.get()).isSameAs(Thread.currentThread());
            assertGone(others);
        });
        assertThat(k.state(sb.pid())).isIn(LwpState.NEW, LwpState.RUNNING);
    }

    @Test
    void killZero_signalsTheCallersOwnGroup_andKillMinusPgidThatGroup() throws Exception {
        List<Signal> handled = new CopyOnWriteArrayList<>();
        inLwp(() -> {
            long me = k.getpid();
            long outsider = forkIdle(k); // stays in the sandbox's group
            k.setpgid(0, 0);
            long y = forkIdle(k);
            long z = forkIdle(k);
            assertThat(k.getpgid(y)).isEqualTo(me);
            k.sigaction(Signal.TERM, SignalAction.handle(handled::add));
            k.kill(0, Signal.TERM);
            assertGone(y, z);
            k.checkSignals();
            assertThat(handled).containsExactly(Signal.TERM);
            assertThat(k.state(outsider)).isIn(LwpState.NEW, LwpState.RUNNING);

            long p = forkIdle(k);
            long q = forkIdle(k);
            k.setpgid(p, 0);
            k.setpgid(q, p);
            k.kill(-p, Signal.USR1);
            assertGone(p, q);
            k.checkSignals();
            assertThat(handled).as("kill(-pgid) reaches that group only").containsExactly(Signal.TERM);
            assertThat(k.state(outsider)).isIn(LwpState.NEW, LwpState.RUNNING);
            assertErrno(caught(() -> k.kill(-1, Signal.TERM)), Errno.EINVAL);
        });
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    static long[] forkChildWithGrandchild(Kernel k) throws Exception {
        CompletableFuture<Long> grandchild = new CompletableFuture<>();
        long child = k.fork(() -> {
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
