package io.jreap.proc;

import java.util.Arrays;

/**
 * What a kill did: how many LWPs it signalled, the first pid it could not signal (-1 if none),
 * and the pids it signalled, in the order it signalled them.
 */
public final class KillResult {
    private final int killed;
    private final long firstFailedPid;
    private final long[] pids;

    public KillResult(int killed, long firstFailedPid, long[] pids) {
        this.killed = killed;
        this.firstFailedPid = firstFailedPid;
        this.pids = pids;
    }

    /** Number of LWPs signalled ({@code rk_killed}). */
    public int killed() {
        return killed;
    }

    /** First pid the signal could not be delivered to, or -1 ({@code rk_fpid}). */
    public long firstFailedPid() {
        return firstFailedPid;
    }

    /** The pids signalled, in order; a copy. */
    public long[] pids() {
        return pids.clone();
    }

    @Override
    public String toString() {
        return "KillResult[killed=" + killed + ", firstFailedPid=" + firstFailedPid + ", pids="
                + (pids.length <= 16 ? Arrays.toString(pids) : pids.length + " pids") + "]";
    }
}
