package io.jreap.kernel;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.KillResult;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The event stream: which events each call emits, with which fields (io.jreap.event.EventType),
 * and that the hand-off order is causal.
 */
class EventOrderTest extends SandboxTestSupport {
    EventOrderTest() {
        super("events");
    }

    // =====================================================================================
    // Causal order
    // =====================================================================================

    @Test
    void aChildsForkPrecedesEveryEventAboutItOrByItsThreads_andSignalSentPrecedesExit() throws Exception {
        int n = 4;
        Map<Long, Set<Long>> threadsOf = new ConcurrentHashMap<>();
        Runnable recordThread = () -> threadsOf.computeIfAbsent(k.getpid(), x -> ConcurrentHashMap.newKeySet())
                .add(Thread.currentThread().getId());
        CountDownLatch grandchildrenUp = new CountDownLatch(n);
        List<Long> children = new ArrayList<>();
        inLwpAwaitingExit(() -> {
            recordThread.run();
            for (int i = 0; i < n; i++) {
                children.add(k.fork(() -> {
                    recordThread.run();
                    k.sigaction(Signal.USR1, SignalAction.handle(s -> { }));
                    k.fork(() -> {
                        recordThread.run();
                        grandchildrenUp.countDown();
                        idle(k);
                    });
                    k.setpgid(0, 0);
                    k.kill(k.getpid(), Signal.USR1);
                    k.checkSignals();
                    LwpHandle t = k.addThread(ForkOptions.platform(), () -> {
                        recordThread.run();
                        k.checkSignals();
                    });
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).pid());
            }
            assertThat(grandchildrenUp.await(30, SECONDS)).isTrue();
            assertGone(children.stream().mapToLong(Long::longValue).toArray());
        });
        KillResult r = sb.kill();
        assertThat(r.killed()).as("the orphaned grandchildren").isEqualTo(n);
        assertThat(sb.awaitTermination(LONG)).isTrue();

        List<LifecycleEvent> events = rec.events();
        List<LifecycleEvent> forks = select(events, e -> e.type() == EventType.FORK);
        assertThat(forks).hasSize(1 + 2 * n);
        for (LifecycleEvent fork : forks) {
            long pid = fork.pid();
            int at = events.indexOf(fork);
            Set<Long> tids = threadsOf.getOrDefault(pid, Set.of());
            assertThat(tids).as("threads of pid %d", pid).isNotEmpty();
            for (int i = 0; i < events.size(); i++) {
                LifecycleEvent e = events.get(i);
                if (e != fork && (e.pid() == pid || tids.contains(e.threadId()))) {
                    assertThat(i).as("%s comes after %s", e, fork).isGreaterThan(at);
                }
            }
            int exit = indexOf(events, e -> e.type() == EventType.EXIT && e.pid() == pid);
            int reap = indexOf(events, e -> e.type() == EventType.REAP && e.pid() == pid);
            assertThat(exit).as("EXIT of %d", pid).isGreaterThan(at);
            assertThat(reap).as("REAP of %d follows its EXIT", pid).isGreaterThan(exit);
            assertThat(lastIndexOf(events, e -> e.pid() == pid)).as("nothing about %d after its REAP", pid)
                    .isEqualTo(reap);
            LifecycleEvent ex = events.get(exit);
            if (ex.signal() != 0) {
                int sent = indexOf(events, e -> e.type() == EventType.SIGNAL_SENT && e.pid() == pid
                        && e.signal() == ex.signal());
                assertThat(sent).as("SIGNAL_SENT before the EXIT it caused (pid %d)", pid).isBetween(at + 1, exit - 1);
            }
        }
        for (long c : children) {
            int sent = indexOf(events, e -> e.type() == EventType.SIGNAL_SENT && e.pid() == c);
            int delivered = indexOf(events, e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == c);
            assertThat(sent).isNotNegative().isLessThan(delivered);
            assertThat(events.get(delivered).threadId()).as("delivered in the target's own thread")
                    .isIn(threadsOf.get(c));
        }
    }

    @Test
    void killBeginAndEnd_bracketTheSignalsOfThatKill_withTheRightCount() throws Exception {
        long a = sb.spawn(() -> idle(k)).pid();
        CompletableFuture<long[]> family = new CompletableFuture<>();
        long b = sb.spawn(() -> {
            family.complete(new long[] {forkIdle(k), forkIdle(k)});
            idle(k);
        }).pid();
        long[] bc = family.get(30, SECONDS);

        KillResult r = k.reaperKill(sb.pid(), Signal.TERM, Kernel.REAPER_KILL_ALL, 0);
        assertThat(r.pids()).containsExactlyInAnyOrder(a, b, bc[0], bc[1]);
        assertGone(a, b, bc[0], bc[1]);
        assertBracketed(r, Signal.TERM, "reap-kill", sb.pid());

        // killpg of a group of two
        CompletableFuture<long[]> group = new CompletableFuture<>();
        sb.spawn(() -> {
            k.setpgid(0, 0);
            group.complete(new long[] {k.getpid(), forkIdle(k)});
            idle(k);
        });
        long[] g = group.get(30, SECONDS);
        rec.clear();
        KillResult pg = k.killpg(g[0], Signal.USR1);
        assertThat(pg.pids()).containsExactlyInAnyOrder(g[0], g[1]);
        assertGone(g);
        assertBracketed(pg, Signal.USR1, "killpg", g[0]);

        // a kill that found nothing still brackets, with count 0
        rec.clear();
        assertThatThrownBy(() -> k.reaperKill(sb.pid(), Signal.TERM, Kernel.REAPER_KILL_ALL, 0))
                .isInstanceOf(NoSuchProcessException.class);
        assertThat(rec.events()).extracting(LifecycleEvent::type).containsExactly(EventType.KILL_BEGIN, EventType.KILL_END);
        assertThat(rec.events(EventType.KILL_END).get(0).count()).isZero();
    }

    /** KILL_BEGIN, exactly the kill's SIGNAL_SENTs, KILL_END, with the documented fields. */
    private void assertBracketed(KillResult r, Signal sig, String kind, long target) {
        List<LifecycleEvent> events = rec.events();
        int begin = indexOf(events, e -> e.type() == EventType.KILL_BEGIN && e.detail().startsWith(kind));
        int end = indexOf(events, e -> e.type() == EventType.KILL_END && e.detail().startsWith(kind));
        assertThat(begin).isNotNegative().isLessThan(end);
        LifecycleEvent b = events.get(begin);
        LifecycleEvent e = events.get(end);
        assertThat(b.pid()).as("KILL_BEGIN: pid = the sender").isEqualTo(Kernel.INIT_PID);
        assertThat(b.other()).as("KILL_BEGIN: other = the target").isEqualTo(target);
        assertThat(b.signal()).isEqualTo(sig.number());
        assertThat(e.count()).as("KILL_END: count = killed").isEqualTo(r.killed());
        assertThat(e.other()).as("KILL_END: other = first failed pid").isEqualTo(-1);
        assertThat(e.signal()).isEqualTo(sig.number());
        List<Long> inside = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            LifecycleEvent s = events.get(i);
            if (s.type() == EventType.SIGNAL_SENT && s.signal() == sig.number()) {
                assertThat(i).as("%s inside its kill", s).isBetween(begin + 1, end - 1);
                assertThat(s.other()).as("sender").isEqualTo(Kernel.INIT_PID);
                inside.add(s.pid());
            }
        }
        assertThat(inside).hasSize(r.killed());
        assertThat(inside).containsExactlyInAnyOrder(box(r.pids()));
    }

