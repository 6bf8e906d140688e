package dev.crossway.proxy;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Kernel} whose files are heap buffers: an fd number names one, a mapping is a view of it.
 * Tests play app and compositor with it: write a client pool, read what reached the host. It checks
 * what a real kernel would refuse (mapping beyond the file, unmapping twice, sealing a file that has a
 * writable mapping) and counts what is left open.
 */
final class MemoryKernel implements Kernel {
    private final AtomicInteger nextFd = new AtomicInteger(1000);
    /** Open fds to their file; dups share the buffer. */
    final Map<Integer, ByteBuffer> files = new ConcurrentHashMap<>();
    final Set<Integer> sealed = ConcurrentHashMap.newKeySet();
    final Set<Integer> closed = ConcurrentHashMap.newKeySet();
    /** Live mappings to their file. */
    private final Map<ByteBuffer, ByteBuffer> mappings = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Map<ByteBuffer, Boolean> writableMappings = Collections.synchronizedMap(new IdentityHashMap<>());

    /** A new file of {@code size} zero bytes, open as a new fd. */
    int newFile(int size) {
        int fd = nextFd.getAndIncrement();
        files.put(fd, ByteBuffer.allocate(size));
        return fd;
    }

    int dup(int fd) {
        ByteBuffer f = file(fd);
        int copy = nextFd.getAndIncrement();
        files.put(copy, f);
        return copy;
    }

    /** The file behind an open fd. */
    ByteBuffer file(int fd) {
        ByteBuffer f = files.get(fd);
        if (f == null) {
            throw new IllegalArgumentException("fd " + fd + " is not open");
        }
        return f;
    }

    int liveMappings() {
        return mappings.size();
    }

    @Override
    public void close(int fd) {
        closed.add(fd);
        files.remove(fd);
    }

    @Override
    public ByteBuffer map(int fd, long size, boolean writable) {
        ByteBuffer f = file(fd);
        if (size < 1 || size > f.capacity()) {
            throw new IllegalArgumentException("cannot map " + size + " bytes of a " + f.capacity() + "-byte file");
        }
        ByteBuffer view = f.slice(0, (int) size);
        if (!writable) {
            view = view.asReadOnlyBuffer();
        }
        mappings.put(view, f);
        if (writable) {
            writableMappings.put(view, Boolean.TRUE);
        }
        return view;
    }

    @Override
    public void unmap(ByteBuffer mapping) {
        if (mappings.remove(mapping) == null) {
            throw new IllegalStateException("unmapping what is not mapped");
        }
        writableMappings.remove(mapping);
    }

    @Override
    public int memfd(String name, long size) {
        return newFile((int) size);
    }

    @Override
    public void seal(int fd) {
        ByteBuffer f = file(fd);
        synchronized (mappings) {
            for (ByteBuffer m : writableMappings.keySet()) {
                if (mappings.get(m) == f) {
                    throw new IllegalStateException("EBUSY: fd " + fd + " has a writable shared mapping");
                }
            }
        }
        sealed.add(fd);
    }

    @Override
    public long size(int fd) {
        return file(fd).capacity();
    }
}
