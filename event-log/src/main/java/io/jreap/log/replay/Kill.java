package io.jreap.log.replay;

import io.jreap.log.format.LogEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A group or reaper kill: its KILL_BEGIN, its KILL_END (null if the log ends first), the
 * SIGNAL_SENT events it made (those the same thread made in between: a kill runs on its caller's
 * thread from begin to end) and when its last terminated target exited.
 *
 * @param begin the KILL_BEGIN
 * @param end the KILL_END, or null
 * @param signals the SIGNAL_SENT events of this kill
 * @param lastExit the latest EXIT of a target whose signal was "terminate"; null if none exited
 * @param unexited how many such targets have no EXIT in the log
 */
public record Kill(Item begin, Item end, List<Item> signals, Item lastExit, int unexited) {

    /** KILL_BEGIN → KILL_END in writer nano time, or -1 without an end. */
    public long durationNanos() {
        return end == null ? -1 : end.event().nanoTime() - begin.event().nanoTime();
    }

    /** KILL_BEGIN → last EXIT of its terminated targets, or -1 if some never exited or none was terminated. */
    public long exitLatencyNanos() {
        return lastExit == null || unexited > 0 ? -1 : lastExit.event().nanoTime() - begin.event().nanoTime();
    }

    /** Targets whose signal's effect was "terminate". */
    public int terminated() {
        int n = 0;
        for (Item s : signals) {
            if ("terminate".equals(s.event().detail())) {
                n++;
            }
        }
        return n;
    }

    /** A short label: {@code killpg SIGKILL -> 5: 12 killed}. */
    public String label() {
        LogEvent b = begin.event();
        String s = b.detail() + " " + Signals.name(b.signal()) + " -> " + b.other();
        return end == null ? s + ": no KILL_END (log ends)" : s + ": " + end.event().count() + " killed";
    }

    /** Every kill of one log, in KILL_BEGIN order. */
    public static List<Kill> find(WriterLog log) {
        Map<Long, Integer> open = new HashMap<>();
        List<Item> begins = new ArrayList<>();
        List<Item> ends = new ArrayList<>();
        List<List<Item>> signals = new ArrayList<>();
        Map<Long, Item> exits = new HashMap<>();
        for (Item it : log.items()) {
            LogEvent e = it.event();
            if (e == null || e.type() == null) {
                continue;
            }
            switch (e.type()) {
                case KILL_BEGIN -> {
                    open.put(e.threadId(), begins.size());
                    begins.add(it);
                    ends.add(null);
                    signals.add(new ArrayList<>());
                }
                case SIGNAL_SENT -> {
                    Integer k = open.get(e.threadId());
                    if (k != null) {
                        signals.get(k).add(it);
                    }
                }
                case KILL_END -> {
                    Integer k = open.remove(e.threadId());
                    if (k != null) {
                        ends.set(k, it);
                    }
                }
                case EXIT -> exits.putIfAbsent(e.pid(), it);
                default -> {
                }
            }
        }
        List<Kill> out = new ArrayList<>(begins.size());
        for (int k = 0; k < begins.size(); k++) {
            Item last = null;
            int unexited = 0;
            for (Item s : signals.get(k)) {
                if (!"terminate".equals(s.event().detail())) {
                    continue;
                }
                Item x = exits.get(s.event().pid());
                if (x == null || x.event().seq() < s.event().seq()) {
                    unexited++;
                } else if (last == null || x.event().seq() > last.event().seq()) {
                    last = x;
                }
            }
            out.add(new Kill(begins.get(k), ends.get(k), List.copyOf(signals.get(k)), last, unexited));
        }
        return out;
    }
}
