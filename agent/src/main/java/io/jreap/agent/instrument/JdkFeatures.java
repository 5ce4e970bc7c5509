package io.jreap.agent.instrument;

/** What the running JDK has, probed by class presence rather than by version number. */
record JdkFeatures(boolean threadContainers) {
    static JdkFeatures probe() {
        return new JdkFeatures(exists("jdk.internal.vm.ThreadContainer"));
    }

    private static boolean exists(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
