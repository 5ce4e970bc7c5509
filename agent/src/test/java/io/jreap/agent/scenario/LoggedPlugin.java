package io.jreap.agent.scenario;

import io.jreap.agent.JreapAgent;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.KillResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host with the event log on (the IT passes {@code log=DIR}): a plugin forks a tree of
 * {@code args[0]} threads, is killed; then the host stops the log ({@code JreapAgent.stop()}) and
 * checks that the agent left nothing running: no child process, no Chronicle or writer thread.
 * Prints {@code FORKS n} and {@code KILLED n}. With {@code hostUnsafe} as {@code args[1]} the host
 * then uses {@code sun.misc.Unsafe} itself (JDK 24+ must warn, naming this class).
 */
public final class LoggedPlugin {
    private LoggedPlugin() {
    }

    public static void main(String[] args) throws Exception {
        int forks = Integer.parseInt(args[0]);
        Kernel k = Kernel.global();
        Object sink = k.eventSink();
        Checks.check("the event log is the kernel's sink", sink.getClass().getName().equals(
                "io.jreap.log.sink.EventLogSink"), sink.getClass());
        Checks.check("the log's classes are the isolated loader's, not the application's",
                sink.getClass().getClassLoader() != ClassLoader.getSystemClassLoader()
                        && "jreap-log".equals(sink.getClass().getClassLoader().getName()),
                sink.getClass().getClassLoader());
        Checks.check("Chronicle is invisible to the application", !visible("net.openhft.chronicle.queue.ChronicleQueue")
                && !visible("org.jctools.queues.MpscArrayQueue") && !visible("io.jreap.log.sink.EventLogSink"), "");

        Sandbox sb = k.newSandbox("plugin", 100_000);
        AtomicInteger started = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(forks);
        sb.spawn(() -> grow(started, all, forks));
        Checks.check("every fork ran", all.await(60, TimeUnit.SECONDS), all.getCount() + " missing");
        KillResult r = sb.kill();
        Checks.check("the sandbox ended", sb.awaitTermination(Duration.ofSeconds(30)), "");
        sb.close(Duration.ofSeconds(10));
        Checks.equal("child processes of this JVM", List.of(), ProcessHandle.current().descendants()
                .map(p -> p.pid() + " " + p.info().command().orElse("?")).toList());
        Checks.check("JreapAgent.stop() closed the log in time", JreapAgent.stop(), "");
        Checks.check("a second stop() is a no-op", JreapAgent.stop(), "");
        List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.toLowerCase(java.util.Locale.ROOT).matches(".*(chronicle|disk~space|releaser|analytics"
                        + "|jreap event writer|process reaper|~).*"))
                .toList();
        Checks.equal("threads left by the log after stop()", List.of(), left);
        System.out.println("FORKS " + started.get());
        System.out.println("KILLED " + r.killed());
        if (args.length > 1 && args[1].equals("hostUnsafe")) {
            java.lang.reflect.Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
            u.objectFieldOffset(LoggedPlugin.class.getDeclaredField("instanceMarker"));
        }
        Checks.done();
    }

    int instanceMarker;

    private static boolean visible(String name) {
        try {
            Class.forName(name, false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Each thread starts up to three children until {@code total} threads were started; all wait to be killed. */
    private static void grow(AtomicInteger started, CountDownLatch all, int total) {
        for (int i = 0; i < 3; i++) {
            if (started.incrementAndGet() > total) {
                started.decrementAndGet();
                break;
            }
            new Thread(() -> grow(started, all, total)).start();
        }
        all.countDown();
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException killed) {
            Thread.currentThread().interrupt();
        }
    }
}
