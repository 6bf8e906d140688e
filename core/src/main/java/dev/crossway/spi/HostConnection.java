package dev.crossway.spi;

import java.io.IOException;

/**
 * One client's connection to the host compositor, opened by {@link Transport#connect()}.
 *
 * <p>Besides moving Wayland bytes and fds ({@link Connection}), it makes what cannot cross the
 * boundary as-is: host-visible memory and pipe bridges. Where fds do not pass as-is
 * ({@link Capabilities#fdsPassThrough()} false), {@link #send} carries only fds this connection made:
 * {@link HostBuffer#dupFd()}s of its {@link #allocate}d buffers and results of {@link #bridgePipe}.
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
     * Bridges a pipe end a guest app put in a request, so it can be sent to the host. The core calls it
     * for every fd its table lists as a pipe end, saying which way the data flows; the transport never
     * has to find out what the fd is. {@code guestFd} stays the caller's (it closes it after this
     * returns); the result is an fd the caller passes to {@link #send} in its place. Data then flows in
     * {@code direction} until either side closes, with back-pressure. A pass-through transport returns a
     * duplicate of {@code guestFd}.
     */
    int bridgePipe(int guestFd, PipeDirection direction) throws IOException;

    /**
     * Makes a pipe end the host sent in an event usable by the guest app, which gets the result in its
     * place. Takes ownership of {@code hostFd} on success (the result may be {@code hostFd} itself); on
     * failure it stays the caller's. By default {@code hostFd} as it is: right where guest and host share a
     * kernel, and where {@link #receive} already made a guest pipe for what the host sent.
     */
    default int bridgeHostPipe(int hostFd, PipeDirection direction) throws IOException {
        return hostFd;
    }

    /**
     * Transport-specific counters for the session summary, e.g. {@code execbuffers}; empty by
     * default. Called when the session ends.
     */
    default java.util.Map<String, Long> counters() {
        return java.util.Map.of();
    }
}
