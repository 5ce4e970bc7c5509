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
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A member forks while the host kills its group. r1: 0 the fork was refused, 1 the child was born
 * and has the signal, 2 the child was born and escaped. r2: the count killpg reported.
 */
@JCStressTest
@Description("fork vs killpg: the group lock makes the fork entirely before or after the kill")
@Outcome(id = "1, 2", expect = Expect.ACCEPTABLE, desc = "child linked before the kill; the kill got both")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "the kill came first; the fork was refused")
@Outcome(expect = Expect.FORBIDDEN, desc = "a child escaped the kill, or the count is wrong")
@State
public class ForkVsKillpgTest {
    private final ProtocolFixture f = new ProtocolFixture();
    private Lwp child;
    private int killed;

    @Actor
    public void fork() {
        child = f.forkAs(f.parent);
    }

    @Actor
    public void killpg() {
        KillResult r = f.kernel.killpg(f.sandbox.pid(), Signal.KILL);
        killed = r.killed();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = child == null ? 0 : ProtocolFixture.signalled(child) ? 1 : 2;
        r.r2 = killed;
    }
}
