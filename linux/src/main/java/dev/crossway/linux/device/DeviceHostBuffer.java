package dev.crossway.linux.device;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.MappedHostBuffer;
import dev.crossway.linux.sys.Native;
import java.nio.ByteBuffer;

/**
 * Host memory a VM device made, mapped whole through the device: a virtio-gpu dma-buf, a virtwl
 * NEW_ALLOC VFD. The mapping may be longer than the size asked for (the device rounds up, and must be
 * mapped whole).
 *
 * <p>Ownership: this buffer owns the fd and the mapping; {@link #close()} unmaps and closes both at once.
 * The compositor gets its own reference through {@link #dupFd()} and the send, so its copy outlives ours.
 */
public final class DeviceHostBuffer extends MappedHostBuffer {
    private final Device device;
    private final String what;
    private final long address;
    private final long mappedLength;

    /**
     * @param what         what the fd is, for messages ({@code dma-buf}, {@code VFD})
     * @param mappedLength the whole mapping, as long as the device made it
     * @param issuer       records each duplicate for the connection's send
     */
    public DeviceHostBuffer(Device device, String what, int fd, long size, long address, long mappedLength, Issuer issuer) {
        super(fd, size, issuer);
        this.device = device;
        this.what = what;
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
            throw new LinuxException("munmap of host buffer " + what + " " + fd(), -r);
        }
    }

    @Override
    public String toString() {
        return "DeviceHostBuffer[" + what + " " + fd() + ", " + size() + " of " + mappedLength + " bytes" + (isClosed() ? ", closed]" : "]");
    }
}
