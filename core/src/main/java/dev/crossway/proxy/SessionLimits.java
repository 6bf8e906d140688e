package dev.crossway.proxy;

/**
 * What one client may make Crossway hold besides shm ({@code dev.crossway.proxy.shm.ShmLimits}): each
 * limit passed ends that client with a {@code wl_display.error} that names it and the setting that
 * raises it.
 *
 * @param fdsPerClient     fds one client may make the daemon hold at once: fds it sent ahead of the
 *                         messages that carry them, and what Crossway keeps for it (shm pools, host
 *                         buffers) ({@code crossway.limits.fds-per-client})
 * @param objectsPerClient Wayland objects one client may hold: its new ids run from 1 to this
 *                         ({@code crossway.limits.objects-per-client})
 * @param daemonFds        the fds all clients together may make the daemon hold, shared by every
 *                         session of a daemon
 */
public record SessionLimits(int fdsPerClient, int objectsPerClient, FdBudget daemonFds) {
    /** Default fds per client: 256 shm pools, a host buffer for each of 200 surfaces, fds in flight. */
    public static final int DEFAULT_FDS_PER_CLIENT = 512;
    /** Default objects per client: ten times what a large GTK application holds. */
    public static final int DEFAULT_OBJECTS_PER_CLIENT = 65536;

    public SessionLimits {
        if (fdsPerClient < 1 || objectsPerClient < 2 || objectsPerClient > ObjectTable.MAX_IDS - 1) {
            throw new IllegalArgumentException("fds per client must be at least 1 (was " + fdsPerClient
                    + ") and objects per client 2 to " + (ObjectTable.MAX_IDS - 1) + " (was " + objectsPerClient + ")");
        }
    }

    /** The defaults, with a daemon budget too large to matter (tests and tools). */
    public static SessionLimits defaults() {
        return new SessionLimits(DEFAULT_FDS_PER_CLIENT, DEFAULT_OBJECTS_PER_CLIENT, FdBudget.unlimited());
    }
}
