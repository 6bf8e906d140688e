package dev.crossway.linux.device;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.util.List;
import java.util.function.Supplier;

/**
 * The real device: libc calls on the kernel's nodes. Each VM transport gives it its own way to list
 * candidate nodes ({@code /dev/dri/renderD*}, {@code /dev/wl0}). The built-in device, named
 * {@value Devices#KERNEL}.
 */
public final class KernelDevice implements Device {
    private static final LibC LIBC = Native.libc();

    private final String description;
    private final Supplier<List<String>> candidates;

    public KernelDevice(String description, Supplier<List<String>> candidates) {
        this.description = description;
        this.candidates = candidates;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public List<String> candidates() {
        return candidates.get();
    }

    @Override
    public int open(String path) {
        int fd = LIBC.open(Native.cString(path), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        return fd >= 0 ? fd : -Native.errno();
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        int r = LIBC.ioctl(fd, request, arg);
        return r >= 0 ? r : -Native.errno();
    }

    @Override
    public long mmap(int fd, long length, long offset) {
        long address = LIBC.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, offset);
        return address == LibC.MAP_FAILED ? -Native.errno() : address;
    }

    @Override
    public int munmap(long address, long length) {
        return LIBC.munmap(address, length) == 0 ? 0 : -Native.errno();
    }

    @Override
    public long read(int fd, long buf, long count) {
        long n = LIBC.read(fd, buf, count);
        return n >= 0 ? n : -Native.errno();
    }

    @Override
    public int poll(long fds, int nfds, int timeoutMillis) {
        int n = LIBC.poll(fds, nfds, timeoutMillis);
        return n >= 0 ? n : -Native.errno();
    }

    @Override
    public int close(int fd) {
        return LIBC.close(fd) == 0 ? 0 : -Native.errno();
    }

    @Override
    public String toString() {
        return "KernelDevice[" + description + "]";
    }
}
