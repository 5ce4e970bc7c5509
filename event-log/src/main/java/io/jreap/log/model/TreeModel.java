package io.jreap.log.model;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The LWP tree rebuilt from events: the writer keeps one to write each roll cycle's snapshot, and
 * replay keeps one to answer "what did the tree look like at event N".
 *
 * <p>Applying the events of a log in sequence order to the snapshot that precedes them gives the
 * tree the kernel had after the last applied event, for everything the events say (pids, parents,
 * groups, sessions, reapers, exits, terminating signals). Events about pids the model does not know
 * (a log that starts mid-way, without a snapshot) create the LWP on first sight from the fields
 * the event carries. Not thread-safe.
 */
public final class TreeModel {
    /** init's pid. */
    public static final long INIT = 1;

    private final PidMap<Lwp> live = new PidMap<>();
    private long nextSeq;

    /** A model with only init. */
    public TreeModel() {
        live.put(INIT, new Lwp(INIT, 0, INIT, INIT, 0, true, null, 0));
    }

    /** A model that starts from a snapshot. */
    public static TreeModel of(Snapshot s) {
        TreeModel m = new TreeModel();
        m.restore(s);
        return m;
    }

    /** Replaces everything with the snapshot's tree. */
    public void restore(Snapshot s) {
        live.clear();
        for (Snapshot.Node n : s.nodes()) {
            Lwp p = new Lwp(n.pid(), n.ppid(), n.pgid(), n.sid(), n.reaperPid(), n.reaper(), n.sandbox(), n.forkedAtNanos());
            p.zombie = n.zombie();
            p.killSignal = n.killSignal();
            p.exitStatus = n.exitStatus();
            p.exitSignal = n.exitSignal();
            p.pool = n.pool();
            live.put(p.pid, p);
        }
        if (live.get(INIT) == null) {
            live.put(INIT, new Lwp(INIT, 0, INIT, INIT, 0, true, null, 0));
        }
        nextSeq = s.nextSeq();
    }

    /** The tree now, as a snapshot record; init first, then by pid. */
    public Snapshot snapshot() {
        List<Snapshot.Node> nodes = new ArrayList<>(live.size());
        for (Lwp p : sorted()) {
            nodes.add(new Snapshot.Node(p.pid, p.ppid, p.pgid, p.sid, p.reaperPid, p.reaper, p.zombie, p.killSignal,
                    p.exitStatus, p.exitSignal, p.pool, p.sandbox, p.forkedAtNanos));
        }
        return new Snapshot(nextSeq, nodes);
    }

    /** The sequence number of the first event not applied yet. */
    public long nextSeq() {
        return nextSeq;
    }

    public void apply(LogEvent e) {
        if (e.type() != null) {
            apply(e.type(), e.seq(), e.nanoTime(), e.pid(), e.ppid(), e.pgid(), e.sid(), e.other(), e.count(),
                    e.signal(), e.status(), e.detail());
        } else {
            nextSeq = Math.max(nextSeq, e.seq() + 1);
        }
    }

