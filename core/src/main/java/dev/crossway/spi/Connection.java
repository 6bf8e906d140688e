package dev.crossway.spi;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A byte stream that carries file descriptors beside the bytes: one end of a Wayland connection.
 *
 * <p>The client side of a session (the guest app's socket) and the host side ({@link HostConnection})
 * are both connections, so the relay moves bytes the same way in each direction.
 *
 * <p>Threading: one thread may {@link #send} while another {@link #receive}s; {@link #close()} may be
 * called from any thread and wakes a blocked {@code receive}, which then returns -1.
 *
 * <p>Deliberately absent: non-blocking modes, timeouts, readiness callbacks. The relay gives each
 * direction its own thread, so blocking calls are the simplest correct contract.
 */
public interface Connection extends Closeable {

    /**
     * Sends all remaining bytes of {@code src} and every fd in {@code fds}, the fds attached to the
     * first byte; a connection whose medium carries less per unit splits the bytes itself. Takes ownership of the fds: they are closed once sent (or when sending fails), and the
     * queue is left empty. Blocks until everything is handed over.
     *
     * @throws IOException if the peer is gone or the fds cannot cross
     */
    void send(ByteBuffer src, FdQueue fds) throws IOException;

    /**
     * Blocks until bytes are available, then reads what fits into {@code dst} (from its position) and
     * appends the fds that arrived with them to {@code fds}, which then belong to the caller.
     *
     * @return bytes read, or -1 when the peer has closed (or this connection was closed)
     */
    int receive(ByteBuffer dst, FdQueue fds) throws IOException;

    /** Closes the connection; idempotent. */
    @Override
    void close();
}
