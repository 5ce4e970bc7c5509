package io.jreap.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link ThreadStartBenchmark} in JVMs without and with the agent and prints each pair as a
 * ratio (agent / no agent). Usage, from the repository root after a build:
 * {@code java -cp benchmarks/target/benchmarks.jar io.jreap.bench.AgentOverhead [agent.jar] [--null-agent]};
 * {@code --one-carrier} runs every JVM with one virtual-thread carrier, {@code --virtual-only} only
 * the virtual-thread benchmarks; {@code --null-agent} adds two JVMs with {@link NullAgent}, to show what any retransforming agent
 * costs apart from jreap's hooks.
 */
public final class AgentOverhead {
    private static final List<String> commonArgs = new java.util.ArrayList<>();

    private AgentOverhead() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "agent/target/jreap-agent.jar")
                .toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            System.err.println("no agent jar at " + jar + "; build it with mvn -pl agent -am package -DskipTests, "
                    + "or pass its path as the first argument");
            System.exit(2);
        }
        String include = ThreadStartBenchmark.class.getName()
                + (Runtime.version().feature() >= 21 ? "" : ".platformStartJoin");
        List<String> flags = java.util.Arrays.asList(args);
        boolean nullAgents = flags.contains("--null-agent");
        if (flags.contains("--one-carrier")) {
            // Two carriers make a virtual start + join bounce between CPUs, and whether a JVM falls
            // into that mode (1 us or 3-4 us per start) decides the ratio more than any agent does.
            commonArgs.add("-Djdk.virtualThreadScheduler.parallelism=1");
        }
        if (flags.contains("--virtual-only")) {
            include = ThreadStartBenchmark.class.getName() + ".virtual";
        }
        Map<String, Double> without = scores(run(include, null));
        Map<String, Double> with = scores(run(include, "-javaagent:" + jar));
        Map<String, Double> caps = null;
        Map<String, Double> retransformed = null;
        if (nullAgents) {
            Path nullJar = nullAgentJar();
            caps = scores(run(include, "-javaagent:" + nullJar + "=capabilities"));
            retransformed = scores(run(include, "-javaagent:" + nullJar + "=retransform"));
        }
        System.out.println();
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        System.out.printf("%-40s %14s %14s %8s", "benchmark (us/op)", "no agent", "agent", "ratio");
        if (nullAgents) {
            System.out.printf(" %14s %8s %14s %8s", "null agent", "ratio", "null+retrans.", "ratio");
        }
        System.out.println();
        for (Map.Entry<String, Double> e : without.entrySet()) {
            Double a = with.get(e.getKey());
            System.out.printf("%-40s %14.3f %14.3f %8.3f", e.getKey(), e.getValue(), a, a / e.getValue());
            if (nullAgents) {
                double c = caps.get(e.getKey());
                double r = retransformed.get(e.getKey());
                System.out.printf(" %14.3f %8.3f %14.3f %8.3f", c, c / e.getValue(), r, r / e.getValue());
            }
            System.out.println();
        }
    }

    /** A manifest-only jar naming {@link NullAgent}, which comes from the benchmarks jar on the class path. */
    private static Path nullAgentJar() throws java.io.IOException {
        Path jar = Files.createTempFile("null-agent", ".jar");
        jar.toFile().deleteOnExit();
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", NullAgent.class.getName());
        m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            // The manifest is all it needs.
        }
        return jar;
    }

    private static Collection<RunResult> run(String include, String jvmArg) throws Exception {
        OptionsBuilder b = new OptionsBuilder();
        b.include(include);
        List<String> jvmArgs = new java.util.ArrayList<>(commonArgs);
        if (jvmArg != null) {
            jvmArgs.add(jvmArg);
        }
        b.jvmArgsAppend(jvmArgs.toArray(new String[0]));
        Options o = b.build();
        return new Runner(o).run();
    }

    private static Map<String, Double> scores(Collection<RunResult> results) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1) + " " + r.getParams().getParam("where");
            out.put(name, r.getPrimaryResult().getScore());
        }
        return out;
    }
}
