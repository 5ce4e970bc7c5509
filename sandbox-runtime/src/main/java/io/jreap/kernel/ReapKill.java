package io.jreap.kernel;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.proc.KillResult;
import io.jreap.proc.NoSuchProcessException;
import io.jreap.proc.PermissionDeniedException;
import io.jreap.proc.Signal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code PROC_REAP_KILL}, in the steps of {@code kern_procctl.c}: find the reaper, then repeat
 * passes — snapshot the not-yet-signalled descendants under the tree lock, signal them group by
 * group under each group's kill lock — until a pass finds nothing new.
 *
 * <p>Why no birth escapes: a target T is signalled only under T's group kill lock, which T's forks
 * hold shared. A fork of T that finished before T was signalled linked its child first, so the
 * snapshot of the next pass (taken after T was signalled; the pass that signalled T always causes
 * another) contains the child. A fork that starts after sees T's signal and fails, or, when T
 * survives the signal, its child inherits this run and is skipped, which is what ends the kill
 * when a handler keeps forking (rule 8). A target that changed group between the snapshot and the
 * lock is left for the next pass. Unlike FreeBSD, the tree lock is never held while a group lock
 * is awaited, so no try-lock/rescan dance is needed, and each run keeps its own signalled set, so
 * concurrent kills need no global lock (rule 7).
 */
final class ReapKill extends KillerThreads.Job {
    /** Targets signalled per group-lock hold, so forks in a huge group are never stalled long. */
    private static final int CHUNK = 256;

    private final Kernel kernel;
    private final Lwp caller;
    private final Signal sig;
    private final int flags;
    private final long subtree;
    private final KillRun run = new KillRun();
    private final Set<Lwp> done = new HashSet<>();
    private long[] signalled = new long[16];
    /** Targets to wake, and how; woken once the last pass is done (see {@link #wakeAll}). */
    private final List<Lwp> toWake = new ArrayList<>();
    private int[] wakeHow = new int[16];
    private int killed;
    private long firstFailed = -1;
    /** The reaper whose descendants the passes signal; found before them, by the caller. */
    private Lwp reaper;

    ReapKill(Kernel kernel, Lwp caller, Signal sig, int flags, long subtree) {
        this.kernel = kernel;
        this.caller = caller;
        this.sig = sig;
        this.flags = flags;
        this.subtree = subtree;
    }

    /**
     * Runs the kill on the calling thread, its passes on a killer thread if the caller is virtual
     * ({@link Kernel#runLocked}); the caller's ESRCH/EPERM and events are the caller's own.
     */
    KillResult run(long pid) {
        reaper = findReaper(pid);
        EventSink s = kernel.sink();
        if (s != EventSink.NONE) {
            s.reserve(2);
            kernel.publish(s, EventType.KILL_BEGIN, caller, reaper.pid, 0, sig.number(), 0, kind());
        }
        try {
            Kernel.runLocked(this);
        } finally {
            run.end();
            wakeAll();
        }
        KillResult r = new KillResult(killed, firstFailed, Arrays.copyOf(signalled, killed));
        if (s != EventSink.NONE) {
            kernel.publish(s, EventType.KILL_END, caller, firstFailed, killed, sig.number(), 0, kind() + " " + reaper.pid);
        }
        if (killed == 0) {
            if (firstFailed != -1) {
                throw new PermissionDeniedException("PROC_REAP_KILL: pid " + caller.pid
                        + " may not signal any descendant of reaper " + reaper.pid, r);
            }
            throw new NoSuchProcessException("PROC_REAP_KILL: reaper " + reaper.pid + " has no descendant to signal", r);
        }
        return r;
    }

    /** The passes: snapshots under the tree lock, marks under each group's kill lock. No lock is held between. */
    @Override
    void locked() {
        if ((flags & Kernel.REAPER_KILL_CHILDREN) != 0) {
            signal(snapshotChildren(reaper));
        } else {
            while (true) {
                List<Lwp> batch = snapshotDescendants(reaper);
                if (batch.isEmpty()) {
                    break;
                }
                signal(batch);
            }
        }
    }

    private String kind() {
        return (flags & Kernel.REAPER_KILL_CHILDREN) != 0 ? "reap-kill-children"
                : (flags & Kernel.REAPER_KILL_SUBTREE) != 0 ? "reap-kill-subtree " + subtree : "reap-kill";
    }

