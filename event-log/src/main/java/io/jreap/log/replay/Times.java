package io.jreap.log.replay;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Formats log times (nanoseconds since the epoch) for people and for JSON. */
public final class Times {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter LOCAL_DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private Times() {
    }

    /** The instant of {@code epochNanos}. */
    public static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** Local time of day with microseconds, e.g. {@code 14:03:07.123456}. */
    public static String local(long epochNanos) {
        return LOCAL.format(LocalDateTime.ofInstant(instant(epochNanos), ZoneId.systemDefault()));
    }

    /** Local date and time with microseconds. */
    public static String localDay(long epochNanos) {
        return LOCAL_DAY.format(LocalDateTime.ofInstant(instant(epochNanos), ZoneId.systemDefault()));
    }

    /** ISO-8601 instant in UTC, e.g. {@code 2025-03-01T13:03:07.123456789Z}. */
    public static String iso(long epochNanos) {
        return instant(epochNanos).toString();
    }

    /** A duration in the unit that reads best: ns, µs as "us", ms or s. */
    public static String duration(long nanos) {
        double a = Math.abs(nanos);
        if (a < 1_000) {
            return nanos + " ns";
        }
        if (a < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (a < 1_000_000_000) {
            return String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
        }
        return String.format(java.util.Locale.ROOT, "%.3f s", nanos / 1e9);
    }
}
