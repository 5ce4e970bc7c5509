package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code Thread.dispatchUncaughtException(Throwable)}: notes an LWP thread's death by an uncaught
 * exception; skips the handler for the error a kill throws (a killed LWP's normal way out).
 */
final class UncaughtAdvice extends Advice {
    UncaughtAdvice() {
        super("java/lang/Thread", "dispatchUncaughtException", "(Ljava/lang/Throwable;)V");
    }

    @Override
    void apply(MethodNode m) {
        InsnList args = new InsnList();
        args.add(new VarInsnNode(Opcodes.ALOAD, 0));
        args.add(new VarInsnNode(Opcodes.ALOAD, 1));
        Bytecode.enterSkip(owner, m, args, Bytecode.hook("uncaught", "(Ljava/lang/Thread;Ljava/lang/Throwable;)Z"));
    }
}
