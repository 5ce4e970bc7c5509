package io.jreap.log.format;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;

/**
 * One event as the log holds it: a {@link LifecycleEvent} with the sequence number the writer gave
 * it and, if fork stacks were recorded, the forking thread's stack.
 *
 * @param seq the writer's sequence number (hand-off order, which is causal order)
 * @param type the event type; null if the log names a type this version does not know
 * @param typeName the type's name as the log wrote it
 * @param nanoTime {@link System#nanoTime()} of the writing JVM when the event was made
 * @param wallMillis {@link System#currentTimeMillis()} when the event was made
 * @param pid the subject LWP
 * @param ppid its parent then
 * @param pgid its process group then
 * @param sid its session then
 * @param other per type (see {@link EventType})
 * @param count per type
 * @param signal FreeBSD signal number, 0 if none
 * @param status per type
 * @param detail per type, or null
 * @param threadId the acting thread's id
 * @param threadName the acting thread's name
 * @param virtualThread whether the acting thread was virtual
 * @param stack the forking thread's stack (FORK events, when recorded), or null
 */
public record LogEvent(long seq, EventType type, String typeName, long nanoTime, long wallMillis, long pid, long ppid,
        long pgid, long sid, long other, long count, int signal, int status, String detail, long threadId,
        String threadName, boolean virtualThread, String stack) {

    /** The log's view of a live event. */
    public static LogEvent of(long seq, LifecycleEvent e, String stack) {
        return new LogEvent(seq, e.type(), e.type().name(), e.nanoTime(), e.wallMillis(), e.pid(), e.ppid(), e.pgid(),
                e.sid(), e.other(), e.count(), e.signal(), e.status(), e.detail(), e.threadId(), e.threadName(),
                e.virtualThread(), stack);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(96).append('#').append(seq).append(' ').append(typeName)
                .append(" pid=").append(pid);
        if (ppid != 0) b.append(" ppid=").append(ppid);
        if (pgid != 0) b.append(" pgid=").append(pgid);
        if (sid != 0) b.append(" sid=").append(sid);
        if (other != 0) b.append(" other=").append(other);
        if (count != 0) b.append(" count=").append(count);
        if (signal != 0) b.append(" sig=").append(signal);
        if (status != 0) b.append(" status=").append(status);
        if (detail != null) b.append(" detail=").append(detail);
        return b.append(" thread=").append(threadName).append(virtualThread ? " (virtual)" : "").toString();
    }
}
