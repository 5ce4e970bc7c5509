package io.jreap.kernel;

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
 * Two reap-kills of the same sandbox at once. Each keeps its own record of what it signalled
 * (FreeBSD's single P2_REAPKILLED mark would let one kill skip targets the other marked), so both
 * must report every live descendant: the parent and its two children.
 */
@JCStressTest
@Description("concurrent PROC_REAP_KILLs each signal every target")
@Outcome(id = "3, 3", expect = Expect.ACCEPTABLE, desc = "both kills signalled all three")
@Outcome(expect = Expect.FORBIDDEN, desc = "a kill skipped a target the other had marked")
@State
public class ConcurrentReapKillsTest {
    private final ProtocolFixture f = new ProtocolFixture();
    private int a;
    private int b;

    public ConcurrentReapKillsTest() {
        f.forkAs(f.parent);
        f.forkAs(f.parent);
    }

    @Actor
    public void kill1() {
        a = f.kernel.reaperKill(f.sandbox.pid(), Signal.TERM, Kernel.REAPER_KILL_ALL, 0).killed();
    }

    @Actor
    public void kill2() {
        b = f.kernel.reaperKill(f.sandbox.pid(), Signal.KILL, Kernel.REAPER_KILL_ALL, 0).killed();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = a;
        r.r2 = b;
    }
}
