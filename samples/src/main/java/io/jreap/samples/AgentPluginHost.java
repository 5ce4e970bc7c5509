package io.jreap.samples;

import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main job, with the agent attached ({@code -javaagent:jreap-agent.jar}): a host loads a
 * plugin that knows nothing of jreap. The plugin uses plain Java: threads that start threads, a
 * thread pool, a scheduled executor, a {@code java.util.Timer}, virtual threads (JDK 21+), and a
 * thread that never stops starting threads. The host prints the plugin's process tree, kills the
 * sandbox while the storm runs, and checks: every thread the plugin ever started has ended, its
 * pools refuse new work (also from the host), a host thread sleeping through it all was not
 * interrupted, and the host's own pool still works. Exits 1 if any check fails. With the event log
 * on ({@code -javaagent:jreap-agent.jar=log=DIR}, as the demo profile runs it), everything is
 * recorded for {@code java -jar jreap-agent.jar replay}.
 */
public final class AgentPluginHost {
    /** Every thread plugin code started, seen from inside (its first action records it). */
    static final Set<Thread> pluginThreads = ConcurrentHashMap.newKeySet();
    static final AtomicInteger refusedStarts = new AtomicInteger();
    static volatile ExecutorService pluginPool;
    static volatile ScheduledExecutorService pluginTicker;

    public static void main(String[] args) throws Exception {
        Kernel kernel = Kernel.global();
        if (Kernel.class.getClassLoader() != null) {
            System.err.println("run this with the agent: java -javaagent:agent/target/jreap-agent.jar ...");
            System.exit(2);
        }
        boolean[] bystanderInterrupted = {false};
        Thread bystander = new Thread(() -> {
            try {
                Thread.sleep(4_000);
            } catch (InterruptedException e) {
                bystanderInterrupted[0] = true;
            }
        }, "host-bystander");
        bystander.start();
        ExecutorService hostPool = Executors.newFixedThreadPool(2);

        Sandbox sandbox = kernel.newSandbox("plugin", 100_000);
        CountDownLatch ready = new CountDownLatch(1);
        sandbox.spawn(() -> Plugin.start(hostPool, ready));
        ready.await(30, TimeUnit.SECONDS);
        Thread.sleep(500); // let the storm run

        List<LwpInfo> before = kernel.ps();
        System.out.println("== the plugin's process tree before the kill ==");
        printTree(before, sandbox.pid());

        long t0 = System.nanoTime();
        KillResult r = sandbox.kill();
        boolean ended = sandbox.awaitTermination(Duration.ofSeconds(30));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("== the kill ==");
        System.out.println("signalled " + r.killed() + " LWPs; all ended: " + ended + " (" + ms + " ms to the last exit)");

        List<String> failures = new ArrayList<>();
        long alive = pluginThreads.stream().filter(Thread::isAlive).count();
        System.out.println("threads the plugin started: " + pluginThreads.size() + ", still alive: " + alive
                + ", starts refused during the kill: " + refusedStarts.get());
        if (!ended || alive > 0) {
            failures.add(alive + " plugin threads survived the kill");
        }
        try {
            pluginPool.execute(() -> { });
            failures.add("the plugin's pool still accepts work after the kill");
        } catch (RejectedExecutionException expected) {
            System.out.println("the plugin's pool refuses new work: " + expected.getClass().getSimpleName());
        }
        CountDownLatch hostWork = new CountDownLatch(1);
        hostPool.execute(hostWork::countDown);
        if (!hostWork.await(10, TimeUnit.SECONDS)) {
            failures.add("the host's pool (used by the plugin) stopped working");
        }
        bystander.interrupt();
        bystander.join();
        hostPool.shutdown();
        if (bystanderInterrupted[0] && bystander.isInterrupted()) {
            failures.add("the kill interrupted a host thread");
        }
        sandbox.close(Duration.ofSeconds(10));
        System.out.println("== verdict ==");
        if (failures.isEmpty()) {
            System.out.println("OK: nothing escaped, the host was not disturbed");
            String log = System.getProperty("demo.log");
            if (log != null) {
                System.out.println("== the event log ==");
                System.out.println("every fork, signal, kill and exit above is in " + log
                        + " (closed as this JVM exits); replayed next: check, then the timeline into "
                        + System.getProperty("demo.timeline"));
            }
        } else {
            failures.forEach(f -> System.out.println("FAILED: " + f));
            System.exit(1);
        }
    }

