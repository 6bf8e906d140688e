package dev.crossway.spi;

/**
 * What a transport can carry, so the core adapts (splits sends, copies memory, bridges fds) without
 * knowing which transport it talks to. Which messages carry which kinds of fd is the core's table
 * ({@code dev.crossway.proxy.fd}), never the transport's business.
 *
 * @param guestMemoryVisibleToHost true when an fd to guest memory (an shm pool) is usable by the host
 *                                 compositor as-is; false when pixels must be copied into
 *                                 {@link HostBuffer}s
 * @param fdsPassThrough           true when any fd can be sent to the host unchanged (same kernel);
 *                                 false when only transport-made objects can cross
 * @param maxFdsPerSend            most fds one {@link Connection#send} may carry
 * @param maxBytesPerSend          most bytes one {@link Connection#send} may carry
 */
public record Capabilities(boolean guestMemoryVisibleToHost, boolean fdsPassThrough, int maxFdsPerSend, int maxBytesPerSend) {

    public Capabilities {
        if (maxFdsPerSend < 1 || maxBytesPerSend < 512) {
            throw new IllegalArgumentException("a transport must carry at least 1 fd and 512 bytes per send");
        }
    }
}
