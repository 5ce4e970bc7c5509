package io.jreap.log.sink;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How an {@link EventLogSink} writes.
 *
 * @param dir the queue directory (created if missing)
 * @param rollCycle a Chronicle roll cycle name, e.g. {@code FAST_HOURLY} or {@code FAST_DAILY}
 * @param retainCycles how many roll-cycle files to keep, newest first; 0 keeps all
 * @param dropWhenFull when the hand-off is full, drop (and count) events instead of slowing producers
 * @param forkStacks record the forking thread's stack with every FORK event (costly)
 * @param capacity the hand-off queue's capacity in events (a power of two is used)
 */
public record EventLogOptions(Path dir, String rollCycle, int retainCycles, boolean dropWhenFull, boolean forkStacks,
        int capacity) {

    public static final String DEFAULT_ROLL_CYCLE = "FAST_HOURLY";
    public static final int DEFAULT_CAPACITY = 1 << 16;

    public EventLogOptions {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(rollCycle, "rollCycle");
        rollCycle = rollCycle.toUpperCase(Locale.ROOT);
        if (retainCycles < 0) {
            throw new IllegalArgumentException("retainCycles " + retainCycles + " is negative: give 0 to keep every cycle");
        }
        if (capacity < 64) {
            throw new IllegalArgumentException("capacity " + capacity + " is below 64 events");
        }
    }

    /** Defaults: hourly cycles, keep all, slow producers when full, no stacks, 65,536 events of hand-off. */
    public static EventLogOptions defaults(Path dir) {
        return new EventLogOptions(dir, DEFAULT_ROLL_CYCLE, 0, false, false, DEFAULT_CAPACITY);
    }
}