    /** Applies one event (fields as {@link EventType} defines them). */
    public void apply(EventType type, long seq, long nanoTime, long pid, long ppid, long pgid, long sid, long other,
            long count, int signal, int status, String detail) {
        nextSeq = Math.max(nextSeq, seq + 1);
        if (pid <= 0) {
            return; // no event names pid 0; a damaged one must not break the writer's model
        }
        switch (type) {
            case SANDBOX -> {
                if (!"closed".equals(detail)) {
                    Lwp r = new Lwp(pid, INIT, pid, pid, INIT, true, detail, nanoTime);
                    live.put(pid, r);
                }
            }
            case FORK -> {
                Lwp parent = live.get(ppid);
                Lwp c = new Lwp(pid, ppid, pgid, sid, other, false, parent == null ? null : parent.sandbox, nanoTime);
                c.pool = "pool".equals(detail);
                live.put(pid, c);
            }
            case FORK_FAILED -> live.remove(pid);
            case EXIT -> {
                Lwp p = known(pid, ppid, pgid, sid);
                p.zombie = true;
                p.exitStatus = status;
                p.exitSignal = signal;
            }
            case REAP -> live.remove(pid);
            case REPARENT -> known(pid, ppid, pgid, sid).ppid = ppid;
            case SIGNAL_SENT -> {
                if ("terminate".equals(detail)) {
                    Lwp p = known(pid, ppid, pgid, sid);
                    if (p.killSignal == 0 || signal == 9) {
                        p.killSignal = signal;
                    }
                }
            }
            case SETPGID -> known(pid, ppid, pgid, sid).pgid = pgid;
            case SETSID -> {
                Lwp p = known(pid, ppid, pgid, sid);
                p.pgid = pid;
                p.sid = pid;
            }
            case REAPER_ACQUIRE -> known(pid, ppid, pgid, sid).reaper = true;
            case REAPER_RELEASE -> {
                known(pid, ppid, pgid, sid).reaper = false;
                for (Lwp q : live.values()) { // rare: a linear pass is fine
                    if (q.reaperPid == pid) {
                        q.reaperPid = other;
                    }
                }
            }
            default -> {
                // THREAD_ADD, FORK_DENIED, SIGNAL_DELIVERED, KILL_BEGIN/END, EXIT_CALL change no structure.
            }
        }
    }

    /** The LWP, or null if it is not live (never forked, or reaped). */
    public Lwp get(long pid) {
        return live.get(pid);
    }

    public int size() {
        return live.size();
    }

    /** Every live LWP, init first, then by pid. */
    public List<Lwp> sorted() {
        List<Lwp> all = live.values();
        all.sort(Comparator.comparingLong(Lwp::pid));
        return all;
    }

    public Collection<Lwp> all() {
        return live.values();
    }

    /** Every live LWP's children, by parent pid, each list by pid (one pass; use it to print trees). */
    public java.util.Map<Long, List<Lwp>> childrenByParent() {
        java.util.Map<Long, List<Lwp>> out = new java.util.HashMap<>();
        for (Lwp p : sorted()) {
            if (p.pid != p.ppid) {
                out.computeIfAbsent(p.ppid, k -> new ArrayList<>()).add(p);
            }
        }
        return out;
    }

    /** The children of {@code pid} by pid (a pass over every LWP: see {@link #childrenByParent}). */
    public List<Lwp> children(long pid) {
        List<Lwp> out = new ArrayList<>();
        for (Lwp p : live.values()) {
            if (p.ppid == pid && p.pid != pid) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparingLong(Lwp::pid));
        return out;
    }

    private Lwp known(long pid, long ppid, long pgid, long sid) {
        Lwp p = live.get(pid);
        if (p == null) {
            p = new Lwp(pid, ppid, pgid, sid, 0, false, null, 0);
            live.put(pid, p);
        }
        return p;
    }

    /** One live LWP in the model. */
    public static final class Lwp {
        final long pid;
        long ppid;
        long pgid;
        long sid;
        long reaperPid;
        boolean reaper;
        boolean zombie;
        boolean pool;
        int killSignal;
        int exitStatus;
        int exitSignal;
        final String sandbox;
        final long forkedAtNanos;

        Lwp(long pid, long ppid, long pgid, long sid, long reaperPid, boolean reaper, String sandbox, long forkedAtNanos) {
            this.pid = pid;
            this.ppid = ppid;
            this.pgid = pgid;
            this.sid = sid;
            this.reaperPid = reaperPid;
            this.reaper = reaper;
            this.sandbox = sandbox;
            this.forkedAtNanos = forkedAtNanos;
        }

        public long pid() { return pid; }
        public long ppid() { return ppid; }
        public long pgid() { return pgid; }
        public long sid() { return sid; }
        public long reaperPid() { return reaperPid; }
        public boolean reaper() { return reaper; }
        public boolean zombie() { return zombie; }
        public boolean pool() { return pool; }
        /** The terminating signal sent to it, 0 if none. */
        public int killSignal() { return killSignal; }
        public int exitStatus() { return exitStatus; }
        public int exitSignal() { return exitSignal; }
        public String sandbox() { return sandbox; }
        public long forkedAtNanos() { return forkedAtNanos; }
    }
}
