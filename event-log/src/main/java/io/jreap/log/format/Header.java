package io.jreap.log.format;

/**
 * The record that opens each roll cycle.
 *
 * @param schemaVersion the writer's {@link Schema#VERSION}
 * @param writerId identifies one writer (one sink in one JVM); sequence numbers are unique per writer
 * @param typeNames event-type names in code order
 * @param jvmPid the OS pid of the JVM that wrote the log
 * @param jvm a description of that JVM (vendor and version)
 * @param wallMillis when the header was written
 * @param nanoTime the writer JVM's {@link System#nanoTime()} then (relates event nano times to wall time)
 * @param nextSeq the sequence number of the next event
 */
public record Header(int schemaVersion, long writerId, String[] typeNames, long jvmPid, String jvm, long wallMillis, long nanoTime,
        long nextSeq) {
}