    /** The target, or its reaper if it is not one itself. */
    private Lwp findReaper(long pid) {
        kernel.treeLock.readLock();
        try {
            Lwp p = kernel.lookupForSignal(caller, pid);
            return p.isReaper ? p : p.reaper;
        } finally {
            kernel.treeLock.readUnlock();
        }
    }

    /** {@code REAPER_KILL_CHILDREN}: the reaper's direct children, whatever their reaper. */
    private List<Lwp> snapshotChildren(Lwp reaper) {
        kernel.treeLock.readLock();
        try {
            List<Lwp> out = new ArrayList<>();
            for (Lwp c = reaper.firstChild; c != null; c = c.nextSibling) {
                if (eligible(c)) {
                    out.add(c);
                }
            }
            return out;
        } finally {
            kernel.treeLock.readUnlock();
        }
    }

    /**
     * The reaper's descendants (through nested reapers' lists) this run has not signalled and must
     * signal. With {@code SUBTREE}, only entries of the top list whose subtree id matches, and what
     * is below them.
     */
    private List<Lwp> snapshotDescendants(Lwp reaper) {
        kernel.treeLock.readLock();
        try {
            List<Lwp> out = new ArrayList<>();
            ArrayDeque<Lwp> reapers = new ArrayDeque<>();
            reapers.add(reaper);
            while (!reapers.isEmpty()) {
                Lwp r = reapers.poll();
                for (Lwp q = r.firstReap; q != null; q = q.nextReapSibling) {
                    if (r == reaper && (flags & Kernel.REAPER_KILL_SUBTREE) != 0 && q.reapSubtree != subtree) {
                        continue;
                    }
                    if (q.isReaper) {
                        reapers.add(q);
                    }
                    if (eligible(q)) {
                        out.add(q);
                    }
                }
            }
            return out;
        } finally {
            kernel.treeLock.readUnlock();
        }
    }

    private boolean eligible(Lwp q) {
        return q.alive() && !q.sandboxReaper && !done.contains(q) && !KillRun.contains(q.inheritedKills, run);
    }

    /** Signals a batch group by group, each under its group's kill lock, then wakes the targets. */
    private void signal(List<Lwp> batch) {
        Map<ProcessGroup, List<Lwp>> byGroup = new IdentityHashMap<>();
        for (Lwp t : batch) {
            byGroup.computeIfAbsent(t.group, g -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<ProcessGroup, List<Lwp>> e : byGroup.entrySet()) {
            List<Lwp> members = e.getValue();
            for (int from = 0; from < members.size(); from += CHUNK) {
                signalChunk(e.getKey(), members.subList(from, Math.min(members.size(), from + CHUNK)));
            }
        }
    }

    private void signalChunk(ProcessGroup g, List<Lwp> targets) {
        g.killLock.writeLock(); // no other jreap lock is held here
        try {
            for (Lwp t : targets) {
                if (t.group != g || !t.alive()) {
                    continue; // moved since the snapshot (next pass finds it), or exiting
                }
                if (!Kernel.canSignal(caller, t)) {
                    if (firstFailed == -1) {
                        firstFailed = t.pid;
                    }
                    done.add(t);
                    continue;
                }
                int how = kernel.markLocked(t, sig, caller.pid, run);
                done.add(t);
                record(t.pid);
                if (how != Kernel.WAKE_NONE) {
                    if (toWake.size() == wakeHow.length) {
                        wakeHow = Arrays.copyOf(wakeHow, wakeHow.length * 2);
                    }
                    wakeHow[toWake.size()] = how;
                    toWake.add(t);
                }
            }
        } finally {
            g.killLock.writeUnlock();
        }
    }

    /**
     * Interrupts and unparks the targets, with no lock held (rule 6). Done after the last pass, not
     * per chunk: the marks already stop every fork and fail every check point, and waking targets
     * early only makes their exits compete with the remaining passes for the tree lock and the CPU.
     */
    private void wakeAll() {
        for (int i = 0; i < toWake.size(); i++) {
            kernel.wake(toWake.get(i), wakeHow[i]);
        }
    }

    private void record(long pid) {
        if (killed == signalled.length) {
            signalled = Arrays.copyOf(signalled, killed * 2);
        }
        signalled[killed++] = pid;
    }
}
