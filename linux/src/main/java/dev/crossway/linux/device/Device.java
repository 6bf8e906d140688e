package dev.crossway.linux.device;

import java.util.List;

/**
 * The seam between a VM transport and the guest kernel: the few calls it makes on its device node and
 * the objects the device makes (a DRM file, a virtwl context). The product implementation,
 * {@link KernelDevice}, calls libc; an emulated device (test code) implements the same verbs in Java and
 * decodes the very struct bytes a real {@code ioctl} would get.
 *
 * <p>Calls return what the kernel returns: a non-negative result, or a <em>negative errno</em>
 * ({@code -EINVAL}), never an exception, so an emulator can reproduce every kernel failure and the
 * transport names the call in its own message. Addresses are native memory the caller owns.
 *
 * <p>Deliberately absent: anything about a transport's protocol. The seam moves struct bytes; what they
 * mean is the transport's business (and the emulator's, on its side). Fds the device makes other than by
 * {@link #open} (dma-bufs, virtwl VFDs) are ordinary fds: read, written and closed as such.
 */
public interface Device {

    /** One line saying what this is, for logs and {@code doctor} (e.g. "kernel devices under /dev/dri"). */
    String describe();

    /** Device nodes to probe, in order, when none is configured; empty when there are none. */
    List<String> candidates();

    /** {@code open(path, O_RDWR | O_CLOEXEC)}: an fd, or -errno. */
    int open(String path);

    /** {@code ioctl(fd, request, arg)}, {@code arg} the address of the argument struct: result or -errno. */
    int ioctl(int fd, long request, long arg);

    /**
     * {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset)} of an fd this device
     * opened or made: the address, or -errno.
     */
    long mmap(int fd, long length, long offset);

    /** {@code munmap(address, length)}: 0 or -errno. */
    int munmap(long address, long length);

    /** {@code read(fd, buf, count)} of an fd this device opened (e.g. DRM events): bytes, or -errno. */
    long read(int fd, long buf, long count);

    /**
     * {@code poll(fds, nfds, timeout)} over a {@code struct pollfd} array that may mix this device's fds
     * with ordinary ones (a wake-up pipe): the number ready, or -errno.
     */
    int poll(long fds, int nfds, int timeoutMillis);

    /** {@code close(fd)} of an fd from {@link #open}: 0 or -errno. */
    int close(int fd);
}
