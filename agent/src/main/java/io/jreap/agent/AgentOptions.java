package io.jreap.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The agent's options: {@code -javaagent:jreap-agent.jar=key=value,key=value}, or the same keys as
 * {@code -Djreap.key=value} system properties (an agent option wins over the property of the same
 * key). Every key and value is checked at start-up, keys and values case-sensitively; a bad one is
 * one line naming it and the fix (see {@link Invalid}). Every {@code jreap.*} system property is
 * read as an option, so an unknown one is an error too.
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
    /** Each key with its allowed values, the default first. */
    static final Map<String, List<String>> KNOWN = new LinkedHashMap<>();

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
                String value = system.getProperty(name);
                check(key, value, true);
                values.put(key, value);
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            Map<String, String> given = new LinkedHashMap<>();
            for (String part : agentArgs.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue; // "exit=sandbox," or ",,": nothing to say
                }
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new Invalid("agent option '" + p + "' is not key=value; write -javaagent:jreap-agent.jar="
                            + "key=value[,key=value...], e.g. exit=sandbox (options: " + keys("") + ")");
                }
                String key = p.substring(0, eq).strip();
                String value = p.substring(eq + 1).strip();
                check(key, value, false);
                String before = given.put(key, value);
                if (before != null) {
                    throw new Invalid("agent option " + key + " is given twice (" + key + "=" + before + " and "
                            + key + "=" + value + "); keep one");
                }
            }
            values.putAll(given);
        }
        return new AgentOptions(
                "continue".equals(values.getOrDefault("onFailure", "stop")),
                "sandbox".equals(values.getOrDefault("exit", "lwp")),
                "true".equals(values.getOrDefault("verbose", "false")));
    }

    private static void check(String key, String value, boolean property) {
        String prefix = property ? "-D" + PROPERTY_PREFIX : "";
        String what = property ? "system property" : "agent option";
        List<String> allowed = KNOWN.get(key);
        if (allowed == null) {
            String near = KNOWN.keySet().stream().filter(k -> k.equalsIgnoreCase(key)).findFirst()
                    .map(k -> "did you mean " + prefix + k + "?").orElse("remove it");
            throw new Invalid("unknown " + what + " " + prefix + key + "; " + near + " (the options are "
                    + keys(prefix) + "; see docs/AGENT.md)");
        }
        if (!allowed.contains(value)) {
            String fix = allowed.stream().map(v -> prefix + key + "=" + v).collect(Collectors.joining(" or "));
            throw new Invalid(what + " " + prefix + key + "=" + value
                    + (value.isEmpty() ? " has no value" : " is not valid") + "; use " + fix);
        }
    }

    private static String keys(String prefix) {
        return KNOWN.keySet().stream().map(k -> prefix + k).collect(Collectors.joining(", "));
    }
}
