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
 * LWP P forks while its parent Q moves P into a new group and kills that group. A fork must link
 * its child into the group its parent is in when the fork commits (setpgid takes the old group's
 * lock exclusively; a fork that waited behind it retries with the new group). r1: 0 refused,
 * 1 child in the old group, 2 child in P's new group; r2: 1 if the child has the signal.
 */
@JCStressTest
@Description("fork vs setpgid + killpg of the new group")
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "P was killed before it forked")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "child born in the old group before the move; not a target")
@Outcome(id = "2, 1", expect = Expect.ACCEPTABLE, desc = "child born in the new group before the kill; killed")
@Outcome(expect = Expect.FORBIDDEN, desc = "a child in the killed group escaped, or landed in a stale group")
@State
public class ForkVsSetpgidTest {
    private final ProtocolFixture f = new ProtocolFixture();
    private final Lwp p = forkChild();
    private Lwp child;

    private Lwp forkChild() {
        return f.forkAs(f.parent);
    }

    @Actor
    public void fork() {
        child = f.forkAs(p);
    }

    @Actor
    public void moveAndKill() {
        f.as(f.parent, () -> {
            f.kernel.setpgid(p.pid, 0);
            f.kernel.killpg(p.pid, Signal.KILL);
        });
    }

    @Arbiter
    public void arbiter(II_Result r) {
        if (child == null) {
            r.r1 = 0;
        } else {
            r.r1 = child.group.pgid == p.pid ? 2 : child.group.pgid == f.sandbox.pid() ? 1 : 3;
        }
        r.r2 = child != null && ProtocolFixture.signalled(child) ? 1 : 0;
    }
}
