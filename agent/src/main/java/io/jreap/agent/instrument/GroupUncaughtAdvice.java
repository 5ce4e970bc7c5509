package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code ThreadGroup.uncaughtException(Thread, Throwable)}, the default handler that prints
 * "Exception in thread ...": skips it for a thread of a killed LWP. {@link UncaughtAdvice} covers
 * threads that die; this covers the JDK code that calls a live thread's handler itself — a
 * {@code ForkJoinPool} worker whose task, run with {@code execute}, threw (JDK 17's
 * {@code RunnableExecuteAction.trySetException}, JDK 25's {@code onAuxExceptionSet}): without it
 * a killed plugin's pool printed one such line per interrupted task.
 */
final class GroupUncaughtAdvice extends Advice {
    GroupUncaughtAdvice() {
        super("java/lang/ThreadGroup", "uncaughtException", "(Ljava/lang/Thread;Ljava/lang/Throwable;)V");
    }

    @Override
    void apply(MethodNode m) {
        InsnList args = new InsnList();
        args.add(new VarInsnNode(Opcodes.ALOAD, 1));
        args.add(new VarInsnNode(Opcodes.ALOAD, 2));
        Bytecode.enterSkip(owner, m, args, Bytecode.hook("groupUncaught", "(Ljava/lang/Thread;Ljava/lang/Throwable;)Z"));
    }
}
