package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code Thread.start()}, {@code Thread.start(ThreadContainer)} (JDK 21+) and
 * {@code VirtualThread.start(ThreadContainer)}: the fork. Entry: {@code JdkHooks.beforeStart}
 * (lock, link, bind; a refusal is thrown before the JDK touches the thread). Every exit:
 * {@code JdkHooks.afterStart} with the exception, if any (unlink on failure, unlock).
 */
final class ThreadStartAdvice extends Advice {
    private static final String CONTAINER = "Ljdk/internal/vm/ThreadContainer;";
    private final boolean withContainer;

    private ThreadStartAdvice(String owner, boolean withContainer) {
        super(owner, "start", withContainer ? "(" + CONTAINER + ")V" : "()V");
        this.withContainer = withContainer;
    }

    static ThreadStartAdvice platform() {
        return new ThreadStartAdvice("java/lang/Thread", false);
    }

    static ThreadStartAdvice platformInContainer() {
        return new ThreadStartAdvice("java/lang/Thread", true);
    }

    static ThreadStartAdvice virtual() {
        return new ThreadStartAdvice("java/lang/VirtualThread", true);
    }

    @Override
    boolean required(JdkFeatures jdk) {
        return !withContainer || jdk.threadContainers();
    }

    @Override
    void apply(MethodNode m) {
        InsnList ret = new InsnList();
        ret.add(new VarInsnNode(Opcodes.ALOAD, 0));
        ret.add(new InsnNode(Opcodes.ACONST_NULL));
        ret.add(Bytecode.hook("afterStart", "(Ljava/lang/Thread;Ljava/lang/Throwable;)V"));
        Bytecode.onEveryExit(owner, m, ret, onThrow());
        InsnList args = new InsnList();
        args.add(new VarInsnNode(Opcodes.ALOAD, 0));
        args.add(withContainer ? new VarInsnNode(Opcodes.ALOAD, 1) : new InsnNode(Opcodes.ACONST_NULL));
        Bytecode.enterVerdict(owner, m, args,
                Bytecode.hook("beforeStart", "(Ljava/lang/Thread;Ljava/lang/Object;)Ljava/lang/Throwable;"));
    }

    /** Stack: [exception] → [exception], having called afterStart(this, exception). */
    private static InsnList onThrow() {
        InsnList l = new InsnList();
        l.add(new InsnNode(Opcodes.DUP));
        l.add(new VarInsnNode(Opcodes.ALOAD, 0));
        l.add(new InsnNode(Opcodes.SWAP));
        l.add(Bytecode.hook("afterStart", "(Ljava/lang/Thread;Ljava/lang/Throwable;)V"));
        return l;
    }
}
