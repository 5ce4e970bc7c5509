package io.jreap.agent.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Applies the {@link Advice}s to their JDK classes. Touches only classes of the bootstrap loader
 * that an advice names; records which advice went in, so that the installer can verify that every
 * hook this JDK needs is really there. Stays registered (retransform-capable), so that another
 * agent retransforming {@code Thread} later gets our hooks applied again.
 */
public final class JdkTransformer implements ClassFileTransformer {
    private final Map<String, List<Advice>> byOwner = new HashMap<>();
    private final List<Advice> all;
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());

    public JdkTransformer() {
        List<Advice> list = new ArrayList<>(List.of(
                ThreadStartAdvice.platform(),
                ThreadStartAdvice.platformInContainer(),
                ThreadStartAdvice.virtual(),
                new ThreadExitAdvice(),
                new VirtualThreadExitAdvice(),
                new UncaughtAdvice(),
                new RuntimeExitAdvice(false),
                new RuntimeExitAdvice(true),
                PoolConstructorAdvice.threadPoolExecutor(),
                PoolConstructorAdvice.forkJoinPool(),
                PoolConstructorAdvice.threadPerTaskExecutor(),
                PoolWorkerAdvice.created(),
                PoolWorkerAdvice.failed()));
        list.addAll(List.of(PoolShutdownAdvice.all()));
        this.all = List.copyOf(list);
        for (Advice a : this.all) {
            byOwner.computeIfAbsent(a.owner, k -> new ArrayList<>()).add(a);
        }
    }

    /** Binary names of the classes to retransform. */
    public List<String> targetClasses() {
        List<String> out = new ArrayList<>();
        for (String owner : byOwner.keySet()) {
            out.add(owner.replace('/', '.'));
        }
        return out;
    }

    /** Whether a class the advices name may be absent on this JDK. */
    public boolean optional(String binaryName) {
        JdkFeatures jdk = JdkFeatures.probe();
        for (Advice a : byOwner.getOrDefault(binaryName.replace('.', '/'), List.of())) {
            if (a.required(jdk)) {
                return false;
            }
        }
        return true;
    }

    /** The hooks this JDK needs that did not go in, each with why; empty when all are in. */
    public List<String> missing() {
        JdkFeatures jdk = JdkFeatures.probe();
        List<String> out = new ArrayList<>(errors);
        for (Advice a : all) {
            if (a.required(jdk) && !applied.contains(a.id())) {
                out.add(a.id() + " was not instrumented");
            }
        }
        return out;
    }

    public Set<String> applied() {
        return Set.copyOf(applied);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd,
            byte[] bytes) {
        if (loader != null || className == null) {
            return null;
        }
        List<Advice> advices = byOwner.get(className);
        if (advices == null) {
            return null;
        }
        try {
            ClassNode cn = new ClassNode();
            new ClassReader(bytes).accept(cn, ClassReader.EXPAND_FRAMES);
            List<String> done = new ArrayList<>();
            for (MethodNode m : cn.methods) {
                for (Advice a : advices) {
                    if (a.matches(m)) {
                        a.apply(m);
                        done.add(a.id());
                    }
                }
            }
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            cn.accept(cw);
            byte[] out = cw.toByteArray();
            applied.addAll(done);
            return out;
        } catch (Throwable e) {
            errors.add(className.replace('/', '.') + ": " + e);
            return null;
        }
    }
}
