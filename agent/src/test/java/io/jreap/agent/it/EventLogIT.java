package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.LogInterrupts;
import io.jreap.agent.scenario.LogStorm;
import io.jreap.agent.scenario.LoggedPlugin;
import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.replay.LogReader;
import io.jreap.log.replay.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event log in an agent-attached child JVM, on JDK 17 and 25: a guest that behaves (no child
 * process, no files outside the log directory, no threads after it is stopped, nothing printed),
 * durable across {@code kill -9}, losing nothing to a writer that is interrupted over and over,
 * and readable by Chronicle's own tools.
 */
class EventLogIT {
    @TempDir
    Path tmp;

    /** A child JVM whose home, temporary directory and working directory are fresh and empty. */
    private ChildJvm.Builder guest(String jdk, Path log) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path temp = Files.createDirectories(tmp.resolve("tmp"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        return ChildJvm.on(jdk).agentOptions("log=" + log).directory(cwd)
                .jvmArgs("-Duser.home=" + home, "-Djava.io.tmpdir=" + temp);
    }

    private static List<String> contents(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static List<LogEvent> events(List<LogRecord> records) {
        return records.stream().filter(r -> r instanceof LogRecord.EventRecord)
                .map(r -> ((LogRecord.EventRecord) r).event()).toList();
    }

    private static void assertDenseFromZero(List<LogEvent> events) {
        assertThat(events).isNotEmpty();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).seq()).as("event %d's sequence number", i).isEqualTo(i);
        }
    }

    private static long value(ChildJvm.Result r, String key) {
        return r.out().stream().filter(l -> l.startsWith(key + " ")).map(l -> Long.parseLong(l.substring(key.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " line\n" + r.describe()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aGuestThatBehaves(String jdk) throws Exception {
        Path log = tmp.resolve("log");
        ChildJvm.Result r = guest(jdk, log).run(LoggedPlugin.class, "300");
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as("nothing on stderr\n" + r.describe()).isEmpty();
        assertThat(r.out()).as("only the scenario's own lines\n" + r.describe())
                .allMatch(l -> l.startsWith("CHECK ") || l.startsWith("FORKS ") || l.startsWith("KILLED ")
                        || l.equals("DONE"));
        assertThat(contents(tmp.resolve("home"))).as("user.home stays empty (no ~/.chronicle*, ~/.cache/JNA)").isEmpty();
        assertThat(contents(tmp.resolve("tmp"))).as("java.io.tmpdir stays empty (no target/, tmp/)").isEmpty();
        assertThat(contents(tmp.resolve("cwd"))).as("nothing in the working directory (no target/)").isEmpty();
        assertThat(contents(log)).as("only the queue's files in the log directory")
                .allMatch(n -> n.endsWith(".cq4") || n.endsWith(".cq4t"));

        try (LogReader reader = LogReader.open(log)) {
            List<LogRecord> all = reader.readAll();
            assertThat(reader.closed()).as("stop() wrote the CLOSE record").isTrue();
            assertThat(reader.tornTail()).isFalse();
            List<LogEvent> events = events(all);
            assertDenseFromZero(events);
            assertThat(events.stream().filter(e -> e.type() == EventType.FORK).count())
                    .as("a FORK for the spawn and for every thread the plugin started")
                    .isGreaterThanOrEqualTo(value(r, "FORKS"));
            assertThat(events).extracting(LogEvent::type).contains(EventType.KILL_BEGIN, EventType.KILL_END,
                    EventType.EXIT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theHostsOwnUnsafeWarningStillNamesTheHost(String jdk) throws Exception {
        ChildJvm.Result r = guest(jdk, tmp.resolve("log")).run(LoggedPlugin.class, "20", "hostUnsafe");
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        if (ChildJvm.feature(jdk) >= 24) {
            assertThat(r.err()).as("the log used Unsafe first, yet the one warning is the host's\n" + r.describe())
                    .contains("WARNING: A terminally deprecated method in sun.misc.Unsafe has been called")
                    .anyMatch(l -> l.contains("sun.misc.Unsafe::objectFieldOffset has been called by "
                            + LoggedPlugin.class.getName()));
            assertThat(String.join("\n", r.err())).doesNotContain("openhft", "jctools", "jreap-agent.jar");
        } else {
            assertThat(r.err()).as(r.describe()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aJvmKilledMidStormLeavesALogWhoseCommittedEventsAllReadBack(String jdk) throws Exception {
        Path log = tmp.resolve("log");
        ChildJvm.Builder b = guest(jdk, log);
        Process p = b.start(LogStorm.class, "3000");
        b.awaitLine(p, "STORMING", 120);
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no CLOSE record
        p.waitFor();
        assertThat(p.exitValue()).isEqualTo(137);

        try (LogReader reader = LogReader.open(log)) {
            List<LogRecord> all = reader.readAll();
            assertThat(all.get(0)).isInstanceOf(LogRecord.HeaderRecord.class);
            assertThat(all.get(1)).isInstanceOf(LogRecord.SnapshotRecord.class);
            assertThat(all).noneMatch(x -> x instanceof LogRecord.CloseRecord);
            assertThat(reader.closed()).isFalse();
            List<LogEvent> events = events(all);
            assertDenseFromZero(events);
            assertThat(events.stream().filter(e -> e.type() == EventType.FORK).count())
                    .as("the storm's forks up to the kill (the writer lags the forks by its batches only)")
                    .isGreaterThan(100);
            boolean torn = reader.tornTail(); // reported, not fatal: either is a valid end
            System.out.println(jdk + ": " + events.size() + " events read back after kill -9; torn tail: " + torn);
            assertThat(reader.next()).isNull();
        }
        assertThat(contents(tmp.resolve("home"))).isEmpty();
        assertThat(contents(tmp.resolve("tmp"))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aWriterInterruptedOverAndOverLosesNothing(String jdk) throws Exception {
        Path log = tmp.resolve("log");
        ChildJvm.Result r = guest(jdk, log).timeoutSeconds(300).run(LogInterrupts.class, "3000");
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.err()).as(r.describe()).isEmpty();
        assertThat(value(r, "INTERRUPTS")).as(r.describe()).isPositive();
        // With the access the agent grants, Chronicle's channels do not close on interrupt, so the
        // writer only clears them: no reopen is needed (event-log's WriterReopenTest covers one).
        assertThat(value(r, "REOPENS")).as(r.describe()).isNotNegative();
        assertThat(value(r, "DROPPED")).as(r.describe()).isZero();

        try (LogReader reader = LogReader.open(log)) {
            List<LogRecord> all = reader.readAll();
            assertThat(reader.closed()).isTrue();
            List<LogEvent> events = events(all);
            assertDenseFromZero(events);
            assertThat((long) events.size()).as("every event the writer wrote reads back, once")
                    .isEqualTo(value(r, "WRITTEN"));
            assertThat(events.stream().filter(e -> e.type() == EventType.FORK).count())
                    .as("the spawn and every thread the plugin started").isEqualTo(value(r, "FORKS") + 1);
            assertThat(events.stream().filter(e -> e.type() == EventType.EXIT).map(LogEvent::pid).toList())
                    .as("an EXIT for every LWP forked")
                    .containsAll(events.stream().filter(e -> e.type() == EventType.FORK).map(LogEvent::pid).toList());
        }
        chroniclesOwnToolsDumpIt(log);
    }

    /**
     * {@code java -jar jreap-agent.jar replay check DIR} on a recorded log, with no flag: the jar's
     * manifest gives Chronicle its module access; nothing but the verdict is printed (no JDK 25
     * Unsafe warning). A jar built without event-log's command line says so in one line instead.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theAgentJarReplaysALog(String jdk) throws Exception {
        ChildJvm.assumeInstalled(jdk);
        Path log = tmp.resolve("log");
        ChildJvm.Result rec = guest(ChildJvm.JDK17, log).run(LoggedPlugin.class, "30");
        assertThat(rec.exitCode()).as(rec.describe()).isZero();
        Process p = new ProcessBuilder(Path.of(jdk, "bin", "java").toString(), "-jar", ChildJvm.agentJar().toString(),
                "replay", "check", log.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        boolean hasCli;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(ChildJvm.agentJar().toFile())) {
            hasCli = jar.getEntry("jreap-log/io/jreap/log/cli/ReplayCli.classdata") != null;
        }
        if (hasCli) {
            assertThat(err).as(out + err).isEmpty();
            assertThat(out).as(err).startsWith("check: OK");
            assertThat(status).isZero();
        } else {
            assertThat(err.strip()).isEqualTo("jreap: this agent jar has no replay command (io.jreap.log.cli.ReplayCli "
                    + "is missing); build the jar from a tree that has event-log's replay command line");
            assertThat(status).isEqualTo(2);
        }
    }

    /** Interop: Chronicle Queue's own reader and dump tools read our queue (a copy: they may write metadata). */
    private static void chroniclesOwnToolsDumpIt(Path log) throws Exception {
        Path copy = Files.createTempDirectory("jreap-log-copy");
        try (Stream<Path> s = Files.list(log)) {
            for (Path f : s.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            new net.openhft.chronicle.queue.ChronicleReaderMain() {
                void go() {
                    run(new String[] {"-d", copy.toString()});
                }
            }.go();
        } finally {
            System.setOut(out);
        }
        String read = buf.toString(StandardCharsets.UTF_8);
        long documents = read.lines().filter(l -> l.matches("0x[0-9a-f]+: ?")).count();
        assertThat(documents).as("ChronicleReaderMain prints each document under its index (our records are binary)")
                .isGreaterThan(2);
        assertThat(read).doesNotContain("Exception");

        ByteArrayOutputStream dump = new ByteArrayOutputStream();
        try (Stream<Path> s = Files.list(copy)) {
            Path cq4 = s.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
            net.openhft.chronicle.queue.main.DumpMain.dump(cq4.toFile(), new PrintStream(dump, true,
                    StandardCharsets.UTF_8), Long.MAX_VALUE);
        }
        String d = dump.toString(StandardCharsets.UTF_8);
        assertThat(d).as("DumpMain prints the cycle file's documents").contains("--- !!data", "--- !!meta-data");
    }
}
