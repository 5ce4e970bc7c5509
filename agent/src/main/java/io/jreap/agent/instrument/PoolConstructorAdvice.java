package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Every constructor of {@code ThreadPoolExecutor} and {@code ForkJoinPool} (not the common pool's
 * private one), and the JDK 21+ {@code ThreadPerTaskExecutor}'s: before each return,
 * {@code JdkHooks.poolCreated(this)} (or {@code taskExecutorCreated}) decides who owns the pool.
 * Delegating constructors call it twice; the hook keeps the first.
 */
final class PoolConstructorAdvice extends Advice {
    private final String hookName;
    private final String excludedDesc;

    private PoolConstructorAdvice(String owner, String hookName, String excludedDesc) {
        super(owner, "<init>", null);
        this.hookName = hookName;
        this.excludedDesc = excludedDesc;
    }

    static PoolConstructorAdvice threadPoolExecutor() {
        return new PoolConstructorAdvice("java/util/concurrent/ThreadPoolExecutor", "poolCreated", null);
    }

    static PoolConstructorAdvice forkJoinPool() {
        return new PoolConstructorAdvice("java/util/concurrent/ForkJoinPool", "poolCreated", "(B)V");
    }

    static PoolConstructorAdvice threadPerTaskExecutor() {
        return new PoolConstructorAdvice("java/util/concurrent/ThreadPerTaskExecutor", "taskExecutorCreated", null);
    }

    @Override
    boolean accepts(MethodNode m) {
        return !m.desc.equals(excludedDesc);
    }

    @Override
    boolean required(JdkFeatures jdk) {
        return !owner.endsWith("ThreadPerTaskExecutor") || jdk.threadContainers();
    }

    @Override
    void apply(MethodNode m) {
        InsnList l = new InsnList();
        l.add(new VarInsnNode(Opcodes.ALOAD, 0));
        l.add(Bytecode.hook(hookName, "(Ljava/lang/Object;)V"));
        Bytecode.beforeReturns(m, l);
    }
}
