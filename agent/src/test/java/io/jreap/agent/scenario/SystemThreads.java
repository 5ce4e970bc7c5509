package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.run;

import com.sun.net.httpserver.HttpServer;
import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.LwpInfo;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * JDK services that start their threads lazily, on whichever thread needs them first. For each one
 * a plugin LWP (alone in a fresh sandbox) is the first user in the JVM; then the sandbox is killed,
 * and the host checks that the service still works for it. The service's threads must never have
 * been part of an LWP:
 * <ul>
 *   <li>while the plugin runs, the sandbox forked exactly the LWPs the plugin started itself (the
 *       kernel's FORK events in the sandbox's session) and never added a thread to one of them
 *       (no THREAD_ADD: no JDK pool became a pool LWP);</li>
 *   <li>after {@code kill} and {@code awaitTermination} no LWP of the sandbox remains in
 *       {@code ps()};</li>
 *   <li>the long-lived threads the plugin's first use started are still alive, and the service
 *       works for the host (its callbacks, where it has any, run as the host: pid 1).</li>
 * </ul>
 * Host threads that sleep, wait and park in the background the whole time (and, on JDK 21+, a
 * host virtual thread) must never see an interrupt. Runs with {@code -Djava.awt.headless=true}:
 * AWT is not exercised.
 *
 * <p><b>User {@code Cleaner}s.</b> {@code Cleaner.create()} starts an {@code InnocuousThread},
 * which the kernel treats as a JDK service thread (recognised by class, like the Common-Cleaner):
 * a plugin's cleaner survives the plugin's kill, and the cleaning actions registered on it run as
 * the host. This scenario checks exactly that, so that a change of that choice is a visible one.
 */
public final class SystemThreads {
    static final Kernel K = Kernel.global();
    static final RecordingEventSink EVENTS = new RecordingEventSink();
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final byte[] PAYLOAD = "jreap system threads".getBytes(StandardCharsets.UTF_8);
    static final Duration LONG = Duration.ofSeconds(30);

    /** Objects a plugin made that the host keeps using after the kill. */
    static volatile HttpClient pluginHttpClient;
    static volatile Cleaner pluginCleaner;
    static volatile Registry pluginRegistry;
    static volatile int pluginRegistryPort;

