package io.jreap.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * The JVM flags Chronicle Queue needs without the agent (docs/EVENT-LOG.md), for every benchmark
 * that writes or reads a log; JMH takes the {@code @Fork} from this superclass.
 */
@Fork(value = 1, jvmArgsAppend = {
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
abstract class ChronicleAccess {
}
