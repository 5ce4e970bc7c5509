package io.jreap.log.sink;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.log.format.Header;
import io.jreap.log.format.RecordCodec;
import io.jreap.log.format.Schema;
import io.jreap.log.format.Snapshot;
import io.jreap.log.model.TreeModel;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The event sink that writes every lifecycle event to a Chronicle Queue.
 *
 * <p><b>Hand-off.</b> Producers (threads inside jreap's fork, exit and kill paths, holding jreap
 * locks) only {@code offer} to a bounded lock-free MPSC queue (JCTools' {@code MpscAtomicArrayQueue}:
 * its {@code Unsafe}-based twin would make JDK 24+ warn on the producers' threads, naming JCTools,
 * the first time a plugin forks). One writer thread, which
 * belongs to no LWP, drains it, numbers events in drain order — which is hand-off order, which is
 * causal order, because the kernel publishes under the locks that order the events — and appends
 * them in batches. No producer touches the file.
 *
 * <p><b>Invariants.</b>
 * <ol>
 *   <li>{@link #publish} never blocks and never throws; an event it cannot hand over is counted
 *       in {@link #dropped}, and the writer writes a DROPPED record with the count before its next
 *       batch (nothing is lost silently).</li>
 *   <li>{@link #reserve}, called with no jreap lock held, waits while the hand-off holds more than
 *       {@code capacity - headroom} events (unless {@code dropWhenFull}); the headroom absorbs
 *       events published beyond reservations, so in the default mode drops need more than
 *       {@code headroom} events in flight at once from reservations all granted together.</li>
 *   <li>Sequence numbers are dense per writer: event {@code n} of this writer is the {@code n}-th
 *       event drained. A batch re-written after the writer reopened the queue (an interrupt closes
 *       Chronicle's channel) repeats its numbers; readers keep the first copy.</li>
 *   <li>Every roll cycle this writer writes to opens with a HEADER and a SNAPSHOT of the tree as of
 *       the events written before it; the writer keeps that tree in a {@link TreeModel} by applying
 *       each batch after writing it, so the snapshot matches the log position exactly.</li>
 * </ol>
 *
 * <p>The queue is opened by the writer thread, not by the constructor: events wait in the hand-off
 * until it is ready, and the caller (the agent's start-up) does not pay for Chronicle's start.
 */
public final class EventLogSink implements EventSink, AutoCloseable {
    private static final int MAX_BATCH = 2048;
    private static final int REOPEN_ATTEMPTS = 20;

    private final EventLogOptions options;
    private final RollCycle rollCycle;
    private final TimeProvider timeProvider;
    private final MpscAtomicArrayQueue<Object> handoff;
    private final int softLimit;
    private final long writerId = ThreadLocalRandom.current().nextLong();
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private volatile long firstDropWall;
    private volatile long lastDropWall;
    private volatile boolean closing;
    private volatile boolean finished;
    private volatile Throwable failure;
    private final StackWalker walker;

    /** Events the writer has taken from the hand-off, published once per batch for {@link #reserve}. */
    private volatile long drainedSoFar;

    // Writer-thread state.
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private long nextSeq;
    private int headerCycle = Integer.MIN_VALUE;
    private long droppedWritten;
    private final TreeModel model;
    /** Written by the writer only; volatile so that callers of {@link #written()} see progress. */
    private volatile long written;
    private volatile int reopens;

    /** A sink for a kernel with no LWPs yet (only init). */
    public EventLogSink(EventLogOptions options) {
        this(options, null, null);
    }

    /**
     * A sink whose first snapshot is {@code initial} (for a kernel that already has LWPs), with
     * Chronicle's clock replaced by {@code timeProvider} when not null (tests roll cycles with it).
     */
    public EventLogSink(EventLogOptions options, Snapshot initial, TimeProvider timeProvider) {
        this.options = options;
        this.rollCycle = RollCycleNames.resolve(options.rollCycle());
        this.timeProvider = timeProvider;
        this.handoff = new MpscAtomicArrayQueue<>(options.capacity());
        int cap = handoff.capacity();
        this.softLimit = cap - Math.max(16, cap / 4);
        this.model = initial == null ? new TreeModel() : TreeModel.of(initial);
        this.walker = options.forkStacks() ? StackWalker.getInstance() : null;
        checkDirectory();
        this.writer = new Thread(this::runWriter, "jreap event writer");
        this.writer.setDaemon(true);
    }

    /** Applies the guest settings (no analytics, no extra threads or directories) before Chronicle loads. */
    public static void prepareChronicle() {
        ChronicleGuest.prepare();
    }

    /** Starts the writer thread (once); until then events wait in the hand-off. */
    public EventLogSink start() {
        synchronized (writer) {
            if (writer.getState() == Thread.State.NEW) {
                writer.start();
            }
        }
        return this;
    }

    public EventLogOptions options() {
        return options;
    }

    /** The writer thread: it belongs to no LWP; hosts with thread-leak checkers may want its name. */
    public Thread writerThread() {
        return writer;
    }

    /** The hand-off's capacity in events (the option, rounded up by the queue). */
    public int capacity() {
        return handoff.capacity();
    }

    /** Events that could not be handed over (see the class comment). */
    public long dropped() {
        return dropped.get();
    }

    /** Events the writer has appended so far. */
    public long written() {
        return written;
    }

    /** How often the writer reopened the queue after an interrupt or a channel closed under it. */
    public int reopens() {
        return reopens;
    }

    /** Why the writer could not write, or null. */
    public Throwable failure() {
        return failure;
    }

    // ------------------------------------------------------------------------------------ producer side

    /**
     * Waits, in block mode, while the hand-off holds more than its soft limit. The fast path
     * reads the producer index and the count the writer last published per batch, not the queue's
     * {@code size()}: that would read the consumer index, which the writer moves on every event, a
     * cache miss per fork. The count lags by at most a batch, which only overestimates the fill.
     */
    @Override
    public void reserve(int events) {
        if (options.dropWhenFull() || handoff.currentProducerIndex() - drainedSoFar + events <= softLimit) {
            return;
        }
        waitForRoom(events);
    }

    private void waitForRoom(int events) {
        long park = 10_000;
        while (handoff.size() + events > softLimit && !closing && !finished && writer.isAlive()) {
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, 100_000);
        }
    }

    @Override
    public void publish(LifecycleEvent event) {
        Object item = event;
        if (walker != null && event.type() == EventType.FORK) {
            item = new WithStack(event, stackOfCaller());
        }
        if (closing && finished || !handoff.offer(item)) {
            noteDropped(event.wallMillis());
        }
    }

    private void noteDropped(long wall) {
        if (dropped.getAndIncrement() == 0) {
            firstDropWall = wall;
        }
        lastDropWall = wall;
    }

    private String stackOfCaller() {
        return walker.walk(frames -> {
            StringBuilder b = new StringBuilder(512);
            frames.filter(f -> !f.getClassName().startsWith("io.jreap."))
                    .limit(32)
                    .forEach(f -> b.append(f.toStackTraceElement()).append('\n'));
            return b.toString();
        });
    }

    private record WithStack(LifecycleEvent event, String stack) {
    }

    // ------------------------------------------------------------------------------------ writer side

    private void runWriter() {
        try {
            ChronicleGuest.prepare();
            open();
        } catch (Throwable t) {
            failure = t;
            System.err.println("jreap: event log: cannot open the queue in " + options.dir() + ": " + t
                    + "; events from now on are counted as dropped. Fix the directory (agent option log=DIR).");
            discardUntilClosed();
            return;
        }
        Object[] batch = new Object[MAX_BATCH];
        try {
            while (true) {
                int n = drain(batch);
                if (n > 0) {
                    writeBatch(batch, n);
                    linger(n);
                    continue;
                }
                writeDroppedIfAny();
                if (closing) {
                    // Late publishers read the sink before it was swapped out: give them a moment.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    if (handoff.isEmpty()) {
                        break;
                    }
                    continue;
                }
                idle();
            }
            writeDroppedIfAny();
            writeRecord(b -> RecordCodec.writeClose(b, nextSeq, System.currentTimeMillis()));
        } catch (Throwable t) {
            failure = t;
            System.err.println("jreap: event log: the writer stopped: " + t + "; " + handoff.size()
                    + " events in the hand-off are lost. The log up to event " + nextSeq + " is intact.");
        } finally {
            finished = true;
            closeQueue();
            ChronicleGuest.release();
        }
    }

    /** A batch smaller than this makes the writer linger before the next drain (see {@link #linger}). */
    private static final int SMALL_BATCH = MAX_BATCH / 8;
    /** How long the writer waits after a small batch, so that the next one is bigger. */
    private static final long LINGER_NANOS = 200_000;

    private int idleRounds;

    /**
     * Nothing to write: park, longer the longer it stays empty (50 µs up to 1 ms). Producers never
     * wake the writer (an unpark per event would cost them a system call), and the writer never
     * spins: on a small machine a spinning writer takes a core from the threads it logs.
     */
    private void idle() {
        Thread.interrupted(); // an interrupt would make every park return at once
        LockSupport.parkNanos(Math.min(1_000_000L, 50_000L << Math.min(5, idleRounds++)));
    }

    /**
     * After a small batch, wait a little before draining again: each Chronicle document and the
     * writer's own wake-ups cost about as much as dozens of events, so under a steady trickle of
     * forks, fewer and bigger batches use a fraction of the CPU. Events wait in the hand-off
     * meanwhile (at most {@value #LINGER_NANOS} ns more before they are on disk).
     */
    private void linger(int written) {
        if (written < SMALL_BATCH && !closing) {
            Thread.interrupted();
            LockSupport.parkNanos(LINGER_NANOS);
        }
    }

    private int drain(Object[] batch) {
        int n = 0;
        Object o;
        while (n < batch.length && (o = handoff.relaxedPoll()) != null) {
            batch[n++] = o;
        }
        if (n > 0) {
            idleRounds = 0;
            drainedSoFar += n; // only this thread writes it; one volatile write per batch, read by reserve()
        }
        return n;
    }

    private void discardUntilClosed() {
        while (!closing) {
            Object o = handoff.poll();
            if (o == null) {
                LockSupport.parkNanos(1_000_000);
            } else {
                noteDropped(System.currentTimeMillis());
            }
        }
        finished = true;
    }

    private void open() throws IOException {
        Files.createDirectories(options.dir());
        SingleChronicleQueueBuilder b = SingleChronicleQueueBuilder.binary(options.dir()).rollCycle(rollCycle);
        if (timeProvider != null) {
            b.timeProvider(timeProvider);
        }
        queue = b.build();
        appender = queue.createAppender();
        // Only this thread ever uses the appender; Chronicle's per-write owner check costs ~10% of a write.
        appender.singleThreadedCheckDisabled(true);
    }

    private void reopen(Throwable cause) {
        reopens++;
        if (reopens % 1000 == 0) {
            System.err.println("jreap: event log: reopened the queue " + reopens + " times (last cause " + cause
                    + "); something keeps interrupting the writer thread");
        }
        Thread.interrupted();
        closeQueue();
        for (int attempt = 0; ; attempt++) {
            try {
                Thread.interrupted();
                open();
                return;
            } catch (Throwable t) {
                if (attempt >= REOPEN_ATTEMPTS && !Thread.interrupted() && !causedByInterrupt(t)) {
                    throw new IllegalStateException("cannot reopen the queue after " + attempt + " attempts", t);
                }
                LockSupport.parkNanos(1_000_000L << Math.min(attempt, 8));
            }
        }
    }

    private void closeQueue() {
        try {
            if (appender != null) {
                appender.close();
            }
        } catch (Throwable ignored) {
            // Closing what an interrupt already closed.
        }
        try {
            if (queue != null) {
                queue.close();
            }
        } catch (Throwable ignored) {
            // As above.
        }
        appender = null;
        queue = null;
    }

    private void writeBatch(Object[] batch, int n) {
        long first = nextSeq;
        writeRecord(b -> {
            RecordCodec.writeEventsStart(b, n);
            LifecycleEvent previous = null;
            for (int i = 0; i < n; i++) {
                Object o = batch[i];
                LifecycleEvent e = o instanceof WithStack w ? w.event() : (LifecycleEvent) o;
                RecordCodec.writeEvent(b, first + i, e, o instanceof WithStack w ? w.stack() : null, previous);
                previous = e;
            }
        });
        nextSeq = first + n;
        written += n;
        for (int i = 0; i < n; i++) {
            Object o = batch[i];
            LifecycleEvent e = o instanceof WithStack w ? w.event() : (LifecycleEvent) o;
            model.apply(e.type(), first + i, e.nanoTime(), e.pid(), e.ppid(), e.pgid(), e.sid(), e.other(), e.count(),
                    e.signal(), e.status(), e.detail());
            batch[i] = null;
        }
    }

    private void writeDroppedIfAny() {
        long d = dropped.get();
        if (d > droppedWritten) {
            long n = d - droppedWritten;
            long first = firstDropWall;
            long last = lastDropWall;
            writeRecord(b -> RecordCodec.writeDropped(b, nextSeq, n, first, last));
            droppedWritten = d;
        }
    }

    private interface RecordWriter {
        void write(Bytes<?> bytes);
    }

    /**
     * Appends one record, opening a cycle with header and snapshot first. An interrupt is
     * meaningless to the writer, so it is cleared before each write; one that lands during a write
     * closes Chronicle's file channel (NIO closes interruptible channels), the write fails, and
     * the writer reopens the queue and writes the record again — readers keep the first copy of a
     * repeated event. Failures not caused by an interrupt are retried {@value #REOPEN_ATTEMPTS}
     * times, then stop the writer (reported on stderr, and by {@link #failure()}).
     */
    private void writeRecord(RecordWriter w) {
        int failures = 0;
        while (true) {
            Thread.interrupted();
            try {
                if (closeUnderWriterForTest) {
                    closeUnderWriterForTest = false;
                    queue.close(); // what an interrupt does to a channel that closes on interrupt
                }
                openCycleIfNew();
                try (DocumentContext dc = appender.writingDocument()) {
                    try {
                        w.write(dc.wire().bytes());
                    } catch (Throwable t) {
                        dc.rollbackOnClose();
                        throw t;
                    }
                }
                return;
            } catch (Throwable t) {
                boolean interrupt = Thread.interrupted() || causedByInterrupt(t);
                if (!interrupt && ++failures > REOPEN_ATTEMPTS) {
                    throw t;
                }
                reopen(t);
                headerCycle = Integer.MIN_VALUE; // a reopened queue may be in a new cycle: header it again
            }
        }
    }

    private volatile boolean closeUnderWriterForTest;

    /** Tests: the writer's queue is closed before its next write, as an interrupt closes a channel. */
    void closeQueueUnderWriterForTest() {
        closeUnderWriterForTest = true;
    }

    private static boolean causedByInterrupt(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.ClosedByInterruptException || c instanceof InterruptedException
                    || c instanceof net.openhft.chronicle.core.io.ClosedIllegalStateException) {
                return true;
            }
        }
        return false;
    }

    private void openCycleIfNew() {
        int cycle = queue.cycle();
        while (cycle != headerCycle) {
            Header h = new Header(Schema.VERSION, writerId, Schema.typeNames(), ProcessHandle.current().pid(),
                    System.getProperty("java.vm.vendor") + " " + Runtime.version(), System.currentTimeMillis(),
                    System.nanoTime(), nextSeq);
            try (DocumentContext dc = appender.writingDocument()) {
                RecordCodec.writeHeader(dc.wire().bytes(), h);
            }
            Snapshot s = model.snapshot();
            try (DocumentContext dc = appender.writingDocument()) {
                RecordCodec.writeSnapshot(dc.wire().bytes(), new Snapshot(nextSeq, s.nodes()));
            }
            int was = headerCycle;
            headerCycle = appender.cycle();
            if (was != headerCycle && headerCycle == cycle) {
                applyRetention();
            }
            cycle = queue.cycle();
        }
    }

    private void applyRetention() {
        int keep = options.retainCycles();
        if (keep <= 0) {
            return;
        }
        File[] files = options.dir().toFile().listFiles((d, name) -> name.endsWith(".cq4"));
        if (files == null || files.length <= keep) {
            return;
        }
        Arrays.sort(files); // cycle file names sort by time
        boolean removed = false;
        for (int i = 0; i < files.length - keep; i++) {
            removed |= files[i].delete();
        }
        if (removed) {
            queue.refreshDirectoryListing();
        }
    }

    private void checkDirectory() {
        File d = options.dir().toFile();
        if (d.exists() && !d.isDirectory()) {
            throw new IllegalArgumentException("event log directory " + d + " is a file: give a directory (it is created if missing)");
        }
    }

    // ------------------------------------------------------------------------------------ shutdown

    /**
     * Writes everything handed over so far, closes the log with a CLOSE record and stops the writer;
     * waits at most {@code timeout}. Uninstall the sink from the kernel first, or events published
     * after the writer stopped are counted as dropped and never written.
     *
     * @return true if the writer finished in time
     */
    public boolean close(long timeout, TimeUnit unit) throws InterruptedException {
        closing = true;
        if (writer.getState() == Thread.State.NEW) {
            start();
        }
        LockSupport.unpark(writer);
        writer.join(Math.max(1, unit.toMillis(timeout)));
        return !writer.isAlive();
    }

    @Override
    public void close() {
        try {
            close(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
