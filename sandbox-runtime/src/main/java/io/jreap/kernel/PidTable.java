package io.jreap.kernel;

/**
 * pid → LWP, open addressing with linear probing and backward-shift deletion: no boxing and no
 * node allocation on the fork path. Not thread-safe: guarded by the kernel's tree lock (written
 * under the write lock, read under either).
 */
final class PidTable {
    private long[] keys = new long[64];
    private Lwp[] values = new Lwp[64];
    private int size;

    int size() {
        return size;
    }

    Lwp get(long pid) {
        long[] k = keys;
        int mask = k.length - 1;
        for (int i = slot(pid, mask); ; i = (i + 1) & mask) {
            long key = k[i];
            if (key == pid) {
                return values[i];
            }
            if (key == 0) {
                return null;
            }
        }
    }

    void put(long pid, Lwp lwp) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid " + pid);
        }
        if ((size + 1) * 2 > keys.length) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        int i = slot(pid, mask);
        while (keys[i] != 0 && keys[i] != pid) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = pid;
        values[i] = lwp;
    }

    void remove(long pid) {
        long[] k = keys;
        int mask = k.length - 1;
        int i = slot(pid, mask);
        while (k[i] != pid) {
            if (k[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        size--;
        // Backward-shift: move later entries of the probe run into the hole so lookups never
        // stop early at it.
        int hole = i;
        for (int j = (i + 1) & mask; k[j] != 0; j = (j + 1) & mask) {
            int home = slot(k[j], mask);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                k[hole] = k[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        k[hole] = 0;
        values[hole] = null;
        if (keys.length > 64 && size * 8 < keys.length) {
            resize(keys.length / 2);
        }
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        Lwp[] oldValues = values;
        keys = new long[capacity];
        values = new Lwp[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int slot(long pid, int mask) {
        long h = pid * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
