package io.jreap.kernel;

/**
 * One kill in progress. LWPs that survive its signal (handled, ignored, stop/continue) remember it,
 * and their later children inherit it: a kill skips LWPs that carry its own run, so a target that
 * keeps forking from a TERM handler cannot make the kill loop forever (DESIGN 4, rule 8). The next
 * kill gets those children.
 */
final class KillRun {
    private volatile boolean ended;

    boolean ended() {
        return ended;
    }

    void end() {
        ended = true;
    }

    /** {@code runs} plus {@code add}, without ended runs; null when empty. */
    static KillRun[] with(KillRun[] runs, KillRun add) {
        int live = 0;
        if (runs != null) {
            for (KillRun r : runs) {
                if (!r.ended && r != add) {
                    live++;
                }
            }
        }
        KillRun[] out = new KillRun[live + 1];
        int i = 0;
        if (runs != null) {
            for (KillRun r : runs) {
                if (!r.ended && r != add) {
                    out[i++] = r;
                }
            }
        }
        out[i] = add;
        return out;
    }

    /** The union of two sets, without ended runs; null when empty. */
    static KillRun[] union(KillRun[] a, KillRun[] b) {
        if (a == null && b == null) {
            return null;
        }
        KillRun[] out = null;
        if (a != null) {
            for (KillRun r : a) {
                if (!r.ended) {
                    out = with(out, r);
                }
            }
        }
        if (b != null) {
            for (KillRun r : b) {
                if (!r.ended && !contains(out, r)) {
                    out = with(out, r);
                }
            }
        }
        return out;
    }

    static boolean contains(KillRun[] runs, KillRun r) {
        if (runs != null) {
            for (KillRun x : runs) {
                if (x == r) {
                    return true;
                }
            }
        }
        return false;
    }
}
