package dev.crossway.spi;

import java.io.IOException;

/**
 * One client's connection to the host compositor, opened by {@link Transport#connect()}.
 *
 * <p>Besides moving Wayland bytes and fds ({@link Connection}), it makes what cannot cross the
 * boundary as-is: host-visible memory and pipe bridges.
 *
 * <p>Deliberately absent: anything about Wayland semantics. The connection never parses messages;
 * the core decides what to send.
 */
public interface HostConnection extends Connection {

    /** What this connection can carry. */
    Capabilities capabilities();

    /** Allocates host-visible memory of at least {@code size} bytes, owned by the caller. */
    HostBuffer allocate(long size) throws IOException;

    /**
     * Bridges one end of a guest pipe so it can be sent to the host. {@code guestFd} is the end a guest
     * app gave (owned by the caller, which closes it after this returns); the result is an fd the caller
     * passes to {@link #send} in its place. Data then flows in {@code direction} until either side
     * closes, with back-pressure. A pass-through transport returns a duplicate of {@code guestFd}.
     */
    int bridgePipe(int guestFd, PipeDirection direction) throws IOException;

    /**
     * Transport-specific counters for the session summary, e.g. {@code execbuffers}; empty by
     * default. Called when the session ends.
     */
    default java.util.Map<String, Long> counters() {
        return java.util.Map.of();
    }
}
