package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code shutdown()} and {@code shutdownNow()} of {@code ThreadPoolExecutor} and
 * {@code ForkJoinPool}, and the JDK 19+ {@code ForkJoinPool.close()}: before each return,
 * {@code JdkHooks.poolShutdown(this)}, which ends the pool's LWP if the pool terminated with no
 * worker left (one that never started a worker, or whose workers all timed out). A pool with
 * workers ends with its last worker instead.
 */
final class PoolShutdownAdvice extends Advice {
    private final boolean since19;

    private PoolShutdownAdvice(String owner, String method, String desc, boolean since19) {
        super(owner, method, desc);
        this.since19 = since19;
    }

    static PoolShutdownAdvice[] all() {
        String tpe = "java/util/concurrent/ThreadPoolExecutor";
        String fjp = "java/util/concurrent/ForkJoinPool";
        return new PoolShutdownAdvice[] {
            new PoolShutdownAdvice(tpe, "shutdown", "()V", false),
            new PoolShutdownAdvice(tpe, "shutdownNow", "()Ljava/util/List;", false),
            new PoolShutdownAdvice(fjp, "shutdown", "()V", false),
            new PoolShutdownAdvice(fjp, "shutdownNow", "()Ljava/util/List;", false),
            new PoolShutdownAdvice(fjp, "close", "()V", true),
        };
    }

    @Override
    boolean required(JdkFeatures jdk) {
        return !since19 || jdk.threadContainers();
    }

    @Override
    void apply(MethodNode m) {
        for (AbstractInsnNode i : m.instructions.toArray()) {
            if (i.getOpcode() == Opcodes.RETURN || i.getOpcode() == Opcodes.ARETURN) {
                InsnList l = new InsnList();
                l.add(new VarInsnNode(Opcodes.ALOAD, 0));
                l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Bytecode.HOOKS, "poolShutdown", "(Ljava/lang/Object;)V",
                        false));
                m.instructions.insertBefore(i, l);
            }
        }
    }
}
