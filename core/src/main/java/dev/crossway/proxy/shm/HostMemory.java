package dev.crossway.proxy.shm;

import dev.crossway.spi.HostBuffer;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link HostBuffer} shared by the users of its memory: the host pool made on it and every
 * buffer created from that pool. A resized pool moves to new host memory while its older buffers keep
 * the old one, so the memory is freed ({@link HostBuffer#close()}) when the last user lets go, not
 * when the pool does.
 *
 * <p>Ownership: this object owns the HostBuffer; {@link #view} is a view of its mapping made once,
 * valid until the count reaches zero. Used only on the request relay thread (and at session end).
 */
final class HostMemory {
    final HostBuffer buffer;
    /** Written with absolute puts only, so sharing it between buffers is safe. */
    final ByteBuffer view;
    private final AtomicInteger live;
    private int users;

    HostMemory(HostBuffer buffer, AtomicInteger live) {
        this.buffer = buffer;
        this.view = buffer.memory();
        this.live = live;
        live.incrementAndGet();
    }

    void retain() {
        users++;
    }

    /** Drops one user; the last one frees the host memory. */
    void release() {
        if (--users == 0) {
            buffer.close();
            live.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "HostMemory[" + buffer + ", " + users + " users]";
    }
}
