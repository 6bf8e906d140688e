package dev.crossway.proxy;

import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link MemoryConnection} to the test's compositor whose host memory lives in a {@link MemoryKernel}:
 * the fds it hands out name heap files the test reads back. Records every buffer it allocates.
 */
final class HeapHostConnection implements HostConnection {
    private final MemoryConnection delegate;
    private final MemoryKernel kernel;
    private final Capabilities capabilities;
    final List<HeapBuffer> allocated = new CopyOnWriteArrayList<>();

    HeapHostConnection(MemoryConnection delegate, MemoryKernel kernel, Capabilities capabilities) {
        this.delegate = delegate;
        this.kernel = kernel;
        this.capabilities = capabilities;
    }

    final class HeapBuffer implements HostBuffer {
        final int fd;
        final ByteBuffer file;
        volatile boolean closed;

        HeapBuffer(int size) {
            this.fd = kernel.newFile(size);
            this.file = kernel.file(fd);
        }

        @Override
        public long size() {
            return file.capacity();
        }

        @Override
        public ByteBuffer memory() {
            return file.duplicate().clear();
        }

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public int dupFd() {
            return kernel.dup(fd);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                kernel.close(fd);
            }
        }
    }

    long openBuffers() {
        return allocated.stream().filter(b -> !b.closed).count();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public HostBuffer allocate(long size) {
        HeapBuffer b = new HeapBuffer((int) size);
        allocated.add(b);
        return b;
    }

    @Override
    public int bridgePipe(int guestFd, PipeDirection direction) {
        return guestFd;
    }

    @Override
    public void send(ByteBuffer src, FdQueue fds) throws IOException {
        delegate.send(src, fds);
    }

    @Override
    public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
        return delegate.receive(dst, fds);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
