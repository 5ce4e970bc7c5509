package io.jreap.kernel;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * P handles TERM and forks while a reap-kill sends TERM; P survives, so its fork succeeds on either
 * side of the signal. The event log orders the two exactly (FORK is published under P's group lock
 * shared, SIGNAL_SENT under it exclusive). A child born before P got the signal must be signalled
 * by the same kill; one born after need not be (rule 8: the kill skips it, or has already ended).
 * The child does not inherit the handler (a fork runs new code, as after exec). r1: 1 born before
 * and signalled, 2 born after, 3 born before and NOT signalled. r2: 1 if P got TERM.
 */
@JCStressTest
@Description("TERM handler vs fork: a child born before its parent's signal gets the signal too")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "child born before the signal; signalled")
@Outcome(id = "2, 1", expect = Expect.ACCEPTABLE, desc = "child born after P got TERM; not this kill's target")
@Outcome(expect = Expect.FORBIDDEN, desc = "a child born before the signal escaped it")
@State
public class HandlerForksDuringKillTest {
    private final ProtocolFixture f = new ProtocolFixture();
    private Lwp child;

    public HandlerForksDuringKillTest() {
        f.as(f.parent, () -> f.kernel.sigaction(Signal.TERM, SignalAction.handle(sig -> { })));
    }

    @Actor
    public void fork() {
        child = f.forkAs(f.parent);
    }

    @Actor
    public void reapKillTerm() {
        f.kernel.reaperKill(f.sandbox.pid(), Signal.TERM, Kernel.REAPER_KILL_ALL, 0);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        List<LifecycleEvent> log = f.events.events();
        int forkAt = -1;
        int parentSignalAt = -1;
        boolean childSignalled = false;
        for (int i = 0; i < log.size(); i++) {
            LifecycleEvent e = log.get(i);
            if (e.type() == EventType.FORK && child != null && e.pid() == child.pid) {
                forkAt = i;
            } else if (e.type() == EventType.SIGNAL_SENT && e.pid() == f.parent.pid) {
                parentSignalAt = i;
            } else if (e.type() == EventType.SIGNAL_SENT && child != null && e.pid() == child.pid) {
                childSignalled = true;
            }
        }
        boolean bornBefore = forkAt >= 0 && forkAt < parentSignalAt;
        r.r1 = !bornBefore ? 2 : childSignalled && child.killSignal == Signal.TERM ? 1 : 3;
        r.r2 = parentSignalAt >= 0 ? 1 : 0;
    }
}
