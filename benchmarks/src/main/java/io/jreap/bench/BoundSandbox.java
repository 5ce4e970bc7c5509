package io.jreap.bench;

import io.jreap.kernel.BenchSupport;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;

/** A sandbox whose thread-less LWP the calling (JMH) thread is bound to, so it forks as that LWP. */
final class BoundSandbox implements AutoCloseable {
    final Kernel kernel;
    final Sandbox sandbox;

    BoundSandbox(Kernel kernel, String name) {
        this.kernel = kernel;
        this.sandbox = kernel.newSandbox(name, Integer.MAX_VALUE);
        BenchSupport.enter(kernel, sandbox);
    }

    @Override
    public void close() throws InterruptedException {
        BenchSupport.leave(kernel);
        sandbox.close();
    }
}
