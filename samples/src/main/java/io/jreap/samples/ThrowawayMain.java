package io.jreap.samples;

public class ThrowawayMain {
    public static void main(String[] args) {
        boolean ea = false;
        assert ea = true;
        System.out.println("throwaway main: assertions=" + ea + " java.home=" + System.getProperty("java.home")
            + " runtime-on-cp=" + (ThrowawayMain.class.getClassLoader().getResource("io/jreap/proc/Signal.class") != null));
    }
}
