package dev.crossway.proxy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link Kernel} for in-memory tests: fds are plain numbers; closing one is recorded. */
final class RecordingKernel implements Kernel {
    final List<Integer> closed = new CopyOnWriteArrayList<>();

    @Override
    public void close(int fd) {
        closed.add(fd);
    }

    @Override
    public ByteBuffer map(int fd, long size, boolean writable) {
        throw new UnsupportedOperationException("in-memory tests map nothing");
    }

    @Override
    public void unmap(ByteBuffer mapping) {
        throw new UnsupportedOperationException("in-memory tests map nothing");
    }

    @Override
    public int memfd(String name, long size) {
        throw new UnsupportedOperationException("in-memory tests make no memfds");
    }

    @Override
    public void seal(int fd) {
        throw new UnsupportedOperationException("in-memory tests make no memfds");
    }

    @Override
    public long size(int fd) {
        throw new UnsupportedOperationException("in-memory tests have no files");
    }

    @Override
    public GuestMemory openGuestMemory(int fd, long size, boolean mayMap) {
        throw new UnsupportedOperationException("in-memory tests have no files");
    }
}
