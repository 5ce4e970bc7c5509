package io.jreap.log.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.LwpHandle;
import io.jreap.kernel.Sandbox;
import io.jreap.log.format.Header;
import io.jreap.log.format.RecordCodec;
import io.jreap.log.format.Schema;
import io.jreap.log.format.Snapshot;
import io.jreap.log.model.TreeModel;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import io.jreap.proc.Signal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/** Logs for the replay tests: recorded with the real runtime, written as synthetic events through the sink, or raw. */
final class TestLogs {
    private TestLogs() {
    }

    /** What one command run printed and returned. */
    record Run(int code, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = ReplayCli.run(args, out, err);
        }
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** The pids of a recorded kill log. */
    record KillLog(long sandbox, long root, List<Long> children, List<Long> grandchildren) {
        int lwps() {
            return 1 + children.size() + grandchildren.size();
        }
    }

    /**
     * A sandbox "plugin" whose root forks 3 children that fork 2 each (10 LWPs under the sandbox's
     * reaper), all sleeping; then the host kills the sandbox (one reaper kill with SIGKILL), waits
     * and closes it, and the log is closed.
     */
    static KillLog recordKill(Path dir) throws Exception {
        EventLogSink sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
        Kernel k = new Kernel(sink);
        Sandbox sb = k.newSandbox("plugin", 100);
        CountDownLatch ready = new CountDownLatch(9);
        List<Long> kids = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> grandkids = java.util.Collections.synchronizedList(new ArrayList<>());
        LwpHandle root = sb.spawn(() -> {
            for (int i = 0; i < 3; i++) {
                LwpHandle c = k.fork(() -> {
                    for (int j = 0; j < 2; j++) {
                        grandkids.add(k.fork(() -> {
                            ready.countDown();
                            sleepForever();
                        }).pid());
                    }
                    ready.countDown();
                    sleepForever();
                });
                kids.add(c.pid());
            }
            sleepForever();
        });
        assertThat(ready.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(sb.kill().killed()).isEqualTo(10);
        assertThat(sb.awaitTermination(Duration.ofSeconds(20))).isTrue();
        sb.close(Duration.ofSeconds(20));
        k.setEventSink(EventSink.NONE);
        assertThat(sink.close(20, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.failure()).isNull();
        return new KillLog(sb.pid(), root.pid(), List.copyOf(kids), List.copyOf(grandkids));
    }

    static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes made-up events through a real {@link EventLogSink}: the sink numbers and frames them
     * as it does for the kernel. Times are this JVM's clocks, 1 µs apart (or as {@link #advance}d).
     */
    static final class Synthetic implements AutoCloseable {
        final EventLogSink sink;
        private final long nanoBase = System.nanoTime();
        private final long wallBase = System.currentTimeMillis();
        private long offset;
        private long published;
        long thread = 1;

        Synthetic(Path dir) {
            this(EventLogOptions.defaults(dir), null);
        }

        Synthetic(EventLogOptions options, TimeProvider clock) {
            this.sink = new EventLogSink(options, null, clock).start();
        }

        Synthetic advance(long nanos) {
            offset += nanos;
            return this;
        }

        Synthetic ev(EventType type, long pid, long ppid, long pgid, long other, long count, int signal, int status,
                String detail) {
            offset += 1_000;
            sink.reserve(1); // as the kernel does: wait for room rather than drop
            sink.publish(new LifecycleEvent(type, nanoBase + offset, wallBase + offset / 1_000_000, pid, ppid, pgid, pgid,
                    other, count, signal, status, detail, thread, "test-" + thread, false));
            published++;
            return this;
        }

        Synthetic sandbox(long pid, String name) {
            return ev(EventType.SANDBOX, pid, TreeModel.INIT, pid, 0, 0, 0, 0, name);
        }

        Synthetic fork(long pid, long ppid, long pgid) {
            return ev(EventType.FORK, pid, ppid, pgid, ppid, 0, 0, 0, null);
        }

        Synthetic terminate(long pid, Signal sig) {
            return ev(EventType.SIGNAL_SENT, pid, 0, 0, TreeModel.INIT, 0, sig.number(), 0, "terminate");
        }

        Synthetic exit(long pid, long ppid, long pgid, Signal sig) {
            return ev(EventType.EXIT, pid, ppid, pgid, 0, 0, sig == null ? 0 : sig.number(),
                    sig == null ? 0 : 128 + sig.number(), null);
        }

        Synthetic reap(long pid, long ppid) {
            return ev(EventType.REAP, pid, ppid, 0, -1, 0, 0, 0, null);
        }

        Synthetic killBegin(long target, Signal sig) {
            return ev(EventType.KILL_BEGIN, TreeModel.INIT, 0, TreeModel.INIT, target, 0, sig.number(), 0, "killpg");
        }

        Synthetic killEnd(long target, int killed, Signal sig) {
            return ev(EventType.KILL_END, TreeModel.INIT, 0, TreeModel.INIT, -1, killed, sig.number(), 0,
                    "killpg " + target);
        }

        /** Waits until the writer wrote everything published so far. */
        Synthetic flush() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sink.written() < published && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(sink.written()).isEqualTo(published);
            return this;
        }

        @Override
        public void close() throws InterruptedException {
            assertThat(sink.close(20, TimeUnit.SECONDS)).isTrue();
            assertThat(sink.failure()).isNull();
        }
    }

    /** Writes records straight into a Chronicle Queue, for logs the sink would never write. */
    static final class Raw implements AutoCloseable {
        private final SingleChronicleQueue queue;
        private final ExcerptAppender appender;
        private final long nanoBase = System.nanoTime();
        private long offset;

        Raw(Path dir) {
            EventLogSink.prepareChronicle();
            queue = SingleChronicleQueueBuilder.binary(dir).build();
            appender = queue.createAppender();
        }

        Raw header(int version, long nextSeq) {
            try (DocumentContext dc = appender.writingDocument()) {
                RecordCodec.writeHeader(dc.wire().bytes(), new Header(version, 42, Schema.typeNames(), 4242, "test",
                        System.currentTimeMillis(), nanoBase, nextSeq));
            }
            return this;
        }

        Raw snapshot(long nextSeq) {
            try (DocumentContext dc = appender.writingDocument()) {
                RecordCodec.writeSnapshot(dc.wire().bytes(), emptySnapshot(nextSeq));
            }
            return this;
        }

        /** One batch of events with the given sequence numbers. */
        Raw events(long[] seqs, LifecycleEvent... events) {
            try (DocumentContext dc = appender.writingDocument()) {
                RecordCodec.writeEventsStart(dc.wire().bytes(), events.length);
                for (int i = 0; i < events.length; i++) {
                    RecordCodec.writeEvent(dc.wire().bytes(), seqs[i], events[i], null, i == 0 ? null : events[i - 1]);
                }
            }
            return this;
        }

        LifecycleEvent event(EventType type, long pid, long ppid, long pgid, long other, int signal, String detail) {
            offset += 1_000;
            return new LifecycleEvent(type, nanoBase + offset, System.currentTimeMillis(), pid, ppid, pgid, pgid, other,
                    0, signal, 0, detail, 1, "raw", false);
        }

        Raw close(long nextSeq) {
            try (DocumentContext dc = appender.writingDocument()) {
                RecordCodec.writeClose(dc.wire().bytes(), nextSeq, System.currentTimeMillis());
            }
            return this;
        }

        Raw dropped(long nextSeq, long count) {
            try (DocumentContext dc = appender.writingDocument()) {
                long now = System.currentTimeMillis();
                RecordCodec.writeDropped(dc.wire().bytes(), nextSeq, count, now, now);
            }
            return this;
        }

        /** A document that is not a jreap record. */
        Raw text(String s) {
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().writeUtf8(s);
            }
            return this;
        }

        /** An events record that claims more events than it holds. */
        Raw truncatedEvents() {
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().writeByte(Schema.RecordKind.EVENTS.code);
                dc.wire().bytes().writeStopBit(5);
                dc.wire().bytes().writeStopBit(0);
            }
            return this;
        }

