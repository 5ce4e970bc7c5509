package io.jreap.agent.scenario;

import io.jreap.agent.JreapAgent;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host thread interrupts the event log's writer over and over (as a thread-leak checker might)
 * while a plugin forks {@code args[0]} short-lived threads. Then the host stops the log and prints
 * what the sink counted: {@code FORKS}, {@code INTERRUPTS}, {@code REOPENS}, {@code WRITTEN},
 * {@code DROPPED}. The IT reads the log and finds every event.
 */
public final class LogInterrupts {
    private LogInterrupts() {
    }

    public static void main(String[] args) throws Exception {
        int forks = Integer.parseInt(args[0]);
        Object sink = Kernel.global().eventSink();
        Thread writer = (Thread) sink.getClass().getMethod("writerThread").invoke(sink);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger interrupts = new AtomicInteger();
        Thread pest = new Thread(() -> {
            while (!stop.get()) {
                writer.interrupt();
                interrupts.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "leak-checker");
        pest.setDaemon(true);
        pest.start();

        Sandbox sb = Kernel.global().newSandbox("plugin", 100_000);
        CountDownLatch done = new CountDownLatch(forks);
        AtomicInteger started = new AtomicInteger();
        sb.spawn(() -> {
            for (int i = 0; i < forks; i++) {
                new Thread(done::countDown).start();
                started.incrementAndGet();
            }
        });
        Checks.check("every fork ran", done.await(120, TimeUnit.SECONDS), done.getCount() + " missing");
        Checks.check("the sandbox ended", sb.awaitTermination(Duration.ofSeconds(30)), "");
        sb.close(Duration.ofSeconds(10));
        // Keep interrupting until the writer has caught up (counted by what it wrote), then stop.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (written(sink) < forks && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        stop.set(true);
        pest.join();
        Checks.check("JreapAgent.stop() closed the log in time", JreapAgent.stop(), "");
        System.out.println("FORKS " + started.get());
        System.out.println("INTERRUPTS " + interrupts.get());
        System.out.println("REOPENS " + sink.getClass().getMethod("reopens").invoke(sink));
        System.out.println("WRITTEN " + written(sink));
        System.out.println("DROPPED " + sink.getClass().getMethod("dropped").invoke(sink));
        Object failure = sink.getClass().getMethod("failure").invoke(sink);
        Checks.check("the writer did not fail", failure == null, failure);
        Checks.done();
    }

    private static long written(Object sink) throws ReflectiveOperationException {
        return (Long) sink.getClass().getMethod("written").invoke(sink);
    }
}
