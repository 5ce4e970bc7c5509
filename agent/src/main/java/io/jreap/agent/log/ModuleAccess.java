package io.jreap.agent.log;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The JDK internals Chronicle Queue needs (the spike's leave-one-out run, and event-log's test
 * flags), granted with {@code Instrumentation.redefineModule} to the isolated loader's unnamed
 * module only: the host's class path (the application loader's unnamed module) gets nothing, and
 * the user passes no {@code --add-opens} flag.
 *
 * <p>The same list, as {@code Add-Exports}/{@code Add-Opens} manifest attributes, serves
 * {@code java -jar jreap-agent.jar replay} (see the agent's pom); keep the two in step.
 */
public final class ModuleAccess {
    /** Packages of java.base exported: Chronicle maps files through {@code sun.nio.ch.FileChannelImpl}; cleaners. */
    static final Set<String> EXPORTS = Set.of("sun.nio.ch", "jdk.internal.ref");
    /** Packages of java.base opened: private fields of channels and buffers. */
    static final Set<String> OPENS = Set.of("java.lang.reflect", "java.nio");

    private ModuleAccess() {
    }

    /** Exports and opens {@link #EXPORTS} and {@link #OPENS} of java.base to {@code to}, and nothing else. */
    public static void grant(Instrumentation inst, Module to) {
        Set<Module> target = Set.of(to);
        Map<String, Set<Module>> exports = new java.util.HashMap<>();
        EXPORTS.forEach(p -> exports.put(p, target));
        Map<String, Set<Module>> opens = new java.util.HashMap<>();
        OPENS.forEach(p -> opens.put(p, target));
        inst.redefineModule(Object.class.getModule(), Set.of(), exports, opens, Set.of(), Map.of());
    }
}