    public static void main(String[] args) throws Exception {
        K.setEventSink(EVENTS);
        // No RMI call may wait forever, whatever a kill did to the registry.
        System.setProperty("sun.rmi.transport.connectionTimeout", "30000");
        System.setProperty("sun.rmi.transport.tcp.responseTimeout", "30000");
        Bystanders bystanders = new Bystanders();
        bystanders.startPlatform();

        HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        server.createContext("/", ex -> {
            byte[] b = PAYLOAD;
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");

        // The order matters: up to here the host used none of these services, and no phase's host
        // check may be the first use of a later phase's service (on JDK 25 the CompletableFuture
        // delay scheduler relays to the common pool; the host's virtual bystander starts only once
        // a plugin started the first virtual thread; it never does socket I/O).
        run("common pool", SystemThreads::commonPool);
        if (Jdk21.available()) {
            run("virtual-thread carriers", SystemThreads::virtualThreadCarriers);
            bystanders.startVirtual();
            run("NIO poller", SystemThreads::nioPoller);
        } else {
            Checks.skip("virtual-thread carriers", "JDK " + Checks.feature() + " has no virtual threads");
            Checks.skip("NIO poller", "JDK " + Checks.feature() + " has no virtual-thread poller");
        }
        run("process reaper", SystemThreads::processReaper);
        run("Cleaner", SystemThreads::cleaner);
        run("HttpClient", () -> httpClient(base));
        run("HttpURLConnection", () -> keepAliveTimer(base));
        run("CompletableFuture delay scheduler", SystemThreads::completableFutureDelay);
        run("java.util.logging", SystemThreads::logging);
        run("AsynchronousChannelGroup", SystemThreads::asynchronousChannelGroup);
        run("RMI", SystemThreads::rmi);
        run("JFR", SystemThreads::jfr);
        Checks.skip("AWT (EventQueue, AWT-Shutdown, Java2D Disposer)", "the child JVM runs headless");
        Checks.skip("Keep-Alive-SocketCleaner", "needs a keep-alive response closed half-read with its rest still "
                + "in flight; not reproducible without timing");

        bystanders.check();
        server.stop(0);
        Checks.done();
    }

    // ===================================================================================
    // The services
    // ===================================================================================

    static void commonPool() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        Phase p = Phase.run("common pool", 1, () -> {
            AtomicLong pid = new AtomicLong();
            CountDownLatch ran = new CountDownLatch(1);
            // execute + latch, not submit + get: an external get may run the task on the caller.
            ForkJoinPool.commonPool().execute(() -> {
                worker.set(Thread.currentThread());
                pid.set(K.getpid());
                ran.countDown();
            });
            Checks.must(ran.await(30, TimeUnit.SECONDS), "the plugin's common-pool task never ran");
            Checks.must(pid.get() == 1, "the plugin's common-pool task ran in pid " + pid.get() + ", not on a JDK thread");
        });
        p.stillAlive("the common-pool worker the plugin's task started", worker.get());
        run("common pool: host tasks run after the kill", () -> {
            List<Long> pids = hostTasks(8, r -> ForkJoinPool.commonPool().execute(r));
            check("common pool: host tasks run after the kill, on host threads", pids.size() == 8
                    && pids.stream().allMatch(x -> x == 1), pids);
        });
    }

    static void virtualThreadCarriers() throws Exception {
        AtomicLong vtPid = new AtomicLong();
        Phase p = Phase.run("virtual-thread carriers", 2, () -> {
            long me = K.getpid();
            Thread vt = Jdk21.startVirtualThread(() -> {
                sleep(20); // a timed park: on JDK 25 the scheduler's delay scheduler starts too
                vtPid.set(K.getpid());
            });
            Checks.must(joined(vt), "the plugin's virtual thread never ended");
            Checks.must(vtPid.get() > me, "the plugin's virtual thread ran in pid " + vtPid.get() + ", not a child LWP");
        });
        List<Thread> carriers = p.newThreads(t -> t.getClass().getName().equals("jdk.internal.misc.CarrierThread"));
        check("virtual-thread carriers: the plugin's first virtual thread started a carrier", !carriers.isEmpty(),
                p.describeNew());
        p.stillAlive("the carriers", carriers.toArray(new Thread[0]));
        run("virtual-thread carriers: host virtual threads run after the kill", () -> {
            List<Long> pids = hostTasks(8, r -> Jdk21.startVirtualThread(() -> {
                sleep(5);
                r.run();
            }));
            check("virtual-thread carriers: host virtual threads run after the kill", pids.size() == 8
                    && pids.stream().allMatch(x -> x == 1), pids);
        });
    }

    static void nioPoller() throws Exception {
        Phase p = Phase.run("NIO poller", 3, () -> {
            AtomicReference<Object> got = new AtomicReference<>();
            Thread vt = Jdk21.startVirtualThread(() -> got.set(roundTripOrFailure()));
            Checks.must(joined(vt), "the plugin's socket virtual thread never ended");
            Checks.must(got.get() instanceof byte[] b && Arrays.equals(b, PAYLOAD), "the plugin's socket I/O: " + got.get());
        });
        if (Checks.feature() >= 25) {
            List<Thread> master = p.newThreads(t -> t.getName().equals("MasterPoller"));
            check("NIO poller: the plugin's first virtual-thread socket I/O started the MasterPoller",
                    master.size() == 1, p.describeNew());
            p.stillAlive("the MasterPoller", master.toArray(new Thread[0]));
        }
        run("NIO poller: host virtual-thread socket I/O after the kill", () -> {
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicLong pid = new AtomicLong();
            Thread vt = Jdk21.startVirtualThread(() -> {
                pid.set(K.getpid());
                got.set(roundTripOrFailure());
            });
            check("NIO poller: host virtual-thread socket I/O works after the kill", joined(vt)
                    && pid.get() == 1 && got.get() instanceof byte[] b && Arrays.equals(b, PAYLOAD),
                    "pid " + pid + ", got " + got.get());
        });
    }

    static void processReaper() throws Exception {
        Phase p = Phase.run("process reaper", 1, () -> {
            Process a = new ProcessBuilder("true").start();
            Checks.must(a.waitFor(30, TimeUnit.SECONDS) && a.exitValue() == 0, "true did not exit 0");
            Process b = new ProcessBuilder("sleep", "0").start();
            Checks.must(b.waitFor(30, TimeUnit.SECONDS) && b.exitValue() == 0, "sleep 0 did not exit 0");
        });
        // JDK 25 names it "process reaper (pid N)" while it waits for a process, "process reaper" when idle.
        List<Thread> reapers = p.newThreads(t -> t.getName().startsWith("process reaper"));
        check("process reaper: the plugin's first process started a reaper thread", !reapers.isEmpty(),
                p.describeNew());
        p.stillAlive("the process reaper threads", reapers.toArray(new Thread[0]));
        run("process reaper: the host starts and waits for processes after the kill", () -> {
            Process a = new ProcessBuilder("sleep", "0").start();
            check("process reaper: Process.waitFor works for the host after the kill",
                    a.waitFor(30, TimeUnit.SECONDS) && a.exitValue() == 0, a);
            Process b = new ProcessBuilder("true").start();
            ProcessHandle h = b.onExit().get(30, TimeUnit.SECONDS).toHandle();
            check("process reaper: Process.onExit completes for the host after the kill", b.exitValue() == 0, b);
            Process c = new ProcessBuilder("sleep", "0").start();
            ProcessHandle ch = c.toHandle().onExit().get(30, TimeUnit.SECONDS);
            check("process reaper: ProcessHandle.onExit completes for the host after the kill",
                    ch.pid() == c.pid() && !ch.isAlive() && !h.isAlive(), ch);
        });
    }

    static void cleaner() throws Exception {
        AtomicLong actionPid = new AtomicLong();
        Phase p = Phase.run("Cleaner.create", 1, () -> {
            Cleaner c = Cleaner.create();
            pluginCleaner = c;
            CountDownLatch cleaned = new CountDownLatch(1);
            registerGarbage(c, () -> {
                actionPid.set(K.getpid());
                cleaned.countDown();
            });
            Checks.must(gcUntil(cleaned), "the plugin's cleaning action never ran");
        });
        check("Cleaner.create: the plugin's cleaning action ran on the cleaner thread, as the host",
                actionPid.get() == 1, actionPid);
        List<Thread> threads = p.newThreads(t -> t.getClass().getName().equals("jdk.internal.misc.InnocuousThread"));
        check("Cleaner.create: the plugin's cleaner has its own (InnocuousThread) thread", threads.size() == 1,
                p.describeNew());
        p.stillAlive("the plugin's cleaner thread", threads.toArray(new Thread[0]));
        p.stillAlive("the Common-Cleaner", byName("Common-Cleaner"));
        run("Cleaner: cleaning works for the host after the kill", () -> {
            for (Cleaner c : List.of(pluginCleaner, Cleaner.create())) {
                AtomicLong pid = new AtomicLong();
                CountDownLatch cleaned = new CountDownLatch(1);
                registerGarbage(c, () -> {
                    pid.set(K.getpid());
                    cleaned.countDown();
                });
                check("Cleaner: " + (c == pluginCleaner ? "the plugin's" : "a host") + " cleaner runs the host's "
                        + "action after the kill, as the host", gcUntil(cleaned) && pid.get() == 1, pid);
            }
        });
    }

    static void httpClient(URI base) throws Exception {
        Phase p = Phase.run("HttpClient", 1, () -> {
            HttpClient c = HttpClient.newHttpClient();
            pluginHttpClient = c;
            HttpResponse<String> r = send(c, base);
            Checks.must(r.statusCode() == 200 && r.body().equals(new String(PAYLOAD, StandardCharsets.UTF_8)),
                    "the plugin's HttpClient got " + r);
        });
        List<Thread> selectors = p.newThreads(t -> t.getClass().getName().endsWith("HttpClientImpl$SelectorManager"));
        check("HttpClient: the plugin's client has its selector thread", selectors.size() == 1, p.describeNew());
        p.stillAlive("the plugin's client's selector and worker threads", p.newThreads(t -> t.getName()
                .startsWith("HttpClient-")).toArray(new Thread[0]));
        run("HttpClient: the host's own client works after the kill", () -> {
            HttpResponse<String> r = send(HttpClient.newHttpClient(), base);
            check("HttpClient: the host's own client works after the kill", r.statusCode() == 200
                    && r.body().equals(new String(PAYLOAD, StandardCharsets.UTF_8)), r);
        });
        run("HttpClient: the plugin's client (a JDK service) still works for the host", () -> {
            HttpResponse<String> r = send(pluginHttpClient, base);
            check("HttpClient: the plugin's client still works for the host after the kill", r.statusCode() == 200
                    && r.body().equals(new String(PAYLOAD, StandardCharsets.UTF_8)), r);
        });
        check("HttpClient: the plugin's client's selector thread was never interrupted", selectors.stream()
                .allMatch(t -> t.isAlive() && !t.isInterrupted()), selectors);
    }

    static void keepAliveTimer(URI base) throws Exception {
        Phase p = Phase.run("HttpURLConnection keep-alive", 1, () -> {
            Checks.must(Arrays.equals(get(base), PAYLOAD), "the plugin's GET");
        });
        // The Keep-Alive-Timer ends by itself once the cache is empty (5 s): only its birth is checked.
        check("HttpURLConnection: the plugin's GET started the Keep-Alive-Timer",
                !p.newThreads(t -> t.getName().equals("Keep-Alive-Timer")).isEmpty(), p.describeNew());
        run("HttpURLConnection: GETs work for the host after the kill", () -> {
            check("HttpURLConnection: GETs work for the host after the kill", Arrays.equals(get(base), PAYLOAD)
                    && Arrays.equals(get(base), PAYLOAD), "");
        });
    }

    static void completableFutureDelay() throws Exception {
        Phase p = Phase.run("CompletableFuture delay scheduler", 1, () -> {
            CountDownLatch ran = new CountDownLatch(1);
            CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS).execute(ran::countDown);
            Checks.must(ran.await(30, TimeUnit.SECONDS), "the plugin's delayed task never ran");
            CompletableFuture<Object> f = new CompletableFuture<>().orTimeout(10, TimeUnit.MILLISECONDS);
            Checks.must(timedOut(f), "the plugin's orTimeout never timed out");
        });
        String name = Checks.feature() >= 25 ? "ForkJoinPool.commonPool-delayScheduler" : "CompletableFutureDelayScheduler";
        List<Thread> scheduler = p.newThreads(t -> t.getName().equals(name));
        check("CompletableFuture: the plugin's delayedExecutor started the " + name + " thread",
                scheduler.size() == 1, p.describeNew());
        p.stillAlive("the " + name + " thread", scheduler.toArray(new Thread[0]));
        run("CompletableFuture: delayedExecutor and orTimeout work for the host after the kill", () -> {
            AtomicLong pid = new AtomicLong();
            CountDownLatch ran = new CountDownLatch(1);
            CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS).execute(() -> {
                pid.set(K.getpid());
                ran.countDown();
            });
            check("CompletableFuture.delayedExecutor works for the host after the kill",
                    ran.await(30, TimeUnit.SECONDS) && pid.get() == 1, pid);
            check("CompletableFuture.orTimeout works for the host after the kill",
                    timedOut(new CompletableFuture<>().orTimeout(10, TimeUnit.MILLISECONDS)), "");
            check("CompletableFuture.completeOnTimeout works for the host after the kill",
                    "late".equals(new CompletableFuture<String>().completeOnTimeout("late", 10, TimeUnit.MILLISECONDS)
                            .get(30, TimeUnit.SECONDS)), "");
        });
    }

    static void logging() throws Exception {
        Phase p = Phase.run("java.util.logging", 1, () -> {
            java.util.logging.LogManager.getLogManager();
            Logger.getLogger("jreap.plugin").fine("below the default level: prints nothing");
            System.getLogger("jreap.plugin.system").log(System.Logger.Level.DEBUG, "prints nothing");
        });
        check("java.util.logging: starts no thread (the LogManager's Cleaner is a shutdown hook)",
                p.newThreads(t -> true).isEmpty(), p.describeNew());
        run("java.util.logging works for the host after the kill", () -> {
            Logger l = Logger.getLogger("jreap.host");
            l.setUseParentHandlers(false);
            List<String> got = new ArrayList<>();
            l.addHandler(new Handler() {
                @Override
                public void publish(LogRecord r) {
                    got.add(r.getMessage() + " pid " + K.getpid());
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
            l.info("after the kill");
            check("java.util.logging works for the host after the kill", got.equals(List.of("after the kill pid 1")), got);
        });
    }

    static void asynchronousChannelGroup() throws Exception {
        AtomicLong handlerPid = new AtomicLong();
        Phase p = Phase.run("AsynchronousChannelGroup", 1, () -> {
            Checks.must(Arrays.equals(asyncRoundTrip(handlerPid), PAYLOAD), "the plugin's asynchronous channel I/O");
        });
        check("AsynchronousChannelGroup: the plugin's CompletionHandler ran on a group thread, as the host",
                handlerPid.get() == 1, handlerPid);
        List<Thread> group = p.newThreads(t -> true);
        check("AsynchronousChannelGroup: the plugin's first channel started the default group's threads",
                !group.isEmpty(), p.describeNew());
        p.stillAlive("the default group's threads", group.toArray(new Thread[0]));
        run("AsynchronousChannelGroup: works for the host after the kill", () -> {
            AtomicLong pid = new AtomicLong();
            check("AsynchronousChannelGroup: works for the host after the kill",
                    Arrays.equals(asyncRoundTrip(pid), PAYLOAD) && pid.get() == 1, pid);
        });
    }

    static void rmi() throws Exception {
        Phase p = Phase.run("RMI registry", 1, () -> {
            AtomicInteger port = new AtomicInteger();
            pluginRegistry = LocateRegistry.createRegistry(0, null, new LoopbackSockets(port));
            pluginRegistryPort = port.get();
            Checks.must(pluginRegistryPort > 0 && LocateRegistry.getRegistry(LOOPBACK.getHostAddress(), pluginRegistryPort)
                    .list().length == 0, "the plugin's registry");
        });
        List<Thread> accept = p.newThreads(t -> t.getName().startsWith("RMI TCP Accept"));
        check("RMI: the plugin's registry started its accept thread", !accept.isEmpty(), p.describeNew());
        p.stillAlive("the RMI accept thread", accept.toArray(new Thread[0]));
        run("RMI: the plugin's registry still answers the host after the kill", () -> {
            String[] names = LocateRegistry.getRegistry(LOOPBACK.getHostAddress(), pluginRegistryPort).list();
            check("RMI: the plugin's registry still answers the host after the kill", names.length == 0,
                    Arrays.toString(names));
        });
        // Let the RMI runtime's non-daemon threads end so that the JVM can exit.
        UnicastRemoteObject.unexportObject(pluginRegistry, true);
    }

    static void jfr() throws Exception {
        Phase p = Phase.run("JFR", 1, () -> {
            try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
                r.setName("jreap plugin");
            }
        });
        List<Thread> periodic = p.newThreads(t -> t.getName().equals("JFR Periodic Tasks"));
        check("JFR: the plugin's first Recording started JFR Periodic Tasks", periodic.size() == 1, p.describeNew());
        p.stillAlive("JFR Periodic Tasks", periodic.toArray(new Thread[0]));
        run("JFR: recordings work for the host after the kill", () -> {
            try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
                r.start();
                r.stop();
                check("JFR: a host recording starts and stops after the kill",
                        r.getState() == jdk.jfr.RecordingState.STOPPED, r.getState());
            }
        });
    }

    // ===================================================================================
    // One phase: a plugin alone in a sandbox triggers a service, then the sandbox is killed
    // ===================================================================================

    interface Trigger {
        void run() throws Throwable;
    }

    static final class Phase {
        final String name;
        final Set<Thread> started = new HashSet<>();

        private Phase(String name) {
            this.name = name;
        }

        /**
         * Spawns a plugin that runs {@code trigger} and then sleeps until it is killed; checks that
         * the sandbox forked exactly {@code lwps} LWPs (the plugin and its own children) and added
         * no thread to any; kills the sandbox and checks that nothing of it is left.
         */
        static Phase run(String name, int lwps, Trigger trigger) throws Exception {
            Phase p = new Phase(name);
            Sandbox sb = K.newSandbox(name, 1000);
            Set<Thread> before = liveThreads();
            AtomicReference<Thread> plugin = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch triggered = new CountDownLatch(1);
            sb.spawn(() -> {
                plugin.set(Thread.currentThread());
                try {
                    Checks.must(K.getpid() > sb.pid(), "the plugin is not an LWP");
                    trigger.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
                triggered.countDown();
                try {
                    Thread.sleep(600_000); // until the kill
                } catch (InterruptedException e) {
                    // killed
                }
            });
            boolean done = triggered.await(60, TimeUnit.SECONDS);
            check(name + ": the plugin used the service", done && failure.get() == null,
                    done ? Checks.stackOf(failure.get()) : "timed out");
            Set<Thread> after = liveThreads();
            after.removeAll(before);
            after.remove(plugin.get());
            p.started.addAll(after);
            System.out.println("INFO " + name + ": threads the plugin's use started: " + p.describeNew());

            List<LifecycleEvent> forks = EVENTS.events(e -> e.sid() == sb.pid() && e.pid() != sb.pid()
                    && e.type() == EventType.FORK);
            List<LifecycleEvent> adds = EVENTS.events(e -> e.sid() == sb.pid() && e.type() == EventType.THREAD_ADD);
            check(name + ": the sandbox has only the plugin's own LWPs (no service thread or pool joined one)",
                    forks.size() == lwps && adds.isEmpty(), "expected " + lwps + " forks and no thread adds, got "
                            + forks + " " + adds + "; ps " + K.ps());

            sb.kill();
            check(name + ": the sandbox terminated after the kill", sb.awaitTermination(LONG), K.ps());
            List<LwpInfo> left = K.ps().stream().filter(i -> name.equals(i.sandbox()) && !i.reaper()).toList();
            check(name + ": no LWP of the sandbox remains after the kill", left.isEmpty(), left);
            Thread pt = plugin.get();
            pt.join(LONG.toMillis());
            check(name + ": the plugin's thread ended", !pt.isAlive(), pt);
            if (left.isEmpty()) {
                sb.close();
            }
            return p;
        }

        List<Thread> newThreads(Predicate<Thread> which) {
            return started.stream().filter(which).toList();
        }

        String describeNew() {
            List<String> out = new ArrayList<>();
            for (Thread t : started) {
                out.add("\"" + t.getName() + "\" " + t.getClass().getName() + (t.isDaemon() ? " daemon" : ""));
            }
            out.sort(null);
            return out.toString();
        }

        /** The service threads are still alive after the kill (each list must be non-empty). */
        void stillAlive(String what, Thread... threads) {
            check(name + ": " + what + " survived the kill", threads.length > 0
                    && Arrays.stream(threads).allMatch(t -> t != null && t.isAlive()), Arrays.toString(threads));
        }
    }

    // ===================================================================================
    // Helpers
    // ===================================================================================

    /** Host threads that sleep, wait and park all along; none may ever be interrupted. */
    static final class Bystanders {
        final AtomicInteger interrupts = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        final Object lock = new Object();

        void startPlatform() {
            start(new Thread(this::sleeper, "bystander-sleep"));
            start(new Thread(() -> {
                synchronized (lock) {
                    for (;;) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            interrupts.incrementAndGet();
                        }
                    }
                }
            }, "bystander-wait"));
            start(new Thread(() -> {
                for (;;) {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        interrupts.incrementAndGet();
                    }
                }
            }, "bystander-park"));
        }

        void startVirtual() {
            Thread t = Jdk21.builderUnstarted(Jdk21.ofVirtual(), this::sleeper);
            threads.add(t);
            t.start();
        }

        private void sleeper() {
            for (;;) {
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                }
            }
        }

        private void start(Thread t) {
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }

        void check() {
            Checks.check("no bystander host thread was ever interrupted", interrupts.get() == 0
                    && threads.stream().allMatch(t -> t.isAlive() && !t.isInterrupted()), interrupts + " interrupts, "
                    + threads);
            Checks.check("bystanders: " + threads.size() + " host threads watched", threads.size()
                    == (Jdk21.available() ? 4 : 3), threads);
        }
    }

    static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    static Thread byName(String name) {
        return liveThreads().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }

    /** The calling thread's pid for each of n tasks run through {@code executor}. */
    static List<Long> hostTasks(int n, java.util.function.Consumer<Runnable> executor) throws InterruptedException {
        List<Long> pids = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch l = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            executor.accept(() -> {
                pids.add(K.getpid());
                l.countDown();
            });
        }
        l.await(30, TimeUnit.SECONDS);
        return new ArrayList<>(pids);
    }

    /** A loopback TCP round trip in virtual threads: the payload, or the failure. */
    static Object roundTripOrFailure() {
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            AtomicReference<Throwable> err = new AtomicReference<>();
            Thread server = Jdk21.startVirtualThread(() -> {
                try (Socket s = ss.accept()) {
                    s.getOutputStream().write(PAYLOAD);
                } catch (Throwable e) {
                    err.set(e);
                }
            });
            byte[] got;
            try (Socket c = new Socket(LOOPBACK, ss.getLocalPort())) {
                c.setSoTimeout(30_000);
                got = c.getInputStream().readAllBytes();
            }
            server.join(30_000);
            return err.get() != null ? err.get() : got;
        } catch (Throwable e) {
            return e;
        }
    }

    /** A loopback round trip through the default AsynchronousChannelGroup; the read's handler records its pid. */
    static byte[] asyncRoundTrip(AtomicLong handlerPid) throws Exception {
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(LOOPBACK, 0));
                AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
            var accepted = server.accept();
            client.connect(server.getLocalAddress()).get(30, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel s = accepted.get(30, TimeUnit.SECONDS)) {
                s.write(ByteBuffer.wrap(PAYLOAD)).get(30, TimeUnit.SECONDS);
            }
            ByteBuffer buf = ByteBuffer.allocate(PAYLOAD.length);
            CompletableFuture<Integer> read = new CompletableFuture<>();
            client.read(buf, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    handlerPid.set(K.getpid());
                    read.complete(n);
                }

                @Override
                public void failed(Throwable e, Void a) {
                    read.completeExceptionally(e);
                }
            });
            read.get(30, TimeUnit.SECONDS);
            while (buf.hasRemaining() && client.read(buf).get(30, TimeUnit.SECONDS) > 0) {
                // the rest, if the first read was short
            }
            return buf.array();
        }
    }

    /** A GET that cannot wait forever, whatever a kill did to the client's threads. */
    static HttpResponse<String> send(HttpClient c, URI uri) throws Exception {
        return c.sendAsync(HttpRequest.newBuilder(uri).timeout(LONG).build(), HttpResponse.BodyHandlers.ofString())
                .get(LONG.toSeconds(), TimeUnit.SECONDS);
    }

    static byte[] get(URI uri) throws Exception {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(30_000);
        c.setReadTimeout(30_000);
        try (InputStream in = c.getInputStream()) {
            return in.readAllBytes(); // read to the end: the connection goes back to the keep-alive cache
        }
    }

    static void registerGarbage(Cleaner c, Runnable action) {
        c.register(new Object(), action);
    }

    static boolean gcUntil(CountDownLatch l) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            System.gc();
            if (l.await(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    static boolean timedOut(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(30, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof TimeoutException;
        } catch (TimeoutException e) {
            return false; // our own wait ran out: orTimeout never fired
        }
    }

    static boolean joined(Thread t) throws InterruptedException {
        t.join(LONG.toMillis());
        return !t.isAlive();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }



    /** An RMI server socket on the loopback address that reports its port. */
    static final class LoopbackSockets implements RMIServerSocketFactory {
        private final AtomicInteger port;

        LoopbackSockets(AtomicInteger port) {
            this.port = port;
        }

        @Override
        public ServerSocket createServerSocket(int p) throws java.io.IOException {
            ServerSocket s = new ServerSocket(p, 50, LOOPBACK);
            port.set(s.getLocalPort());
            return s;
        }
    }

    private SystemThreads() {
    }
}
