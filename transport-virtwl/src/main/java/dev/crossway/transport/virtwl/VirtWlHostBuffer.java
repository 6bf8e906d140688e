package dev.crossway.transport.virtwl;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.MappedHostBuffer;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.Native;
import java.nio.ByteBuffer;

/**
 * Host memory: a NEW_ALLOC VFD, mapped whole (the host rounds its size up to pages).
 *
 * <p>Ownership: this buffer owns the VFD and the mapping; {@link #close()} unmaps and closes both at
 * once, and the host frees its memory when the last guest reference goes. The compositor gets its own
 * reference through {@link #dupFd()} and the SEND, so its copy outlives ours.
 */
final class VirtWlHostBuffer extends MappedHostBuffer {
    private final Device device;
    private final long address;
    private final long mappedLength;

    VirtWlHostBuffer(Device device, int vfd, long size, long address, long mappedLength, Issuer issuer) {
        super(vfd, size, issuer);
        this.device = device;
        this.address = address;
        this.mappedLength = mappedLength;
    }

    @Override
    protected ByteBuffer view() {
        return Native.newDirectByteBuffer(address, (int) size());
    }

    @Override
    protected void unmap() throws LinuxException {
        int r = device.munmap(address, mappedLength);
        if (r < 0) {
            throw new LinuxException("munmap of VFD " + fd(), -r);
        }
    }

    @Override
    public String toString() {
        return "VirtWlHostBuffer[VFD " + fd() + ", " + size() + " of " + mappedLength + " bytes" + (isClosed() ? ", closed]" : "]");
    }
}