    @Test
    void reparentOnOrphaning_betweenTheParentsExitAndItsReap() throws Exception {
        CompletableFuture<Long> grandchild = new CompletableFuture<>();
        CountDownLatch exitNow = new CountDownLatch(1);
        long x = sb.spawn(() -> {
            grandchild.complete(forkIdle(k));
            awaitLatch(k, exitNow);
        }).pid();
        long g = grandchild.get(30, SECONDS);
        assertThat(rec.events(EventType.REPARENT)).isEmpty();
        exitNow.countDown();
        assertGone(x);

        List<LifecycleEvent> events = rec.events();
        int exit = indexOf(events, e -> e.type() == EventType.EXIT && e.pid() == x);
        int reparent = indexOf(events, e -> e.type() == EventType.REPARENT && e.pid() == g);
        int reap = indexOf(events, e -> e.type() == EventType.REAP && e.pid() == x);
        assertThat(exit).isNotNegative().isLessThan(reparent);
        assertThat(reparent).isLessThan(reap);
        LifecycleEvent e = events.get(reparent);
        assertThat(e.other()).as("old parent").isEqualTo(x);
        assertThat(e.ppid()).as("new parent: the reaper").isEqualTo(sb.pid());
        assertThat(e.pgid()).isEqualTo(sb.pid());
        assertThat(rec.events(EventType.REPARENT)).hasSize(1);
    }

