package io.jreap.agent.scenario;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * A host the agent is attached to while it runs. Before the attach it starts threads and pools
 * that are busy or waiting; it prints {@code READY} and waits for a line on standard input, which
 * the test sends once it attached the agent; then {@link AfterAttach#attached} checks what the attach
 * changed. Nothing of jreap's runtime is touched before that line (this class names none of it),
 * except in mode {@code preloaded}, where the host loads a runtime class from its own class path
 * first, which the agent then refuses to attach to.
 */
public final class AttachHost {
    private AttachHost() {
    }

    /** What the host set up before the attach. */
    static final class Before {
        final CountDownLatch go = new CountDownLatch(1);
        final Thread[] threads = new Thread[2];
        final long[] threadPids = new long[2];
        final ExecutorService fixedPool = Executors.newFixedThreadPool(2);
        final ExecutorService cachedPool = Executors.newCachedThreadPool();
        final ForkJoinPool forkJoinPool = new ForkJoinPool(2);
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "attach";
        Before b = new Before();
        for (int i = 0; i < b.threads.length; i++) {
            int n = i;
            b.threads[i] = new Thread(() -> {
                try {
                    b.go.await();
                    b.threadPids[n] = AfterAttach.pid(); // first use of the runtime: after the attach
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pre-attach-" + i);
            b.threads[i].start();
        }
        // Both fixed-pool workers and one fork/join worker exist before the attach.
        CountDownLatch started = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            b.fixedPool.execute(started::countDown);
        }
        started.await(30, TimeUnit.SECONDS);
        b.forkJoinPool.submit(() -> { }).get();
        if (mode.equals("preloaded")) {
            Class.forName("io.jreap.proc.Signal"); // the host's own copy of the runtime, from its class path
        }
        System.out.println("READY");
        System.out.flush();
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (!"GO".equals(line)) {
            throw new IllegalStateException("expected GO on standard input, got " + line);
        }
        if (mode.equals("preloaded")) {
            AfterAttach.notInstrumented(b);
        } else {
            AfterAttach.attached(b);
        }
        b.fixedPool.shutdownNow();
        b.cachedPool.shutdownNow();
        b.forkJoinPool.shutdownNow();
        Checks.done();
    }
}
