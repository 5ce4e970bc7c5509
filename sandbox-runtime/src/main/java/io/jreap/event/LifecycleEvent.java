package io.jreap.event;

/**
 * One lifecycle event. Immutable. The ids describe the subject LWP ({@link #pid()}) at the moment
 * of the event; {@link #other()}, {@link #count()}, {@link #status()}, {@link #signal()} and
 * {@link #detail()} mean what {@link EventType} says for the type, and are -1, 0 or null otherwise.
 * The signal is carried as its FreeBSD number (0 = none) so this package depends on nothing.
 */
public final class LifecycleEvent {
    private final EventType type;
    private final long nanoTime;
    private final long wallMillis;
    private final long pid;
    private final long ppid;
    private final long pgid;
    private final long sid;
    private final long other;
    private final long count;
    private final int signal;
    private final int status;
    private final String detail;
    private final long threadId;
    private final String threadName;
    private final boolean virtualThread;

    public LifecycleEvent(EventType type, long nanoTime, long wallMillis, long pid, long ppid, long pgid, long sid,
            long other, long count, int signal, int status, String detail, long threadId, String threadName,
            boolean virtualThread) {
        this.type = type;
        this.nanoTime = nanoTime;
        this.wallMillis = wallMillis;
        this.pid = pid;
        this.ppid = ppid;
        this.pgid = pgid;
        this.sid = sid;
        this.other = other;
        this.count = count;
        this.signal = signal;
        this.status = status;
        this.detail = detail;
        this.threadId = threadId;
        this.threadName = threadName;
        this.virtualThread = virtualThread;
    }

    public EventType type() { return type; }
    /** {@link System#nanoTime()} when the event was made. */
    public long nanoTime() { return nanoTime; }
    /** {@link System#currentTimeMillis()} when the event was made. */
    public long wallMillis() { return wallMillis; }
    public long pid() { return pid; }
    public long ppid() { return ppid; }
    public long pgid() { return pgid; }
    public long sid() { return sid; }
    public long other() { return other; }
    public long count() { return count; }
    /** FreeBSD signal number, 0 if the event has none. */
    public int signal() { return signal; }
    public int status() { return status; }
    public String detail() { return detail; }
    /** The thread that made the event (the actor, not necessarily the subject). */
    public long threadId() { return threadId; }
    public String threadName() { return threadName; }
    public boolean virtualThread() { return virtualThread; }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(96).append(type).append(" pid=").append(pid);
        if (ppid != 0) b.append(" ppid=").append(ppid);
        if (pgid != 0) b.append(" pgid=").append(pgid);
        if (sid != 0) b.append(" sid=").append(sid);
        if (other != 0) b.append(" other=").append(other);
        if (count != 0) b.append(" count=").append(count);
        if (signal != 0) b.append(" sig=").append(signal);
        if (status != 0) b.append(" status=").append(status);
        if (detail != null) b.append(" detail=").append(detail);
        return b.append(" thread=").append(threadName).toString();
    }
}
