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
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
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
        this(false);
    }

    /**
     * @param quietUnsafeForLog also instrument {@code sun.misc.Unsafe} so that the event log's
     *        writer does not trigger JDK 24+'s warning ({@link UnsafeWarningAdvice})
     */
    public JdkTransformer(boolean quietUnsafeForLog) {
        List<Advice> list = new ArrayList<>(List.of(
                ThreadStartAdvice.platform(),
                ThreadStartAdvice.platformInContainer(),
                ThreadStartAdvice.virtual(),
                new ThreadExitAdvice(),
                new VirtualThreadExitAdvice(),
                new UncaughtAdvice(),
                new GroupUncaughtAdvice(),
                new RuntimeExitAdvice(false),
                new RuntimeExitAdvice(true),
                PoolConstructorAdvice.threadPoolExecutor(),
                PoolConstructorAdvice.forkJoinPool(),
                PoolConstructorAdvice.threadPerTaskExecutor(),
                PoolWorkerAdvice.created(),
                PoolWorkerAdvice.failed()));
        list.addAll(List.of(PoolShutdownAdvice.all()));
        if (quietUnsafeForLog) {
            list.add(new UnsafeWarningAdvice());
        }
        this.all = List.copyOf(list);
        for (Advice a : this.all) {
            List<Advice> l = byOwner.get(a.owner);
            if (l == null) {
                l = new ArrayList<>();
                byOwner.put(a.owner, l);
            }
            l.add(a);
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

    /** Routes each advised method through a tree, applies its advice, and writes it on. */
    private static final class AdvisingVisitor extends ClassVisitor {
        private final List<Advice> advices;
        private final List<String> done;

        AdvisingVisitor(ClassVisitor next, List<Advice> advices, List<String> done) {
            super(Opcodes.ASM9, next);
            this.advices = advices;
            this.done = done;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, desc, signature, exceptions);
            MethodNode probe = new MethodNode(Opcodes.ASM9, access, name, desc, signature, exceptions);
            boolean advised = false;
            for (Advice a : advices) {
                if (a.matches(probe)) {
                    advised = true;
                    break;
                }
            }
            if (!advised) {
                return next;
            }
            return new MethodNode(Opcodes.ASM9, access, name, desc, signature, exceptions) {
                @Override
                public void visitEnd() {
                    for (Advice a : advices) {
                        if (a.matches(this) && a.fits(this)) {
                            a.apply(this);
                            done.add(a.id());
                        }
                    }
                    accept(next);
                }
            };
        }
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
            ClassReader reader = new ClassReader(bytes);
            // Given the reader, the writer copies every method no advice touches as raw bytes:
            // only the few advised methods are parsed into trees and written again.
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            List<String> done = new ArrayList<>();
            reader.accept(new AdvisingVisitor(writer, advices, done), ClassReader.EXPAND_FRAMES);
            byte[] out = writer.toByteArray();
            applied.addAll(done);
            return out;
        } catch (Throwable e) {
            errors.add(className.replace('/', '.') + ": " + e);
            return null;
        }
    }
}
