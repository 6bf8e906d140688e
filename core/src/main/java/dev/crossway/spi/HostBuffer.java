package dev.crossway.spi;

import java.nio.ByteBuffer;

/**
 * Memory the host compositor can read, allocated by a transport: where guest shm pixels are copied
 * when guest memory is invisible to the host.
 *
 * <p>Ownership: the buffer owns its mapping and its fd. {@link #close()} unmaps and releases host
 * memory at once (never left to the garbage collector); afterwards {@link #memory()} must not be used.
 */
public interface HostBuffer extends AutoCloseable {

    /** Usable size in bytes (at least what was asked for). */
    long size();

    /** The mapping, writable, position 0, limit = size. Valid until {@link #close()}. */
    ByteBuffer memory();

    /**
     * An fd for this buffer that {@link Connection#send} knows how to carry to the host (e.g. for
     * {@code wl_shm.create_pool}). The send takes ownership of what it is given, so pass a
     * {@link #dupFd()} rather than this.
     */
    int fd();

    /** A new fd for the same buffer, owned by the caller. */
    int dupFd();

    @Override
    void close();
}
