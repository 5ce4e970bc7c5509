package io.jreap.agent;

import io.jreap.agent.instrument.JdkTransformer;
import io.jreap.kernel.JdkHooks;
import io.jreap.kernel.Kernel;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the hooks, once the runtime is in the bootstrap loader: wires {@link JdkHooks} to the
 * JVM-wide {@link Kernel}, retransforms the JDK classes and verifies that every hook this JDK needs
 * went in (a missing one is an instrumentation failure, never a silent gap).
 */
final class Installer {
    private Installer() {
    }

    static void install(Instrumentation inst, AgentOptions options, int runtimeClasses, long t0) throws Exception {
        long t1 = System.nanoTime();
        JdkHooks.install(Kernel.global(), options.exitEndsSandbox());
        // The runtime cancels a killed LWP's java.util.Timer thread through its private fields.
        inst.redefineModule(Object.class.getModule(), java.util.Set.of(), java.util.Map.of(),
                java.util.Map.of("java.util", java.util.Set.of(JdkHooks.class.getModule())), java.util.Set.of(),
                java.util.Map.of());
        JdkTransformer t = new JdkTransformer(options.log() != null);
        // Load the targets first (without initialising them), then add the transformer: a class
        // loaded after addTransformer would be transformed twice, at load and at retransform.
        List<Class<?>> targets = new ArrayList<>();
        for (String name : t.targetClasses()) {
            try {
                targets.add(Class.forName(name, false, null));
            } catch (ClassNotFoundException e) {
                if (!t.optional(name)) {
                    throw new IllegalStateException("this JDK (" + Runtime.version() + ") has no " + name
                            + ", which jreap must instrument; jreap is tested on JDK 17 and 25");
                }
            }
        }
        long t2 = System.nanoTime();
        inst.addTransformer(t, true);
        try {
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
            List<String> missing = t.missing();
            if (!missing.isEmpty()) {
                throw new IllegalStateException(String.join("; ", missing) + " (this JDK, " + Runtime.version()
                        + ", differs from JDK 17 and 25, which jreap is tested on)");
            }
        } catch (Throwable e) {
            // Half-instrumented is worse than not at all: put the JDK's own code back.
            inst.removeTransformer(t);
            try {
                inst.retransformClasses(targets.toArray(new Class<?>[0]));
            } catch (Throwable ignored) {
                // What went in stays; the hooks stay inactive unless a sandbox is created.
            }
            throw e;
        }
        long t3 = System.nanoTime();
        if (options.verbose()) {
            System.err.println("jreap: installed in " + (t3 - t0) / 1_000_000 + " ms (runtime " + (t1 - t0) / 1_000_000
                    + " ms, hooks " + (t2 - t1) / 1_000_000 + " ms, retransform " + (t3 - t2) / 1_000_000 + " ms); "
                    + runtimeClasses + " runtime classes in the bootstrap loader; instrumented "
                    + String.join(", ", new java.util.TreeSet<>(t.applied())));
        }
    }
}
