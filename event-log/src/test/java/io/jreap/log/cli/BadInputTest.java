package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input: exit 2, ONE line on stderr that names the input, no stack trace unless asked. */
class BadInputTest {
    @TempDir
    static Path tmp;
    static Path good;

    @BeforeAll
    static void goodLog() throws Exception {
        good = tmp.resolve("good-log");
        try (TestLogs.Synthetic s = new TestLogs.Synthetic(good)) {
            s.sandbox(2, "sb").fork(3, 2, 2).exit(3, 2, 2, null).reap(3, 2).flush();
        }
    }

    private static void assertOneLine(TestLogs.Run r, String... mustContain) {
        assertThat(r.code()).as(r.err()).isEqualTo(ReplayCli.BAD_INPUT);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jreap replay: ").contains(mustContain).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingDirectory() {
        Path d = tmp.resolve("no-such-log");
        assertOneLine(run("tree", d.toString()), "no-such-log", "no such directory");
    }

    @Test
    void aFile() throws IOException {
        Path f = Files.writeString(tmp.resolve("notes.txt"), "hello");
        assertOneLine(run("events", f.toString()), "notes.txt", "is a file");
    }

    @Test
    void aDirectoryThatIsNotAQueue() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("just-a-dir"));
        Files.writeString(d.resolve("readme"), "x");
        assertOneLine(run("stats", d.toString()), "just-a-dir", "not a jreap event log");
    }

    @Test
    void aQueueThatIsNotAJreapLog() {
        Path d = tmp.resolve("other-queue");
        try (TestLogs.Raw raw = new TestLogs.Raw(d)) {
            raw.text("hello, not jreap");
        }
        assertOneLine(run("check", d.toString()), "other-queue", "not a jreap event log");
    }

    @Test
    void aNewerSchema() {
        Path d = tmp.resolve("future-log");
        try (TestLogs.Raw raw = new TestLogs.Raw(d)) {
            raw.header(99, 0);
        }
        assertOneLine(run("tree", d.toString()), "future-log", "schema 99", "newer");
    }

    @Test
    void aRecordThatCannotBeDecoded() {
        Path d = tmp.resolve("torn-log");
        try (TestLogs.Raw raw = new TestLogs.Raw(d)) {
            raw.header(1, 0).snapshot(0).truncatedEvents();
        }
        assertOneLine(run("events", d.toString()), "torn-log", "is corrupt");
    }

    @Test
    void aCorruptQueueFile() throws Exception {
        Path d = tmp.resolve("corrupt-log");
        try (TestLogs.Synthetic s = new TestLogs.Synthetic(d)) {
            s.sandbox(2, "sb").fork(3, 2, 2).flush();
        }
        Path cq4;
        try (Stream<Path> files = Files.list(d)) {
            cq4 = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(cq4.toFile(), "rw")) {
            byte[] junk = new byte[4096];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            f.seek(0);
            f.write(junk);
        }
        assertOneLine(run("tree", d.toString()), "corrupt-log", "corrupt");
    }

    @Test
    void aBadPointListsWhatIsAccepted() {
        assertOneLine(run("tree", "--at", "yesterday", good.toString()), "--at 'yesterday'", "ISO-8601", "+1.5s");
        assertOneLine(run("events", "--from", "12:99", good.toString()), "--from '12:99'");
    }

    @Test
    void anUnknownTypeListsTheValidOnes() {
        assertOneLine(run("events", "--type", "FORK,FROK", good.toString()), "--type 'FROK' is not an event type",
                "FORK,FORK_DENIED,FORK_FAILED,THREAD_ADD,EXIT,REAP");
    }

    @Test
    void usageErrorsAreOneLineToo() {
        assertOneLine(run("tree", "--bogus", good.toString()), "--bogus", "replay tree --help");
        assertOneLine(run("events", "--pid", "abc", good.toString()), "abc");
        assertOneLine(run("events", "--subtree", good.toString()), "--subtree needs --pid");
        assertOneLine(run("timeline", good.toString()), "--html");
        assertOneLine(run("tree"), "DIR");
        assertOneLine(run(), "no command given");
        assertOneLine(run("frobnicate", good.toString()), "frobnicate");
    }

    @Test
    void stacktraceShowsTheTraceOnRequest() {
        TestLogs.Run r = run("tree", "--stacktrace", tmp.resolve("no-such-log").toString());
        assertThat(r.code()).isEqualTo(ReplayCli.BAD_INPUT);
        assertThat(r.errLines().get(0)).contains("no-such-log");
        assertThat(r.err()).contains("\tat ").contains("LogException");
    }

    @Test
    void theGoodLogItselfIsFine() {
        assertThat(run("tree", good.toString()).code()).isZero();
        assertThat(run("events", "--type", EventType.FORK.name(), good.toString()).outLines()).hasSize(1);
    }
}
