package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.replay.LogRecord.CloseRecord;
import io.jreap.log.replay.LogRecord.DroppedRecord;

/**
 * Renders events as one line of text or one JSON object. The text names each type's
 * {@code other}/{@code count} fields by meaning (sender, target, killed …); JSON keeps the raw
 * field names of {@link LogEvent} and adds {@code signalName} and {@code log}.
 */
public final class EventFormat {
    private EventFormat() {
    }

    /** One text line; {@code withLog} prefixes the log's label (several logs). */
    public static String text(Item it, boolean withLog) {
        StringBuilder b = new StringBuilder(128);
        if (withLog) {
            b.append('[').append(it.log().label()).append("] ");
        }
        if (it.record() instanceof DroppedRecord d) {
            return b.append("DROPPED ").append(d.count()).append(" events not written (before #").append(d.nextSeq())
                    .append(", ").append(Times.local(d.firstWallMillis() * 1_000_000L)).append(" to ")
                    .append(Times.local(d.lastWallMillis() * 1_000_000L)).append(')').toString();
        }
        if (it.record() instanceof CloseRecord c) {
            return b.append("CLOSE the writer closed the log at ").append(Times.local(it.epochNanos()))
                    .append(" (next seq ").append(c.nextSeq()).append(')').toString();
        }
        LogEvent e = it.event();
        if (e == null) {
            return b.append(it.record().getClass().getSimpleName()).toString();
        }
        b.append('#').append(e.seq()).append(' ').append(Times.local(it.epochNanos())).append(' ').append(e.typeName())
                .append(" pid=").append(e.pid());
        if (e.ppid() != 0) b.append(" ppid=").append(e.ppid());
        if (e.pgid() != 0) b.append(" pgid=").append(e.pgid());
        if (e.sid() != 0) b.append(" sid=").append(e.sid());
        EventType t = e.type();
        String otherName = otherName(t);
        if (otherName != null && (e.other() != 0 || t == EventType.KILL_BEGIN)) {
            b.append(' ').append(otherName).append('=').append(e.other());
        }
        if (e.count() != 0 || t == EventType.KILL_END) {
            b.append(' ').append(t == EventType.KILL_END ? "killed" : t == EventType.REAPER_RELEASE ? "moved" : "count")
                    .append('=').append(e.count());
        }
        if (e.signal() != 0) b.append(" sig=").append(Signals.name(e.signal()));
        if (e.status() != 0 || t == EventType.EXIT) b.append(" status=").append(e.status());
        if (e.detail() != null) b.append(" detail=").append(e.detail());
        b.append(" thread=").append(e.threadName());
        if (e.virtualThread()) b.append(" (virtual)");
        return b.toString();
    }

    private static String otherName(EventType t) {
        if (t == null) {
            return "other";
        }
        return switch (t) {
            case FORK -> "reaper";
            case REAP -> "waiter";
            case REPARENT -> "from";
            case SIGNAL_SENT -> "sender";
            case KILL_BEGIN -> "target";
            case KILL_END -> "firstFailed";
            case SETPGID, SETSID -> "oldPgid";
            case REAPER_RELEASE -> "to";
            default -> "other";
        };
    }

    /** One JSON object (no newline): {@code log, seq, time, nanoTime, wallMillis, type, pid …}. */
    public static String json(Item it) {
        StringBuilder b = new StringBuilder(256).append('{');
        Json.field(b, "log", it.log().label());
        if (it.record() instanceof DroppedRecord d) {
            Json.field(b, "record", "DROPPED");
            Json.field(b, "nextSeq", d.nextSeq());
            Json.field(b, "count", d.count());
            Json.field(b, "firstWallMillis", d.firstWallMillis());
            Json.field(b, "lastWallMillis", d.lastWallMillis());
            return b.append('}').toString();
        }
        if (it.record() instanceof CloseRecord c) {
            Json.field(b, "record", "CLOSE");
            Json.field(b, "nextSeq", c.nextSeq());
            Json.field(b, "time", Times.iso(it.epochNanos()));
            return b.append('}').toString();
        }
        LogEvent e = it.event();
        Json.field(b, "seq", e.seq());
        Json.field(b, "time", Times.iso(it.epochNanos()));
        Json.field(b, "nanoTime", e.nanoTime());
        Json.field(b, "wallMillis", e.wallMillis());
        Json.field(b, "type", e.typeName());
        Json.field(b, "pid", e.pid());
        Json.field(b, "ppid", e.ppid());
        Json.field(b, "pgid", e.pgid());
        Json.field(b, "sid", e.sid());
        Json.field(b, "other", e.other());
        Json.field(b, "count", e.count());
        Json.field(b, "signal", e.signal());
        if (e.signal() != 0) {
            Json.field(b, "signalName", Signals.name(e.signal()));
        }
        Json.field(b, "status", e.status());
        Json.field(b, "detail", e.detail());
        Json.field(b, "threadId", e.threadId());
        Json.field(b, "thread", e.threadName());
        Json.field(b, "virtual", e.virtualThread());
        if (e.stack() != null) {
            Json.field(b, "stack", e.stack());
        }
        return b.append('}').toString();
    }
}
