package io.jreap.proc;

/** Code run at a signal-check point of the LWP that caught a signal, in the thread that reached it. */
@FunctionalInterface
public interface SignalHandler {
    void handle(Signal signal);
}
