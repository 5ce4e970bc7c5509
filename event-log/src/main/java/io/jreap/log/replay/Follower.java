package io.jreap.log.replay;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Follows live logs like {@code tail -f}: polls a {@link LogReader} per directory and hands each
 * new record the filter accepts to a consumer, in each log's write order (directories are polled
 * in turn, so records of different logs come in arrival order, not merged by time).
 *
 * <p>Stops when told ({@link #stop()}, or the calling thread is interrupted), after every log
 * was closed if {@code exitAfterClose}, or after {@code idleExitMillis} without a new record.
 */
public final class Follower {
    private final List<Path> dirs;
    private final EventFilter filter;
    private final boolean fromStart;
    private final boolean exitAfterClose;
    private final long idleExitMillis;
    private final long pollMillis;
    private volatile boolean stop;

    /**
     * @param fromStart print the records already there, else only those that arrive later
     * @param exitAfterClose return once every log's last record is a CLOSE
     * @param idleExitMillis return after this long without a new record; 0 never
     * @param pollMillis how long to sleep between polls
     */
    public Follower(List<Path> dirs, EventFilter filter, boolean fromStart, boolean exitAfterClose, long idleExitMillis,
            long pollMillis) {
        this.dirs = List.copyOf(dirs);
        this.filter = filter;
        this.fromStart = fromStart;
        this.exitAfterClose = exitAfterClose;
        this.idleExitMillis = idleExitMillis;
        this.pollMillis = Math.max(1, pollMillis);
    }

    /** Asks {@link #run} to return after its current poll. */
    public void stop() {
        stop = true;
    }

    /**
     * Follows until a stop condition holds; {@code out} gets each selected record and whether
     * several logs are being followed (so it can name the log).
     *
     * @param ready called once the readers are open and positioned (at the end unless {@code fromStart})
     * @return why it stopped: "closed", "idle", or "stopped"
     */
    public String run(BiConsumer<Item, Boolean> out, Runnable ready) throws LogException {
        List<LogReader> readers = new ArrayList<>();
        List<WriterLog> logs = new ArrayList<>();
        List<LogSet.Loader> loaders = new ArrayList<>();
        try {
            for (Path d : dirs) {
                readers.add(LogReader.open(d));
                loaders.add(new LogSet.Loader(d, logs));
            }
            if (!fromStart) {
                for (int i = 0; i < readers.size(); i++) {
                    drain(readers.get(i), loaders.get(i), logs, item -> filter.accepts(item));
                }
            }
            ready.run();
            long lastActivity = System.nanoTime();
            while (true) {
                boolean any = false;
                for (int i = 0; i < readers.size(); i++) {
                    any |= drain(readers.get(i), loaders.get(i), logs, item -> {
                        if (filter.accepts(item)) {
                            out.accept(item, logs.size() > 1);
                        }
                    });
                }
                if (any) {
                    lastActivity = System.nanoTime();
                }
                if (exitAfterClose && allClosed(loaders)) {
                    return "closed";
                }
                if (idleExitMillis > 0 && System.nanoTime() - lastActivity >= idleExitMillis * 1_000_000L) {
                    return "idle";
                }
                if (stop || Thread.currentThread().isInterrupted()) {
                    return "stopped";
                }
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "stopped";
                }
            }
        } finally {
            for (LogReader r : readers) {
                r.close();
            }
        }
    }

    private static boolean drain(LogReader r, LogSet.Loader loader, List<WriterLog> logs, Consumer<Item> sink)
            throws LogException {
        boolean any = false;
        int before = logs.size();
        for (LogRecord rec; (rec = r.next()) != null; ) {
            any = true;
            Item item = loader.add(rec);
            if (logs.size() != before) {
                LogSet.label(logs);
                before = logs.size();
            }
            sink.accept(item);
        }
        return any;
    }

    private static boolean allClosed(List<LogSet.Loader> loaders) {
        for (LogSet.Loader l : loaders) {
            if (l.current() == null || l.current().close() == null) {
                return false;
            }
        }
        return true;
    }
}
