package io.jreap.agent;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
 *   <tr><td>log</td><td>a directory</td><td>write the event log there (off by default)</td></tr>
 *   <tr><td>log.roll</td><td>a roll cycle name ({@value #DEFAULT_ROLL})</td><td>how often the log
 *       starts a new file</td></tr>
 *   <tr><td>log.retain</td><td>N (0: all)</td><td>how many cycle files to keep</td></tr>
 *   <tr><td>log.full</td><td>block (default), drop</td><td>a full hand-off slows the forking thread, or
 *       drops (and counts) events</td></tr>
 *   <tr><td>log.stacks</td><td>false (default), true</td><td>record the creation stack of each fork</td></tr>
 *   <tr><td>log.capacity</td><td>N ({@value #DEFAULT_CAPACITY})</td><td>events the hand-off holds</td></tr>
 * </table>
 *
 * @param log the event log's settings, or null when the log is off (no {@code log=DIR})
 */
record AgentOptions(boolean continueOnFailure, boolean exitEndsSandbox, boolean verbose, LogSettings log) {
    static final String PROPERTY_PREFIX = "jreap.";
    static final String DEFAULT_ROLL = "FAST_HOURLY";
    static final int DEFAULT_CAPACITY = 65_536;
    static final int MAX_CAPACITY = 1 << 24;
    /** Chronicle Queue's {@code RollCycles} names (AgentOptionsTest keeps this list in step with Chronicle). */
    static final List<String> ROLL_CYCLES = List.of("FIVE_MINUTELY", "TEN_MINUTELY", "TWENTY_MINUTELY",
            "HALF_HOURLY", "FAST_HOURLY", "TWO_HOURLY", "FOUR_HOURLY", "SIX_HOURLY", "FAST_DAILY", "WEEKLY");
    /** Each key with its allowed values, the default first; an empty list: a value checked by {@link #checkFree}. */
    static final Map<String, List<String>> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("onFailure", List.of("stop", "continue"));
        KNOWN.put("exit", List.of("lwp", "sandbox"));
        KNOWN.put("verbose", List.of("false", "true"));
        KNOWN.put("log", List.of());
        KNOWN.put("log.roll", List.of());
        KNOWN.put("log.retain", List.of());
        KNOWN.put("log.full", List.of("block", "drop"));
        KNOWN.put("log.stacks", List.of("false", "true"));
        KNOWN.put("log.capacity", List.of());
    }

    /**
     * The event log's settings.
     *
     * @param dir the queue directory (created by the writer if missing)
     * @param rollCycle a Chronicle roll cycle name
     * @param retainCycles cycle files kept, 0 for all
     * @param dropWhenFull drop instead of slowing producers when the hand-off is full
     * @param forkStacks record the stack of each fork
     * @param capacity the hand-off's capacity in events
     */
    record LogSettings(Path dir, String rollCycle, int retainCycles, boolean dropWhenFull, boolean forkStacks,
            int capacity) {
    }

    AgentOptions(boolean continueOnFailure, boolean exitEndsSandbox, boolean verbose) {
        this(continueOnFailure, exitEndsSandbox, verbose, null);
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
        java.util.Set<String> fromProperties = new java.util.HashSet<>();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                String value = system.getProperty(name);
                check(key, value, true);
                values.put(key, value);
                fromProperties.add(key);
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
            fromProperties.removeAll(given.keySet());
        }
        return new AgentOptions(
                "continue".equals(values.getOrDefault("onFailure", "stop")),
                "sandbox".equals(values.getOrDefault("exit", "lwp")),
                "true".equals(values.getOrDefault("verbose", "false")),
                logSettings(values, fromProperties));
    }

    private static LogSettings logSettings(Map<String, String> values, java.util.Set<String> fromProperties) {
        String dir = values.get("log");
        if (dir == null) {
            for (String k : values.keySet()) {
                if (k.startsWith("log.")) {
                    boolean p = fromProperties.contains(k);
                    String prefix = p ? "-D" + PROPERTY_PREFIX : "";
                    throw new Invalid((p ? "system property " : "agent option ") + prefix + k + " needs " + prefix
                            + "log=<directory>: without it the event log is off; add it or remove " + prefix + k);
                }
            }
            return null;
        }
        return new LogSettings(Path.of(dir), values.getOrDefault("log.roll", DEFAULT_ROLL),
                Integer.parseInt(values.getOrDefault("log.retain", "0")),
                "drop".equals(values.getOrDefault("log.full", "block")),
                "true".equals(values.getOrDefault("log.stacks", "false")),
                Integer.parseInt(values.getOrDefault("log.capacity", String.valueOf(DEFAULT_CAPACITY))));
    }

    /** The fix for a bad value of an option whose values are not a fixed list, or null if it is fine. */
    private static String checkFree(String key, String value, String prefix) {
        String opt = prefix + key;
        switch (key) {
            case "log" -> {
                if (value.isEmpty()) {
                    return "give the directory to write the event log to: " + opt + "=<directory>";
                }
                try {
                    Path p = Path.of(value);
                    if (Files.exists(p) && !Files.isDirectory(p)) {
                        return "it is a file; give a directory (it is created if missing)";
                    }
                } catch (InvalidPathException e) {
                    return "it is not a path here (" + e.getReason() + "); give a directory";
                }
                return null;
            }
            case "log.roll" -> {
                return ROLL_CYCLES.contains(value) ? null
                        : "use one of Chronicle's roll cycles: " + String.join(", ", ROLL_CYCLES) + " (default "
                                + DEFAULT_ROLL + ")";
            }
            case "log.retain" -> {
                return wholeNumber(value, 0, Integer.MAX_VALUE) ? null
                        : "use " + opt + "=N, the number of cycle files to keep (0, the default, keeps all)";
            }
            case "log.capacity" -> {
                return wholeNumber(value, 64, MAX_CAPACITY) ? null
                        : "use " + opt + "=N, the events the hand-off holds, from 64 to " + MAX_CAPACITY
                                + " (default " + DEFAULT_CAPACITY + ")";
            }
            default -> throw new IllegalStateException(key);
        }
    }

    private static boolean wholeNumber(String value, int min, int max) {
        try {
            long n = Long.parseLong(value);
            return n >= min && n <= max;
        } catch (NumberFormatException e) {
            return false;
        }
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
        if (allowed.isEmpty()) {
            String fix = checkFree(key, value, prefix);
            if (fix != null) {
                throw new Invalid(what + " " + prefix + key + "=" + value
                        + (value.isEmpty() ? " has no value" : " is not valid") + "; " + fix);
            }
            return;
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
