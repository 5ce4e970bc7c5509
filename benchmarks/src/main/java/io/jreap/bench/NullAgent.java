package io.jreap.bench;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;

/**
 * A do-nothing agent, to tell apart what any retransforming agent costs a thread start from what
 * jreap's hooks cost. {@code capabilities}: registers a retransform-capable transformer that
 * changes nothing. {@code retransform}: also retransforms the JDK classes jreap instruments, with
 * their bytes unchanged (the JVM still replaces them, as it does for jreap). Attached by
 * {@link AgentOverhead} through a manifest-only jar.
 */
public final class NullAgent {
    static final String[] CLASSES = {"java.lang.Thread", "java.lang.VirtualThread", "java.lang.Runtime",
            "java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.ThreadPoolExecutor$Worker",
            "java.util.concurrent.ForkJoinPool", "java.util.concurrent.ThreadPerTaskExecutor"};

    private NullAgent() {
    }

    public static void premain(String args, Instrumentation inst) throws Exception {
        boolean retransform = "retransform".equals(args);
        ClassFileTransformer identity = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                    ProtectionDomain pd, byte[] bytes) {
                return retransform && redefined != null ? bytes.clone() : null;
            }
        };
        inst.addTransformer(identity, true);
        if (retransform) {
            List<Class<?>> targets = new ArrayList<>();
            for (String c : CLASSES) {
                try {
                    targets.add(Class.forName(c, false, null));
                } catch (ClassNotFoundException absentOnThisJdk) {
                    // VirtualThread and ThreadPerTaskExecutor exist from JDK 21.
                }
            }
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
        }
    }
}
