package io.jreap.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link ThreadStartBenchmark} in JVMs without and with the agent and prints each pair as a
 * ratio (agent / no agent). Usage, from the repository root after a build:
 * {@code java -cp benchmarks/target/benchmarks.jar io.jreap.bench.AgentOverhead [agent.jar]}.
 */
public final class AgentOverhead {
    private AgentOverhead() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "agent/target/jreap-agent.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            System.err.println("no agent jar at " + jar + "; build it with mvn -pl agent -am package -DskipTests, "
                    + "or pass its path as the first argument");
            System.exit(2);
        }
        String include = ThreadStartBenchmark.class.getName()
                + (Runtime.version().feature() >= 21 ? "" : ".platformStartJoin");
        Map<String, Double> without = scores(run(include, null));
        Map<String, Double> with = scores(run(include, "-javaagent:" + jar));
        System.out.println();
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        System.out.printf("%-40s %14s %14s %8s%n", "benchmark (us/op)", "no agent", "agent", "ratio");
        for (Map.Entry<String, Double> e : without.entrySet()) {
            Double a = with.get(e.getKey());
            System.out.printf("%-40s %14.3f %14.3f %8.3f%n", e.getKey(), e.getValue(), a, a / e.getValue());
        }
    }

    private static Collection<RunResult> run(String include, String jvmArg) throws Exception {
        OptionsBuilder b = new OptionsBuilder();
        b.include(include);
        if (jvmArg != null) {
            b.jvmArgsAppend(jvmArg);
        }
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