    /** pstree-like: pid, group, threads, state, children indented. */
    static void printTree(List<LwpInfo> ps, long root) {
        Map<Long, List<LwpInfo>> children = new HashMap<>();
        Map<Long, LwpInfo> byPid = new HashMap<>();
        for (LwpInfo p : ps) {
            byPid.put(p.pid(), p);
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        }
        int[] shown = {0};
        print(byPid.get(root), children, "", shown);
        if (shown[0] < countBelow(root, children) + 1) {
            System.out.println("  ... (" + (countBelow(root, children) + 1 - shown[0]) + " more)");
        }
        System.out.println(countBelow(root, children) + " LWPs below the sandbox's reaper " + root);
    }

    private static int countBelow(long pid, Map<Long, List<LwpInfo>> children) {
        int n = 0;
        for (LwpInfo c : children.getOrDefault(pid, List.of())) {
            n += 1 + countBelow(c.pid(), children);
        }
        return n;
    }

    private static void print(LwpInfo p, Map<Long, List<LwpInfo>> children, String indent, int[] shown) {
        if (shown[0] >= 40) {
            return;
        }
        shown[0]++;
        System.out.printf("%s%d%s  pgid %d  threads %d  %s%n", indent, p.pid(), p.reaper() ? " (reaper)" : "",
                p.pgid(), p.threads(), p.state());
        for (LwpInfo c : children.getOrDefault(p.pid(), List.of())) {
            print(c, children, indent + "  ", shown);
        }
    }

    /** The plugin: plain Java, no jreap calls. */
    static final class Plugin {
        static void start(ExecutorService hostPool, CountDownLatch ready) {
            record();
            pluginPool = Executors.newFixedThreadPool(4);
            pluginTicker = Executors.newScheduledThreadPool(1);
            pluginTicker.scheduleAtFixedRate(Plugin::record, 0, 10, TimeUnit.MILLISECONDS);
            new Timer("plugin-timer", true).schedule(new TimerTask() {
                @Override
                public void run() {
                    record();
                }
            }, 0, 10);
            for (int i = 0; i < 8; i++) {
                pluginPool.execute(Plugin::work);
                hostPool.execute(() -> { }); // the plugin uses the host's pool too
            }
            for (int i = 0; i < 3; i++) {
                startThread(() -> tree(3));
            }
            if (Runtime.version().feature() >= 21) {
                for (int i = 0; i < 3; i++) {
                    startVirtual(() -> tree(3));
                }
            }
            startThread(Plugin::storm);
            ready.countDown();
            work();
        }

        /** Starts threads forever: the kill must catch the ones born while it runs. */
        static void storm() {
            record();
            for (;;) {
                startThread(Plugin::work);
                sleep(5);
            }
        }

        static void tree(int depth) {
            record();
            if (depth > 0) {
                for (int i = 0; i < 3; i++) {
                    startThread(() -> tree(depth - 1));
                }
            }
            work();
        }

        static void work() {
            record();
            for (;;) {
                sleep(50);
            }
        }

        static void record() {
            pluginThreads.add(Thread.currentThread());
        }

        static void startThread(Runnable r) {
            try {
                new Thread(r).start();
            } catch (Error refused) { // the start is refused once the plugin is being killed
                refusedStarts.incrementAndGet();
                throw refused;
            }
        }

        static void startVirtual(Runnable r) {
            try {
                Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        /** An interruptible wait: a killed plugin thread ends here (the interrupt becomes its end). */
        static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
