package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code ThreadPoolExecutor.Worker}'s constructor (before return:
 * {@code poolWorkerCreated(this.thread, pool)}, whatever the thread factory wrapped) and
 * {@code ThreadPoolExecutor.addWorkerFailed(Worker)} (entry: {@code poolWorkerFailed(w.thread)}),
 * so a worker's start finds its pool.
 */
final class PoolWorkerAdvice extends Advice {
    private static final String WORKER = "java/util/concurrent/ThreadPoolExecutor$Worker";

    private PoolWorkerAdvice(String owner, String method, String desc) {
        super(owner, method, desc);
    }

    static PoolWorkerAdvice created() {
        return new PoolWorkerAdvice(WORKER, "<init>", "(Ljava/util/concurrent/ThreadPoolExecutor;Ljava/lang/Runnable;)V");
    }

    static PoolWorkerAdvice failed() {
        return new PoolWorkerAdvice("java/util/concurrent/ThreadPoolExecutor", "addWorkerFailed",
                "(L" + WORKER + ";)V");
    }

    @Override
    void apply(MethodNode m) {
        if (method.equals("<init>")) {
            InsnList c = new InsnList();
            c.add(new VarInsnNode(Opcodes.ALOAD, 0));
            c.add(new FieldInsnNode(Opcodes.GETFIELD, WORKER, "thread", "Ljava/lang/Thread;"));
            c.add(new VarInsnNode(Opcodes.ALOAD, 1));
            c.add(Bytecode.hook("poolWorkerCreated", "(Ljava/lang/Thread;Ljava/lang/Object;)V"));
            Bytecode.beforeReturns(m, c);
            return;
        }
        // if (w != null) JdkHooks.poolWorkerFailed(w.thread);
        InsnList l = new InsnList();
        LabelNode skip = new LabelNode();
        l.add(new VarInsnNode(Opcodes.ALOAD, 1));
        l.add(new JumpInsnNode(Opcodes.IFNULL, skip));
        l.add(new VarInsnNode(Opcodes.ALOAD, 1));
        l.add(new FieldInsnNode(Opcodes.GETFIELD, WORKER, "thread", "Ljava/lang/Thread;"));
        l.add(Bytecode.hook("poolWorkerFailed", "(Ljava/lang/Thread;)V"));
        l.add(skip);
        Object[] locals = Bytecode.entryLocals(owner, m);
        l.add(new FrameNode(Opcodes.F_NEW, locals.length, locals, 0, new Object[0]));
        l.add(new InsnNode(Opcodes.NOP));
        m.instructions.insert(l);
    }
}
