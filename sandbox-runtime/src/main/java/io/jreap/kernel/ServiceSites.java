package io.jreap.kernel;

import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Recognises a JDK service start from the stack: the first frame that is not thread, pool or
 * reflection machinery (the "owner frame") belongs to a JDK service that starts its threads or
 * pools lazily, on whichever thread needs it first (DESIGN section 2; per-JDK sites in
 * docs/research/jdk-thread-sites.md). Only the listed services count: a JDK API that starts
 * threads for its caller (the plugin's own {@code HttpServer}, a {@code Timer}) is the caller's.
 *
 * <p>Costs a stack walk (about 1-2 microseconds), so it runs only where a cheaper test cannot
 * decide: platform threads started directly by an LWP, and pools and executors an LWP creates.
 */
final class ServiceSites implements Function<Stream<StackWalker.StackFrame>, Boolean> {
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Frames skipped on the way to the owner frame. */
    private static final String[] MECHANISM = {
        "io.jreap.kernel.",
        "java.lang.Thread",            // Thread, ThreadBuilders$..., Thread$Builder
        "java.lang.VirtualThread$",
        "java.lang.System$",
        "jdk.internal.vm.",            // SharedThreadContainer, ThreadContainers
        "java.util.concurrent.ThreadPerTaskExecutor",
        "java.util.concurrent.ThreadPoolExecutor",
        "java.util.concurrent.ScheduledThreadPoolExecutor",
        "java.util.concurrent.ForkJoin",
        "java.util.concurrent.AbstractExecutorService",
        "java.util.concurrent.FutureTask",
        "java.util.concurrent.Executors",
        "java.util.Timer",
        "java.security.AccessController",
        "java.lang.reflect.",
        "jdk.internal.reflect.",
        "java.lang.invoke.",
    };

    /** JDK services whose threads and pools belong to the JVM, whoever triggered them. */
    private static final String[] SERVICES = {
        "java.lang.VirtualThread",
        "java.lang.ProcessHandleImpl",
        "java.lang.ProcessImpl",
        "java.lang.ref.",
        "java.util.concurrent.CompletableFuture$Delayer",
        "jdk.internal.",
        "sun.nio.ch.",
        "sun.net.www.",
        "sun.rmi.",
        "sun.awt.",
        "sun.java2d.",
        "java.awt.",
        "javax.swing.",
        "jdk.jfr.",
        "java.util.logging.",
        "jdk.internal.net.http.",
    };

    /** Whether the current stack's owner frame is a JDK service site. */
    boolean isServiceSite() {
        Boolean b = WALKER.walk(this);
        return b != null && b;
    }

    @Override
    public Boolean apply(Stream<StackWalker.StackFrame> frames) {
        Iterator<StackWalker.StackFrame> it = frames.iterator();
        while (it.hasNext()) {
            StackWalker.StackFrame f = it.next();
            String c = f.getClassName();
            if (startsWithAny(c, MECHANISM) || f.getMethodName().equals("<init>") && isPoolSubclassConstructor(f)) {
                continue;
            }
            return startsWithAny(c, SERVICES);
        }
        return Boolean.FALSE;
    }

    /** A constructor frame of a pool class: part of the pool's creation, not its owner. */
    private static boolean isPoolSubclassConstructor(StackWalker.StackFrame f) {
        String c = f.getClassName();
        return c.startsWith("java.util.concurrent.");
    }

    private static boolean startsWithAny(String s, String[] prefixes) {
        for (String p : prefixes) {
            if (s.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
