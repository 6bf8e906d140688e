package dev.crossway.transport.virtgpu.device;

import java.util.List;

/**
 * The seam between the virtgpu transport and the kernel: the few calls it makes on a DRM device fd.
 * The product implementation calls libc; an emulated device (test code) implements the same verbs in
 * Java and decodes the very struct bytes a real {@code ioctl} would get.
 *
 * <p>Calls return what the kernel returns: a non-negative result, or a <em>negative errno</em>
 * ({@code -EINVAL}), never an exception, so an emulator can reproduce every kernel failure and the
 * transport names the call in its own message. Addresses are native memory the caller owns.
 *
 * <p>Deliberately absent: anything cross-domain or Wayland. The seam moves struct bytes; what they
 * mean is the transport's business (and the emulator's, on its side).
 */
public interface VirtGpuDevice {

    /** One line saying what this is, for logs and {@code doctor} (e.g. "kernel DRM devices"). */
    String describe();

    /**
     * Device nodes to probe, in order, when none is configured: {@code /dev/dri/renderD128..190}, then
     * {@code /dev/dri/card*}. Empty when there is no {@code /dev/dri}.
     */
    List<String> candidates();

    /** {@code open(path, O_RDWR | O_CLOEXEC)}: an fd, or -errno. Each call gives a fresh DRM file. */
    int open(String path);

    /** {@code ioctl(fd, request, arg)}, {@code arg} the address of the argument struct: result or -errno. */
    int ioctl(int fd, long request, long arg);

    /**
     * {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset)} of a DRM fd (at a
     * {@code DRM_IOCTL_VIRTGPU_MAP} offset) or of a dma-buf fd this device exported (offset 0): the
     * address, or -errno.
     */
    long mmap(int fd, long length, long offset);

    /** {@code munmap(address, length)}: 0 or -errno. */
    int munmap(long address, long length);

    /** {@code read(fd, buf, count)} of DRM events: whole {@code struct drm_event}s, or -errno. */
    long read(int fd, long buf, long count);

    /**
     * {@code poll(fds, nfds, timeout)} over a {@code struct pollfd} array that may mix DRM fds of this
     * device with ordinary fds (a wake-up pipe): the number ready, or -errno.
     */
    int poll(long fds, int nfds, int timeoutMillis);

    /** {@code close(fd)} of a DRM fd from {@link #open}: 0 or -errno. */
    int close(int fd);
}
