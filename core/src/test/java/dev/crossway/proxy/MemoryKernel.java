package dev.crossway.proxy;

import java.io.IOException;
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

    /** Guest memories opened and not closed. */
    final Set<HeapGuestMemory> openGuestMemories = ConcurrentHashMap.newKeySet();

    /** The client shrinks the file behind {@code fd} (and every dup of it) to {@code size} bytes, as ftruncate would. */
    void truncate(int fd, int size) {
        ByteBuffer old = file(fd);
        ByteBuffer shorter = ByteBuffer.allocate(size);
        shorter.put(0, old, 0, Math.min(size, old.capacity()));
        files.replaceAll((k, v) -> v == old ? shorter : v);
    }

    /** A pool read from the current file behind its fd, so a truncation shows as a short copy. */
    final class HeapGuestMemory implements GuestMemory {
        private final int fd;
        private long size;
        /** Whether a real kernel would have mapped it: the caller allowed it (heap files are all "sealed"). */
        private boolean mapped;
        private boolean closed;

        HeapGuestMemory(int fd, long size, boolean mapped) {
            this.fd = fd;
            this.size = size;
            this.mapped = mapped;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public long mappedBytes() {
            return mapped ? size : 0;
        }

        @Override
        public void resize(long newSize, boolean mayMap) throws IOException {
            if (file(fd).capacity() < newSize) {
                throw new IOException("the file holds " + file(fd).capacity() + " bytes, fewer than " + newSize);
            }
            size = newSize;
            mapped &= mayMap;
        }

        @Override
        public boolean copyRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride) {
            return dev.crossway.proxy.shm.HeapRows.copy(file(fd), offset, stride, rowBytes, rows, dst, dstOffset, dstStride);
        }

        @Override
        public String method() {
            return mapped ? "heap, as if mapped" : "heap, as if read";
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                openGuestMemories.remove(this);
                MemoryKernel.this.close(fd);
            }
        }
    }

    @Override
    public GuestMemory openGuestMemory(int fd, long size, boolean mayMap) throws IOException {
        ByteBuffer f = files.get(fd);
        if (f == null || f.capacity() < size) {
            close(fd);
            throw new IOException("the file behind the fd holds " + (f == null ? 0 : f.capacity()) + " bytes, fewer than the pool's " + size);
        }
        HeapGuestMemory m = new HeapGuestMemory(fd, size, mayMap);
        openGuestMemories.add(m);
        return m;
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
