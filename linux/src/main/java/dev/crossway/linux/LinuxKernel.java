package dev.crossway.linux;

import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.Kernel;
import java.nio.ByteBuffer;

/** The relay's {@link Kernel} on Linux, over {@link Fds}. */
public final class LinuxKernel implements Kernel {
    public static final LinuxKernel INSTANCE = new LinuxKernel();

    // <linux/fcntl.h>: F_ADD_SEALS = F_LINUX_SPECIFIC_BASE (1024) + 9, and the seal bits.
    static final int F_ADD_SEALS = 1033;
    static final int F_SEAL_SEAL = 0x1;
    static final int F_SEAL_SHRINK = 0x2;
    static final int F_SEAL_GROW = 0x4;
    static final int F_SEAL_WRITE = 0x8;

    private LinuxKernel() {
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
        int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
        if (Native.libc().fcntl(fd, F_ADD_SEALS, seals) < 0) {
            throw LinuxException.ofErrno("fcntl(" + fd + ", F_ADD_SEALS)");
        }
    }

    @Override
    public long size(int fd) throws LinuxException {
        return Fds.size(fd);
    }

}
