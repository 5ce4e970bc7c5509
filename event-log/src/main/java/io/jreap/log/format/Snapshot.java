package io.jreap.log.format;

import java.util.List;

/**
 * The live tree after every event numbered below {@link #nextSeq}.
 *
 * @param nextSeq the sequence number of the first event the snapshot does not include
 * @param nodes every LWP not yet reaped, init (pid 1) first
 */
public record Snapshot(long nextSeq, List<Node> nodes) {

    /**
     * One LWP in a snapshot.
     *
     * @param pid its pid
     * @param ppid its parent (0 for init)
     * @param pgid its group
     * @param sid its session
     * @param reaperPid its reaper (0 for init)
     * @param reaper whether it is a reaper
     * @param zombie whether it has exited (not reaped yet)
     * @param killSignal the terminating signal sent to it, 0 if none
     * @param exitStatus its exit status if it exited
     * @param exitSignal the signal that ended it, 0 if none
     * @param pool whether it stands for a JDK thread pool
     * @param sandbox its sandbox's name, null for init
     * @param forkedAtNanos when it was forked (writer JVM nano time), 0 if unknown
     */
    public record Node(long pid, long ppid, long pgid, long sid, long reaperPid, boolean reaper, boolean zombie,
            int killSignal, int exitStatus, int exitSignal, boolean pool, String sandbox, long forkedAtNanos) {
    }
}
