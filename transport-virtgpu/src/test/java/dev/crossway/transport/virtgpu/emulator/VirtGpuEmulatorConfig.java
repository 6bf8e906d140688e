package dev.crossway.transport.virtgpu.emulator;

import java.nio.file.Path;

/**
 * What the emulated machine looks like: the guest kernel and device (node present? driver name?
 * features?) and the crosvm host (capsets, channels, identifier count, protocol version). Defaults are
 * a current setup: Linux 6.x guest, crosvm with rutabaga_gfx 0.1.80, {@code --gpu context-types=cross-domain}
 * and a Wayland socket. Fluent setters; not thread-safe, configure before use.
 */
public final class VirtGpuEmulatorConfig {
    Path compositorSocket;
    boolean devicePresent = true;
    String driverName = "virtio_gpu";
    int openErrno;
    int features3d = 1;
    int resourceBlob = 1;
    int hostVisible = 1;
    int contextInit = 1;
    /** False: a kernel before 5.16, where GETPARAM 6 and 7 fail with EINVAL. */
    boolean kernelKnowsContextInit = true;
    int capsetMask = 1 << 5;
    int supportedChannels = 1 << 1;
    int maxIdentifiers = 28;
    /** rutabaga_gfx 0.1.80 answers a compositor EOF with an empty RECEIVE; older hosts never signal. */
    boolean emptyReceiveOnEof = true;
    /** The late-2024 regression: write pipes reported as blobs (type 1) of size 0. */
    boolean writePipeTypeBug;
    /** Bytes of the host-visible memory window (QEMU's {@code hostmem}); 0: no limit. */
    long hostVisibleBytes;
    /**
     * EXECBUFFERs the control virtqueue holds before the ioctl waits: QEMU's and crosvm's control queue
     * has 256 descriptors, and a submission takes three (header, commands, response).
     */
    int virtqueueSubmissions = 85;

    public static VirtGpuEmulatorConfig of(Path compositorSocket) {
        VirtGpuEmulatorConfig c = new VirtGpuEmulatorConfig();
        c.compositorSocket = compositorSocket;
        return c;
    }

    public VirtGpuEmulatorConfig devicePresent(boolean v) {
        devicePresent = v;
        return this;
    }

    public VirtGpuEmulatorConfig driverName(String v) {
        driverName = v;
        return this;
    }

    /** open() of the node fails with this errno (e.g. EACCES); 0 for success. */
    public VirtGpuEmulatorConfig openErrno(int v) {
        openErrno = v;
        return this;
    }

    public VirtGpuEmulatorConfig features3d(boolean v) {
        features3d = v ? 1 : 0;
        return this;
    }

    public VirtGpuEmulatorConfig resourceBlob(boolean v) {
        resourceBlob = v ? 1 : 0;
        return this;
    }

    public VirtGpuEmulatorConfig hostVisible(boolean v) {
        hostVisible = v ? 1 : 0;
        return this;
    }

    /** Whether the VMM offers VIRTIO_GPU_F_CONTEXT_INIT (the kernel knows the parameter). */
    public VirtGpuEmulatorConfig contextInit(boolean v) {
        contextInit = v ? 1 : 0;
        return this;
    }

    public VirtGpuEmulatorConfig kernelKnowsContextInit(boolean v) {
        kernelKnowsContextInit = v;
        return this;
    }

    public VirtGpuEmulatorConfig capsetMask(int v) {
        capsetMask = v;
        return this;
    }

    public VirtGpuEmulatorConfig supportedChannels(int v) {
        supportedChannels = v;
        return this;
    }

    public VirtGpuEmulatorConfig maxIdentifiers(int v) {
        maxIdentifiers = v;
        return this;
    }

    public VirtGpuEmulatorConfig emptyReceiveOnEof(boolean v) {
        emptyReceiveOnEof = v;
        return this;
    }

    /**
     * The size of the host-visible memory window that mappable host blobs take space in (QEMU's
     * {@code hostmem}); when it is full, {@code RESOURCE_CREATE_BLOB} fails with ENOSPC, as the kernel's
     * does. 0 (the default): no limit.
     */
    public VirtGpuEmulatorConfig hostVisibleBytes(long v) {
        hostVisibleBytes = v;
        return this;
    }

    public VirtGpuEmulatorConfig virtqueueSubmissions(int v) {
        virtqueueSubmissions = v;
        return this;
    }

    public VirtGpuEmulatorConfig writePipeTypeBug(boolean v) {
        writePipeTypeBug = v;
        return this;
    }
}
