package io.jreap.log.replay;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in a log: a sequence number (inclusive: "after event N") or a wall-clock time
 * (inclusive: "after every event made at or before T").
 *
 * <p>Accepted text ({@link #SYNTAX}): {@code 123} or {@code #123} (a sequence number; with several
 * logs, each log's own), an ISO-8601 instant ({@code 2025-03-01T13:03:07.5Z}, or with an offset),
 * a local date-time ({@code 2025-03-01T14:03:07.5}), a local time of the log's first day
 * ({@code 14:03:07} or {@code 14:03:07.250}), or a time relative to the log's first event
 * ({@code +1.5s}, {@code +250ms}, {@code +40us}, {@code +2m}). Local means the system time zone.
 */
public final class Point {
    /** What {@link #parse} accepts, for help texts and error messages. */
    public static final String SYNTAX = "a sequence number (123 or #123), an ISO-8601 instant (2025-03-01T13:03:07.5Z),"
            + " a local time of the log's first day (14:03:07 or 14:03:07.250), or an offset from the log's first event"
            + " (+1.5s, +250ms, +40us, +2m)";

    private static final Pattern SEQ = Pattern.compile("#?(\\d{1,18})");
    private static final Pattern REL = Pattern.compile("\\+(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

    private final long seq;
    private final long epochNanos;
    private final String text;

    private Point(long seq, long epochNanos, String text) {
        this.seq = seq;
        this.epochNanos = epochNanos;
        this.text = text;
    }

    /** A point after event {@code seq}. */
    public static Point seq(long seq) {
        return new Point(seq, Long.MIN_VALUE, "#" + seq);
    }

    /** A point after every event made at or before {@code epochNanos}. */
    public static Point time(long epochNanos) {
        return new Point(-1, epochNanos, Times.iso(epochNanos));
    }

    /**
     * Parses {@code text} for option {@code option} against {@code logs} (whose first event anchors
     * local and relative times).
     *
     * @throws BadArgumentException naming the option, the value and what is accepted
     */
    public static Point parse(String option, String text, LogSet logs) throws BadArgumentException {
        String t = text.trim();
        Matcher m = SEQ.matcher(t);
        if (m.matches()) {
            return new Point(Long.parseLong(m.group(1)), Long.MIN_VALUE, text);
        }
        m = REL.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double v = Double.parseDouble(m.group(1));
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            return new Point(-1, logs.startNanos() + Math.round(v * unit), text);
        }
        ZoneId zone = ZoneId.systemDefault();
        try {
            if (t.contains("T")) {
                Instant at;
                if (t.endsWith("Z") || t.endsWith("z")) {
                    at = Instant.parse(t.toUpperCase(Locale.ROOT));
                } else if (t.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                    at = OffsetDateTime.parse(t).toInstant();
                } else {
                    at = LocalDateTime.parse(t).atZone(zone).toInstant();
                }
                return new Point(-1, nanos(at), text);
            }
            if (t.contains(":")) {
                LocalDate day = Times.instant(logs.startNanos()).atZone(zone).toLocalDate();
                Instant at = LocalDateTime.of(day, LocalTime.parse(t)).atZone(zone).toInstant();
                return new Point(-1, nanos(at), text);
            }
        } catch (DateTimeException e) {
            // falls through to the message below
        }
        throw new BadArgumentException(option + " " + quote(text) + " is not a point in the log: give " + SYNTAX + ".");
    }

    private static long nanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    /** Whether this point is a sequence number (else a time). */
    public boolean isSeq() {
        return seq >= 0;
    }

    /** The sequence number; only if {@link #isSeq()}. */
    public long seqNumber() {
        return seq;
    }

    /** The time; only if not {@link #isSeq()}. */
    public long epochNanos() {
        return epochNanos;
    }

    /**
     * Whether an item is at or before this point. Against a sequence number, a DROPPED or CLOSE
     * record sits between the event before it and its {@code nextSeq}; headers and snapshots count
     * as before every point.
     */
    public boolean covers(Item it) {
        if (isSeq()) {
            long next = nextSeqOf(it);
            return it.event() != null ? it.event().seq() <= seq : next < 0 || next <= seq;
        }
        return it.epochNanos() <= epochNanos;
    }

    /** Whether an item is at or after this point (for "from"); placement as in {@link #covers}. */
    public boolean atOrAfter(Item it) {
        if (isSeq()) {
            long next = nextSeqOf(it);
            return it.event() != null ? it.event().seq() >= seq : next < 0 || next > seq;
        }
        return it.epochNanos() >= epochNanos;
    }

    private static long nextSeqOf(Item it) {
        if (it.record() instanceof LogRecord.DroppedRecord d) {
            return d.nextSeq();
        }
        if (it.record() instanceof LogRecord.CloseRecord c) {
            return c.nextSeq();
        }
        return -1;
    }

    @Override
    public String toString() {
        return text;
    }
}
