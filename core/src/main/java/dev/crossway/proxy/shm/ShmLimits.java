package dev.crossway.proxy.shm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds on what clients may make Crossway hold for shm, each refused with a protocol error that names
 * it. One instance serves every session of a daemon: {@link #reserve} counts host memory across all of
 * them.
 *
 * @param hostMemoryPerClient bytes of host memory one client's surfaces may hold ({@code crossway.limits.host-memory-per-client})
 * @param hostMemoryTotal     bytes of host memory all clients together may hold ({@code crossway.limits.host-memory})
 * @param poolsPerClient      {@code wl_shm_pool}s one client may hold open ({@code crossway.limits.pools-per-client}):
 *                            each holds an fd in the daemon
 */
public record ShmLimits(long hostMemoryPerClient, long hostMemoryTotal, int poolsPerClient, AtomicLong hostMemoryInUse) {
    /** 256 MiB per client (three 4K frames and more), 1 GiB in all, 256 pools. */
    public static ShmLimits defaults() {
        return of(256L << 20, 1L << 30, 256);
    }

    public static ShmLimits of(long hostMemoryPerClient, long hostMemoryTotal, int poolsPerClient) {
        return new ShmLimits(hostMemoryPerClient, hostMemoryTotal, poolsPerClient, new AtomicLong());
    }

    public ShmLimits {
        if (hostMemoryPerClient < 1 || hostMemoryTotal < 1 || poolsPerClient < 1) {
            throw new IllegalArgumentException("shm limits must be positive: " + hostMemoryPerClient + ", " + hostMemoryTotal + ", "
                    + poolsPerClient);
        }
    }

    /** Counts {@code bytes} more host memory against the daemon's total; false (and nothing counted) when it would pass it. */
    boolean reserve(long bytes) {
        while (true) {
            long used = hostMemoryInUse.get();
            if (used + bytes > hostMemoryTotal) {
                return false;
            }
            if (hostMemoryInUse.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    void unreserve(long bytes) {
        hostMemoryInUse.addAndGet(-bytes);
    }

    /** Human size for messages: {@code 256 MiB}, or bytes when not a whole number of MiB. */
    static String size(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
