package dev.crossway.linux;

import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection to a compositor on this machine over a Unix socket, so bytes and fds go through
 * unchanged. Host memory is a memfd and a pipe needs no bridge, both because it is the same kernel.
 * The loopback transport's connections, and the host side of socket-level tests and benchmarks.
 */
public final class SocketHostConnection implements HostConnection {
    private final UnixSocket socket;
    private final Capabilities capabilities;

    public SocketHostConnection(UnixSocket socket, Capabilities capabilities) {
        this.socket = socket;
        this.capabilities = capabilities;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public void send(ByteBuffer src, FdQueue fds) throws IOException {
        socket.send(src, fds);
    }

    @Override
    public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
        return socket.receive(dst, fds);
    }

    @Override
    public HostBuffer allocate(long size) throws IOException {
        return MemfdHostBuffer.allocate(size);
    }

    /** The compositor shares this kernel, so the pipe crosses as it is: a duplicate, for the send to consume. */
    @Override
    public int bridgePipe(int guestFd, PipeDirection direction) throws IOException {
        return Fds.dup(guestFd);
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "SocketHostConnection[" + socket + "]";
    }
}