    // =====================================================================================
    // Fields
    // =====================================================================================

    @Test
    void groupSessionAndReaperEvents_carryTheirFields() throws Exception {
        AtomicReference<Long> threadId = new AtomicReference<>();
        long[] pids = new long[3];
        int[] handedOver = new int[1];
        long w = inLwpAwaitingExit(() -> {
            threadId.set(Thread.currentThread().getId());
            k.setpgid(0, 0);
            k.reaperAcquire(0);
            long c = forkIdle(k);
            k.setpgid(c, 0);
            CompletableFuture<Long> sid = new CompletableFuture<>();
            long d = k.fork(() -> {
                sid.complete(k.setsid());
                idle(k);
            }).pid();
            assertThat(sid.get(30, SECONDS)).isEqualTo(d);
            long e = k.fork(() -> {
                forkIdle(k);
                idle(k);
            }).pid();
            pids[0] = c;
            pids[1] = d;
            pids[2] = e;
            handedOver[0] = awaitReapListSize(3 + 1);
            k.reaperRelease(0);
        });
        long c = pids[0];
        long d = pids[1];

        List<LifecycleEvent> setpgid = rec.events(EventType.SETPGID);
        assertThat(setpgid).hasSize(2);
        assertThat(setpgid.get(0)).satisfies(e -> {
            assertThat(e.pid()).isEqualTo(w);
            assertThat(e.other()).as("old pgid").isEqualTo(sb.pid());
            assertThat(e.pgid()).as("new pgid").isEqualTo(w);
            assertThat(e.sid()).isEqualTo(sb.pid());
            assertThat(e.threadId()).isEqualTo(threadId.get());
        });
        assertThat(setpgid.get(1)).satisfies(e -> {
            assertThat(e.pid()).isEqualTo(c);
            assertThat(e.other()).isEqualTo(w);
            assertThat(e.pgid()).isEqualTo(c);
            assertThat(e.ppid()).isEqualTo(w);
            assertThat(e.threadId()).as("the actor is the parent's thread").isEqualTo(threadId.get());
        });
        assertThat(rec.events(EventType.SETSID)).singleElement().satisfies(e -> {
            assertThat(e.pid()).isEqualTo(d);
            assertThat(e.sid()).isEqualTo(d);
            assertThat(e.pgid()).isEqualTo(d);
            assertThat(e.other()).as("old pgid").isEqualTo(w);
        });
        assertThat(rec.events(EventType.REAPER_ACQUIRE)).singleElement().satisfies(e -> {
            assertThat(e.pid()).isEqualTo(w);
            assertThat(e.ppid()).isEqualTo(sb.pid());
        });
        assertThat(rec.events(EventType.REAPER_RELEASE)).singleElement().satisfies(e -> {
            assertThat(e.pid()).isEqualTo(w);
            assertThat(e.other()).as("the reaper that took the list").isEqualTo(sb.pid());
            assertThat(e.count()).as("LWPs handed over").isEqualTo(handedOver[0]).isEqualTo(4);
        });
        assertThat(rec.events(e -> e.type() == EventType.FORK && e.pid() == c)).singleElement().satisfies(e -> {
            assertThat(e.ppid()).isEqualTo(w);
            assertThat(e.other()).as("its reaper").isEqualTo(w);
            assertThat(e.pgid()).as("the parent's group").isEqualTo(w);
            assertThat(e.sid()).isEqualTo(sb.pid());
        });
        assertThat(rec.events(e -> e.type() == EventType.FORK && e.pid() == w)).singleElement().satisfies(e -> {
            assertThat(e.ppid()).isEqualTo(sb.pid());
            assertThat(e.other()).isEqualTo(sb.pid());
        });
    }

