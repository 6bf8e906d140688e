package dev.crossway.transport.virtgpu;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.transport.virtgpu.device.VirtGpuDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The real device: libc calls on {@code /dev/dri} nodes. The built-in device provider, named {@code kernel}. */
final class VirtGpuKernelDevice implements VirtGpuDevice {
    static final String NAME = "kernel";
    static final Path DRI = Path.of("/dev/dri");
    /** Sommelier scans 63 render nodes from 128. */
    static final int FIRST_RENDER_NODE = 128;
    static final int LAST_RENDER_NODE = 190;

    private static final LibC LIBC = Native.libc();

    @Override
    public String describe() {
        return "kernel DRM devices under " + DRI;
    }

    @Override
    public List<String> candidates() {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(DRI)) {
            return found;
        }
        for (int minor = FIRST_RENDER_NODE; minor <= LAST_RENDER_NODE; minor++) {
            Path node = DRI.resolve("renderD" + minor);
            if (Files.exists(node)) {
                found.add(node.toString());
            }
        }
        // card* nodes work too (wayland-proxy-virtwl tries them); render nodes first, as they need no DRM master.
        try (Stream<Path> entries = Files.list(DRI)) {
            entries.filter(p -> p.getFileName().toString().matches("card\\d+")).map(Path::toString).sorted().forEach(found::add);
        } catch (IOException e) {
            // an unreadable /dev/dri: the render nodes found so far are all we can offer
        }
        return found;
    }

    @Override
    public int open(String path) {
        int fd = LIBC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
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
        return "VirtGpuKernelDevice";
    }
}
