package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.GuestMemory;
import dev.crossway.proxy.Kernel;
import java.nio.ByteBuffer;

/** The relay's {@link Kernel} on Linux, over {@link Fds}. */
public final class LinuxKernel implements Kernel {
    public static final LinuxKernel INSTANCE = new LinuxKernel();

    private LinuxKernel() {
    }

    /** Anonymous memory, unmapped by {@link #release}: a relay's buffers cost nothing once it ends. */
    @Override
    public ByteBuffer allocate(int size) {
        try {
            return Fds.mapAnonymous(size);
        } catch (LinuxException e) {
            throw new IllegalStateException(e.getMessage() + ": no memory for a relay buffer", e);
        }
    }

    @Override
    public void release(ByteBuffer buffer) {
        unmap(buffer);
    }

    @Override
    public void close(int fd) {
        Fds.close(fd);
    }

    @Override
    public ByteBuffer map(int fd, long size, boolean writable) throws LinuxException {
        return Fds.map(fd, size, writable);
    }

    @Override
    public void unmap(ByteBuffer mapping) {
        try {
            Fds.unmap(mapping);
        } catch (LinuxException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public int memfd(String name, long size) throws LinuxException {
        return Fds.memfd(name, size);
    }

    @Override
    public void seal(int fd) throws LinuxException {
        int seals = LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE | LibC.F_SEAL_SEAL;
        if (Native.libc().fcntl(fd, LibC.F_ADD_SEALS, seals) < 0) {
            throw LinuxException.ofErrno("fcntl(" + fd + ", F_ADD_SEALS)");
        }
    }

    @Override
    public long size(int fd) throws LinuxException {
        return Fds.size(fd);
    }

    @Override
    public GuestMemory openGuestMemory(int fd, long size, boolean mayMap) throws java.io.IOException {
        return LinuxGuestMemory.open(fd, size, mayMap);
    }

}