    @Test
    void lifecycleEvents_carryTheirFields() throws Exception {
        CountDownLatch handled = new CountDownLatch(1);
        long w = inLwpAwaitingExit(() -> {
            k.setKeepsZombies(true);
            long z = k.fork(() -> { }).pid();
            k.waitpid(z, false);
            k.sigaction(Signal.USR2, SignalAction.handle(s -> handled.countDown()));
            k.kill(0, Signal.USR2);
            k.checkSignals();
            k.addThread(ForkOptions.platform(), () -> { }).join();
        });
        assertThat(handled.getCount()).isZero();
        Sandbox tiny = k.newSandbox("tiny", 1);
        try {
            tiny.spawn(() -> idle(k));
            assertThatThrownBy(() -> tiny.spawn(() -> { })).hasMessageContaining("limit");
            assertThat(rec.events(EventType.FORK_DENIED)).singleElement().satisfies(e -> {
                assertThat(e.pid()).as("the parent").isEqualTo(tiny.pid());
                assertThat(e.detail()).isEqualTo("EAGAIN");
            });
        } finally {
            tiny.close(LONG);
        }

        LifecycleEvent fork = rec.events(e -> e.type() == EventType.FORK && e.ppid() == w).get(0);
        long z = fork.pid();
        assertThat(rec.events(e -> e.type() == EventType.EXIT && e.pid() == z)).singleElement()
                .satisfies(e -> {
                    assertThat(e.status()).isZero();
                    assertThat(e.signal()).isZero();
                    assertThat(e.ppid()).isEqualTo(w);
                });
        assertThat(rec.events(e -> e.type() == EventType.REAP && e.pid() == z)).singleElement()
                .satisfies(e -> assertThat(e.other()).as("the waiter").isEqualTo(w));
        assertThat(rec.events(e -> e.type() == EventType.SIGNAL_SENT && e.pid() == w)).singleElement()
                .satisfies(e -> {
                    assertThat(e.other()).as("sender").isEqualTo(w);
                    assertThat(e.signal()).isEqualTo(Signal.USR2.number());
                });
        assertThat(rec.events(e -> e.type() == EventType.SIGNAL_DELIVERED && e.pid() == w)).singleElement()
                .satisfies(e -> {
                    assertThat(e.signal()).isEqualTo(Signal.USR2.number());
                    assertThat(e.detail()).isEqualTo("handled");
                });
        assertThat(rec.events(e -> e.type() == EventType.THREAD_ADD && e.pid() == w)).hasSize(1);
        assertThat(rec.events(e -> e.type() == EventType.REAP && e.pid() == w)).singleElement()
                .satisfies(e -> assertThat(e.other()).as("reaped automatically").isEqualTo(-1));
        assertThat(rec.events(e -> e.type() == EventType.SANDBOX && e.pid() == sb.pid())).singleElement()
                .satisfies(e -> {
                    assertThat(e.detail()).isEqualTo("events");
                    assertThat(e.ppid()).isEqualTo(Kernel.INIT_PID);
                    assertThat(e.pgid()).isEqualTo(sb.pid());
                    assertThat(e.sid()).isEqualTo(sb.pid());
                });
        assertThat(rec.events(e -> e.type() == EventType.SANDBOX && "closed".equals(e.detail())))
                .extracting(LifecycleEvent::pid).containsExactly(tiny.pid());
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    /** Waits until the calling reaper's list has {@code n} entries (grandchildren are forked asynchronously). */
    private int awaitReapListSize(int n) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (k.reaperGetPids(0, 1000).size() < n) {
            assertThat(System.nanoTime() - deadline).isNegative();
            Thread.sleep(1);
        }
        return k.reaperGetPids(0, 1000).size();
    }

    private static List<LifecycleEvent> select(List<LifecycleEvent> events, Predicate<LifecycleEvent> p) {
        List<LifecycleEvent> out = new ArrayList<>();
        for (LifecycleEvent e : events) {
            if (p.test(e)) {
                out.add(e);
            }
        }
        return out;
    }

    private static int lastIndexOf(List<LifecycleEvent> events, Predicate<LifecycleEvent> p) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static Long[] box(long[] a) {
        Long[] out = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /** Like {@link #inLwp}, but also asserts the LWP is gone (awaitExit) before rethrowing its failure; returns its pid. */
    private long inLwpAwaitingExit(Body body) throws Exception {
        return runInLwp(body, true);
    }
}
