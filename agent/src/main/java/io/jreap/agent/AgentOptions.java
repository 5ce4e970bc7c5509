package io.jreap.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's options: {@code -javaagent:jreap-agent.jar=key=value,key=value}, or the same keys as
 * {@code -Djreap.key=value} system properties (the agent options win). Every key and value is
 * checked at start-up; a bad one is one line naming it and the fix (see {@link Invalid}).
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>values</th><th>meaning</th></tr>
 *   <tr><td>onFailure</td><td>stop (default), continue</td><td>if the JDK's thread methods cannot
 *       be instrumented: stop the JVM, or run it without sandboxing (loudly)</td></tr>
 *   <tr><td>exit</td><td>lwp (default), sandbox</td><td>what {@code System.exit}/{@code Runtime.halt}
 *       in an LWP ends: that LWP, or its whole sandbox (never the JVM)</td></tr>
 *   <tr><td>verbose</td><td>false (default), true</td><td>print what was instrumented at
 *       start-up</td></tr>
 * </table>
 */
record AgentOptions(boolean continueOnFailure, boolean exitEndsSandbox, boolean verbose) {
    static final String PROPERTY_PREFIX = "jreap.";
    private static final Map<String, List<String>> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("onFailure", List.of("stop", "continue"));
        KNOWN.put("exit", List.of("lwp", "sandbox"));
        KNOWN.put("verbose", List.of("false", "true"));
    }

    /** A bad option: the message is the whole line the user sees, naming the option and the fix. */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    static AgentOptions defaults() {
        return parse(null, new Properties());
    }

    static AgentOptions parse(String agentArgs, Properties system) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                check(key, system.getProperty(name), "system property -D" + name);
                values.put(key, system.getProperty(name));
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String part : agentArgs.split(",")) {
                String p = part.strip();
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new Invalid("agent option '" + p + "' is not key=value; write e.g. -javaagent:jreap-agent.jar=exit=sandbox"
                            + " (known keys: " + String.join(", ", KNOWN.keySet()) + ")");
                }
                String key = p.substring(0, eq).strip();
                String value = p.substring(eq + 1).strip();
                check(key, value, "agent option " + key);
                values.put(key, value);
            }
        }
        return new AgentOptions(
                "continue".equals(values.getOrDefault("onFailure", "stop")),
                "sandbox".equals(values.getOrDefault("exit", "lwp")),
                "true".equals(values.getOrDefault("verbose", "false")));
    }

    private static void check(String key, String value, String where) {
        List<String> allowed = KNOWN.get(key);
        if (allowed == null) {
            throw new Invalid(where + ": jreap has no option '" + key + "'; its options are "
                    + String.join(", ", KNOWN.keySet()) + " (see docs/AGENT.md)");
        }
        if (!allowed.contains(value)) {
            throw new Invalid(where + "=" + value + " is not valid; use one of " + String.join(", ", allowed));
        }
    }

    /** Null if this JDK is supported, else the line that says why not and what to do. */
    static String unsupportedJdk(int feature) {
        if (feature < 17) {
            return "JDK " + feature + " is not supported; run the JVM on JDK 17 or newer (the agent needs JDK 17+)";
        }
        return null;
    }
}