        @Override
        public void close() {
            appender.close();
            queue.close();
        }
    }

    /**
     * A sandbox "big" (pid 2) with {@code groups} process groups of {@code perGroup} LWPs each: the
     * first of each group is forked by the sandbox's reaper and forks the rest. Group {@code killed}
     * is killed with killpg SIGKILL; then every LWP exits and is reaped. Returns the pgids.
     */
    static long[] writeBig(Synthetic s, int groups, int perGroup, int killed) throws InterruptedException {
        long[] pgids = new long[groups];
        s.sandbox(2, "big");
        for (int g = 0; g < groups; g++) {
            long leader = 3 + (long) g * perGroup;
            pgids[g] = leader;
            s.fork(leader, 2, leader);
            for (int i = 1; i < perGroup; i++) {
                s.fork(leader + i, leader, leader);
            }
        }
        long k = pgids[killed];
        s.killBegin(k, Signal.KILL);
        for (int i = 0; i < perGroup; i++) {
            s.terminate(k + i, Signal.KILL);
        }
        s.killEnd(k, perGroup, Signal.KILL);
        for (int g = 0; g < groups; g++) {
            for (int i = perGroup - 1; i >= 0; i--) {
                long pid = pgids[g] + i;
                long parent = i == 0 ? 2 : pgids[g];
                s.exit(pid, parent, pgids[g], g == killed ? Signal.KILL : null).reap(pid, parent);
            }
        }
        return pgids;
    }

    static Snapshot emptySnapshot(long nextSeq) {
        return new Snapshot(nextSeq, new TreeModel().snapshot().nodes());
    }
}
