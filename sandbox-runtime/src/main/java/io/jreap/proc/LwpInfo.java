package io.jreap.proc;

/**
 * One row of {@code ps}: an LWP as the tree saw it at one moment.
 *
 * @param pid its pid
 * @param ppid its parent's pid (0 for init)
 * @param pgid its process group
 * @param sid its session
 * @param reaperPid its reaper's pid (0 for init)
 * @param reaper whether it is itself a reaper
 * @param state its life-cycle state
 * @param stopped whether it is stopped
 * @param killedBy the terminating signal it received, or null
 * @param threads how many live threads it has
 * @param sandbox the name of its sandbox, or null for init
 */
public record LwpInfo(long pid, long ppid, long pgid, long sid, long reaperPid, boolean reaper, LwpState state,
        boolean stopped, Signal killedBy, int threads, String sandbox) {
}
