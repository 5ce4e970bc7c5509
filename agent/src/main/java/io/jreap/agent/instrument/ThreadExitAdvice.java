package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The private {@code Thread.exit()}: the VM calls it on every dying platform thread, after the
 * uncaught-exception handler and before {@code isAlive()} turns false, whatever way {@code run()}
 * ended. Entry: {@code JdkHooks.threadExit(this)} (never throws: JDK 17 would retry and leak).
 */
final class ThreadExitAdvice extends Advice {
    ThreadExitAdvice() {
        super("java/lang/Thread", "exit", "()V");
    }

    @Override
    void apply(MethodNode m) {
        InsnList l = new InsnList();
        l.add(new VarInsnNode(Opcodes.ALOAD, 0));
        l.add(Bytecode.hook("threadExit", "(Ljava/lang/Thread;)V"));
        Bytecode.enterNotify(m, l);
    }
}
