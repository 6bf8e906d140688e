package dev.crossway.proxy.shm;

import dev.crossway.proxy.GuestMemory;

/**
 * A client's {@code wl_shm_pool}. It never reaches the host: Crossway keeps it, reads pixels out of it
 * through {@link GuestMemory}, and copies them into host buffers of its own.
 *
 * <p>Ownership: the pool owns its guest memory (and with it the client's fd), released once the
 * client has destroyed the pool and every buffer made from it, since buffers read through it.
 * Request relay thread only (and session end).
 */
final class ShmPool {
    final int id;
    /** The {@code wl_shm} it was created from: where Crossway creates its host buffers. */
    final int shmId;
    final GuestMemory memory;
    boolean destroyed;
    int buffers;
    /** What the memory had mapped when it was closed (it reads 0 afterwards). */
    long mapped;

    ShmPool(int id, int shmId, GuestMemory memory) {
        this.id = id;
        this.shmId = shmId;
        this.memory = memory;
    }

    /** The client destroyed the pool; true when its memory is released now. */
    boolean destroy() {
        destroyed = true;
        return closeIfUnused();
    }

    /** A buffer made from this pool is gone; true when the pool's memory is released now. */
    boolean bufferGone() {
        buffers--;
        return closeIfUnused();
    }

    private boolean closeIfUnused() {
        if (destroyed && buffers == 0) {
            mapped = memory.mappedBytes();
            memory.close();
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "wl_shm_pool@" + id + " (" + memory.size() + " bytes, " + memory.method() + ")";
    }
}
