package dev.crossway.proxy;

import dev.crossway.spi.FdQueue;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The guest kernel services the relay needs for fds it owns: closing, mapping guest memory (shm
 * pools) and making sealed memfds (keymaps). Implemented by the native module; core has no native code.
 *
 * <p>Deliberately absent: sockets and anything transport-specific.
 */
public interface Kernel extends FdQueue.FdCloser {

    /**
     * A direct buffer of {@code size} bytes for a relay's own use (its input, its outbox), handed back with
     * {@link #release} when the relay ends, so the memory is returned then, not at some later garbage
     * collection: an idle daemon collects nothing, and hundreds of clients that came and went would keep
     * their buffers' pages. By default an ordinary direct buffer, which {@link #release} leaves to the
     * collector.
     */
    default ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size);
    }

    /** Returns a buffer from {@link #allocate}; nothing may touch it afterwards. */
    default void release(ByteBuffer buffer) {
    }

    /** Closes {@code fd}; errors are ignored (nothing can be done about them). */
    @Override
    void close(int fd);

    /** Maps {@code size} bytes of {@code fd} shared; freed only by {@link #unmap}. */
    ByteBuffer map(int fd, long size, boolean writable) throws IOException;

    /** Unmaps a mapping made by {@link #map}; the buffer must not be used afterwards. */
    void unmap(ByteBuffer mapping);

    /** A new memfd of {@code size} bytes. */
    int memfd(String name, long size) throws IOException;

    /** Seals a memfd against shrinking, growing and writing, so a client may trust its content. */
    void seal(int fd) throws IOException;

    /** The size of the file behind {@code fd}. */
    long size(int fd) throws IOException;

    /**
     * Opens a client's shm pool of {@code size} bytes for copying out of it without risk of a fault
     * (see {@link GuestMemory}). Takes over {@code fd}, also when it fails.
     *
     * @param mayMap whether the pool may be mapped (the fastest way, where it is safe): a mapping lets
     *               the pages Crossway reads count in its memory, so the caller bounds how much it allows
     * @throws IOException when the file behind {@code fd} is smaller than {@code size} or cannot be read
     */
    GuestMemory openGuestMemory(int fd, long size, boolean mayMap) throws IOException;
}
