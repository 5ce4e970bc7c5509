package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The private {@code VirtualThread.run(Runnable)} (JDK 21+): a virtual thread's whole life, on the
 * virtual thread itself; it has dispatched any uncaught exception when it returns. Every exit:
 * {@code JdkHooks.threadExit(this)}. (A virtual thread whose start failed never gets here: the
 * start's own transaction undoes it.)
 */
final class VirtualThreadExitAdvice extends Advice {
    VirtualThreadExitAdvice() {
        super("java/lang/VirtualThread", "run", "(Ljava/lang/Runnable;)V");
    }

    @Override
    boolean required(JdkFeatures jdk) {
        return jdk.threadContainers();
    }

    @Override
    void apply(MethodNode m) {
        Bytecode.onEveryExit(owner, m, exit(), exit());
    }

    private static InsnList exit() {
        InsnList l = new InsnList();
        l.add(new VarInsnNode(Opcodes.ALOAD, 0));
        l.add(Bytecode.hook("threadExit", "(Ljava/lang/Thread;)V"));
        return l;
    }
}
