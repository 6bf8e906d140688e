package dev.crossway.transport.virtgpu;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.MappedHostBuffer;
import dev.crossway.linux.sys.Native;
import java.nio.ByteBuffer;

/**
 * Host-visible memory: a HOST3D blob exported as a dma-buf fd, mapped whole.
 *
 * <p>Ownership: this buffer owns the dma-buf fd and the mapping (the GEM handle was closed at once;
 * the dma-buf keeps the memory alive). {@link #close()} unmaps and closes both at once. The compositor
 * gets its own reference through {@link #dupFd()} and the SEND, so its copy outlives ours.
 */
final class VirtGpuHostBuffer extends MappedHostBuffer {
    private final VirtGpuDrm drm;
    private final long address;
    private final long mappedLength;

    /**
     * @param mappedLength the blob's whole size, as the host reported it (HOST3D mappings must cover it all)
     * @param issuer       records each duplicate for the connection's send
     */
    VirtGpuHostBuffer(VirtGpuDrm drm, int fd, long size, long address, long mappedLength, Issuer issuer) {
        super(fd, size, issuer);
        this.drm = drm;
        this.address = address;
        this.mappedLength = mappedLength;
    }

    @Override
    protected ByteBuffer view() {
        return Native.newDirectByteBuffer(address, (int) size());
    }

    @Override
    protected void unmap() throws LinuxException {
        drm.munmap(address, mappedLength);
    }

    @Override
    public String toString() {
        return "VirtGpuHostBuffer[dma-buf " + fd() + ", " + size() + " of " + mappedLength + " bytes" + (isClosed() ? ", closed]" : "]");
    }
}
