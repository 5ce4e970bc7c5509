package io.jreap.agent.scenario;

/** A host that does nothing: prints {@code MAIN RAN} and {@code DONE}. */
public final class Trivial {
    private Trivial() {
    }

    public static void main(String[] args) {
        System.out.println("MAIN RAN");
        Checks.done();
    }
}
