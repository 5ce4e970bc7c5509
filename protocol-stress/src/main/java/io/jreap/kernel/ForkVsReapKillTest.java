package io.jreap.kernel;

import io.jreap.proc.KillResult;
import io.jreap.proc.Signal;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A descendant forks a child, and the child a grandchild, while the host reap-kills the sandbox.
 * r1: how many of the two forks succeeded; r2: how many born LWPs lack the signal (must be 0);
 * r3: the count the kill reported, which must cover the parent and everything born.
 */
@JCStressTest
@Description("fork chain vs PROC_REAP_KILL: passes repeat until nothing new, so no birth escapes")
@Outcome(id = "0, 0, 1", expect = Expect.ACCEPTABLE, desc = "the kill came first; no fork")
@Outcome(id = "1, 0, 2", expect = Expect.ACCEPTABLE, desc = "child born, then its fork refused")
@Outcome(id = "2, 0, 3", expect = Expect.ACCEPTABLE, desc = "both born before the kill reached them")
@Outcome(expect = Expect.FORBIDDEN, desc = "a birth escaped the kill, or the count is wrong")
@State
public class ForkVsReapKillTest {
    private final ProtocolFixture f = new ProtocolFixture();
    private Lwp child;
    private Lwp grandchild;
    private int killed;

    @Actor
    public void forkChain() {
        child = f.forkAs(f.parent);
        if (child != null) {
            grandchild = f.forkAs(child);
        }
    }

    @Actor
    public void reapKill() {
        KillResult r = f.kernel.reaperKill(f.sandbox.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0);
        killed = r.killed();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        int born = 0;
        int escaped = 0;
        for (Lwp p : new Lwp[] {child, grandchild}) {
            if (p != null) {
                born++;
                if (!ProtocolFixture.signalled(p)) {
                    escaped++;
                }
            }
        }
        r.r1 = born;
        r.r2 = escaped;
        r.r3 = killed;
    }
}
