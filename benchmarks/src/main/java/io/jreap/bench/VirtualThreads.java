package io.jreap.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/** Virtual-thread baselines, reached reflectively because the benchmarks compile for JDK 17. */
final class VirtualThreads {
    static final ThreadFactory FACTORY = factory();

    private VirtualThreads() {
    }

    static boolean available() {
        return FACTORY != null;
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    static ExecutorService perTaskExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class)
                    .invoke(null, FACTORY);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("newThreadPerTaskExecutor needs JDK 21+", e);
        }
    }

    private static ThreadFactory factory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
