package dev.crossway.proxy.shm;

import dev.crossway.proxy.Kernel;
import java.nio.ByteBuffer;

/**
 * A client's {@code wl_shm_pool} and its mirror on the host.
 *
 * <p>Ownership: the pool owns the client's fd (kept to map the pool again on resize; closed when the
 * client destroys the pool) and the read-only guest mapping (unmapped when the pool is destroyed and
 * its last buffer is gone, since buffers read through it). It holds one use of its current
 * {@link HostMemory}. Used only on the request relay thread (and at session end).
 */
final class ShmPool {
    final int id;
    /** The {@code wl_shm} it was created from: where a resize creates the host pool again. */
    final int shmId;
    int guestFd;
    ByteBuffer guest;
    int size;
    HostMemory host;
    boolean destroyed;
    int buffers;

    ShmPool(int id, int shmId, int guestFd, ByteBuffer guest, int size, HostMemory host) {
        this.id = id;
        this.shmId = shmId;
        this.guestFd = guestFd;
        this.guest = guest;
        this.size = size;
        this.host = host;
        host.retain();
    }

    /** Moves the host side to {@code next}; the buffers made so far keep the memory they have. */
    void moveTo(HostMemory next) {
        next.retain();
        host.release();
        host = next;
    }

    /** The client destroyed the pool (or the session ended). */
    void destroy(Kernel kernel) {
        if (destroyed) {
            return;
        }
        destroyed = true;
        kernel.close(guestFd);
        guestFd = -1;
        host.release();
        host = null;
        unmapIfUnused(kernel);
    }

    void bufferGone(Kernel kernel) {
        buffers--;
        unmapIfUnused(kernel);
    }

    private void unmapIfUnused(Kernel kernel) {
        if (destroyed && buffers == 0 && guest != null) {
            kernel.unmap(guest);
            guest = null;
        }
    }
}
