package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.transport.virtgpu.sys.VirtGpu3dWait;
import dev.crossway.transport.virtgpu.sys.VirtGpuContextInit;
import dev.crossway.transport.virtgpu.sys.VirtGpuContextSetParam;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmGemClose;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmPrimeHandle;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmVersion;
import dev.crossway.transport.virtgpu.sys.VirtGpuExecbuffer;
import dev.crossway.transport.virtgpu.sys.VirtGpuGetCaps;
import dev.crossway.transport.virtgpu.sys.VirtGpuGetparam;
import dev.crossway.transport.virtgpu.sys.VirtGpuMap;
import dev.crossway.transport.virtgpu.sys.VirtGpuResourceCreateBlob;
import dev.crossway.transport.virtgpu.sys.VirtGpuResourceInfo;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * One open DRM file of a virtio-gpu device, with one typed method per ioctl. Builds each struct at
 * the offsets of its {@code .sys} mirror in fresh native memory, so calls from several threads never
 * share a struct. Failures are {@link LinuxException}s naming the ioctl:
 * {@code DRM_IOCTL_VIRTGPU_GET_CAPS failed: EINVAL (22): Invalid argument}.
 */
final class VirtGpuDrm {
    private final Device device;
    private final int fd;
    private final String path;

    private VirtGpuDrm(Device device, int fd, String path) {
        this.device = device;
        this.fd = fd;
        this.path = path;
    }

    /** Opens {@code path} read-write: a fresh DRM file (and so, later, a fresh context). */
    static VirtGpuDrm open(Device device, String path) throws LinuxException {
        int fd = device.open(path);
        if (fd < 0) {
            throw new LinuxException("open " + path, -fd, -fd == LibC.EACCES || -fd == LibC.EPERM
                    ? "add your user to the group owning " + path + " (render, sometimes video): sudo usermod -aG render $USER, then log in again"
                    : null);
        }
        return new VirtGpuDrm(device, fd, path);
    }

    int fd() {
        return fd;
    }

    String path() {
        return path;
    }

    Device device() {
        return device;
    }

    /** Runs one ioctl, retrying on EINTR and EAGAIN as libdrm's {@code drmIoctl} does. */
    private int ioctl(String name, long request, Pointer arg) throws LinuxException {
        while (true) {
            int r = device.ioctl(fd, request, arg.address());
            if (r >= 0) {
                return r;
            }
            if (r != -LibC.EINTR && r != -LibC.EAGAIN) {
                throw new LinuxException(name, -r);
            }
        }
    }

    private static Pointer struct(int size) {
        return Memory.allocateDirect(Native.runtime(), size, true);
    }

    /** {@code DRM_IOCTL_VERSION}: the driver name, e.g. {@code virtio_gpu}. */
    String driverName() throws LinuxException {
        Pointer v = struct(VirtGpuDrmVersion.SIZEOF);
        Pointer name = struct(64);
        v.putLong(VirtGpuDrmVersion.NAME_LEN, 64);
        v.putLong(VirtGpuDrmVersion.NAME, name.address());
        ioctl("DRM_IOCTL_VERSION", DRM_IOCTL_VERSION, v);
        // name_len comes back as the true length; the kernel copied at most our capacity and added no NUL.
        int length = (int) Math.min(64, v.getLong(VirtGpuDrmVersion.NAME_LEN));
        byte[] bytes = new byte[length];
        name.get(0, bytes, 0, length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** {@code DRM_IOCTL_VIRTGPU_GETPARAM}: the int the kernel writes through {@code value}. */
    int getParam(int param, String paramName) throws LinuxException {
        Pointer p = struct(VirtGpuGetparam.SIZEOF);
        Pointer value = struct(4);
        p.putLong(VirtGpuGetparam.PARAM, param);
        p.putLong(VirtGpuGetparam.VALUE, value.address());
        try {
            ioctl("DRM_IOCTL_VIRTGPU_GETPARAM", DRM_IOCTL_VIRTGPU_GETPARAM, p);
        } catch (LinuxException e) {
            throw new LinuxException("DRM_IOCTL_VIRTGPU_GETPARAM(" + paramName + ")", e.errno());
        }
        return value.getInt(0);
    }

    /** {@code DRM_IOCTL_VIRTGPU_GET_CAPS}: up to {@code size} bytes of capset {@code id}, version {@code version}. */
    byte[] getCaps(int id, int version, int size) throws LinuxException {
        Pointer p = struct(VirtGpuGetCaps.SIZEOF);
        Pointer buf = struct(size);
        p.putInt(VirtGpuGetCaps.CAP_SET_ID, id);
        p.putInt(VirtGpuGetCaps.CAP_SET_VER, version);
        p.putLong(VirtGpuGetCaps.ADDR, buf.address());
        p.putInt(VirtGpuGetCaps.SIZE, size);
        ioctl("DRM_IOCTL_VIRTGPU_GET_CAPS", DRM_IOCTL_VIRTGPU_GET_CAPS, p);
        byte[] out = new byte[size];
        buf.get(0, out, 0, size);
        return out;
    }

    /** {@code DRM_IOCTL_VIRTGPU_CONTEXT_INIT} with (param, value) pairs. */
    void contextInit(long... paramValuePairs) throws LinuxException {
        int n = paramValuePairs.length / 2;
        Pointer params = struct(n * VirtGpuContextSetParam.SIZEOF);
        for (int i = 0; i < n; i++) {
            params.putLong((long) i * VirtGpuContextSetParam.SIZEOF + VirtGpuContextSetParam.PARAM, paramValuePairs[2 * i]);
            params.putLong((long) i * VirtGpuContextSetParam.SIZEOF + VirtGpuContextSetParam.VALUE, paramValuePairs[2 * i + 1]);
        }
        Pointer p = struct(VirtGpuContextInit.SIZEOF);
        p.putInt(VirtGpuContextInit.NUM_PARAMS, n);
        p.putLong(VirtGpuContextInit.CTX_SET_PARAMS, params.address());
        ioctl("DRM_IOCTL_VIRTGPU_CONTEXT_INIT", DRM_IOCTL_VIRTGPU_CONTEXT_INIT, p);
    }

    /** A GEM object this file holds: its per-file handle and the host resource id. */
    record Blob(int handle, int resId) {
    }

    /** {@code DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB}. */
    Blob createBlob(int blobMem, int blobFlags, long size, long blobId) throws LinuxException {
        Pointer p = struct(VirtGpuResourceCreateBlob.SIZEOF);
        p.putInt(VirtGpuResourceCreateBlob.BLOB_MEM, blobMem);
        p.putInt(VirtGpuResourceCreateBlob.BLOB_FLAGS, blobFlags);
        p.putLong(VirtGpuResourceCreateBlob.SIZE, size);
        p.putLong(VirtGpuResourceCreateBlob.BLOB_ID, blobId);
        try {
            ioctl("DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB", DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, p);
        } catch (LinuxException e) {
            if (e.errno() == LibC.ENOSPC && (blobFlags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE) != 0) {
                throw new LinuxException("DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB of " + size + " bytes", e.errno(),
                        "the VM's host-visible memory window is full: give the VM a larger one (QEMU: hostmem=SIZE on its"
                                + " virtio-gpu device)");
            }
            throw e;
        }
        return new Blob(p.getInt(VirtGpuResourceCreateBlob.BO_HANDLE), p.getInt(VirtGpuResourceCreateBlob.RES_HANDLE));
    }

    /** {@code DRM_IOCTL_VIRTGPU_MAP}: the fake offset to mmap this file at for {@code handle}. */
    long mapOffset(int handle) throws LinuxException {
        Pointer p = struct(VirtGpuMap.SIZEOF);
        p.putInt(VirtGpuMap.HANDLE, handle);
        ioctl("DRM_IOCTL_VIRTGPU_MAP", DRM_IOCTL_VIRTGPU_MAP, p);
        return p.getLong(VirtGpuMap.OFFSET);
    }

    /** mmap of this DRM file ({@code offset} from {@link #mapOffset}) or of a dma-buf fd (offset 0), read-write, shared. */
    long mmap(int onFd, long length, long offset, String what) throws LinuxException {
        long address = device.mmap(onFd, length, offset);
        if (address < 0 && address > -4096) {
            throw new LinuxException("mmap of " + what + " (" + length + " bytes)", (int) -address);
        }
        return address;
    }

    void munmap(long address, long length) throws LinuxException {
        int r = device.munmap(address, length);
        if (r < 0) {
            throw new LinuxException("munmap", -r);
        }
    }

    /** {@code DRM_IOCTL_VIRTGPU_RESOURCE_INFO}: the host resource id of {@code handle}. */
    int resourceId(int handle) throws LinuxException {
        Pointer p = struct(VirtGpuResourceInfo.SIZEOF);
        p.putInt(VirtGpuResourceInfo.BO_HANDLE, handle);
        ioctl("DRM_IOCTL_VIRTGPU_RESOURCE_INFO", DRM_IOCTL_VIRTGPU_RESOURCE_INFO, p);
        return p.getInt(VirtGpuResourceInfo.RES_HANDLE);
    }

    /** {@code DRM_IOCTL_PRIME_FD_TO_HANDLE}: imports a dma-buf, attaching it to this file's context. */
    int primeFdToHandle(int dmabuf) throws LinuxException {
        Pointer p = struct(VirtGpuDrmPrimeHandle.SIZEOF);
        p.putInt(VirtGpuDrmPrimeHandle.FD, dmabuf);
        ioctl("DRM_IOCTL_PRIME_FD_TO_HANDLE", DRM_IOCTL_PRIME_FD_TO_HANDLE, p);
        return p.getInt(VirtGpuDrmPrimeHandle.HANDLE);
    }

    /** {@code DRM_IOCTL_PRIME_HANDLE_TO_FD} with {@code DRM_CLOEXEC | DRM_RDWR}: a dma-buf fd the caller owns. */
    int primeHandleToFd(int handle) throws LinuxException {
        Pointer p = struct(VirtGpuDrmPrimeHandle.SIZEOF);
        p.putInt(VirtGpuDrmPrimeHandle.HANDLE, handle);
        p.putInt(VirtGpuDrmPrimeHandle.FLAGS, DRM_CLOEXEC | DRM_RDWR);
        ioctl("DRM_IOCTL_PRIME_HANDLE_TO_FD", DRM_IOCTL_PRIME_HANDLE_TO_FD, p);
        return p.getInt(VirtGpuDrmPrimeHandle.FD);
    }

    /** {@code DRM_IOCTL_GEM_CLOSE}. The host detaches the resource once the last handle on this file goes. */
    void gemClose(int handle) throws LinuxException {
        Pointer p = struct(VirtGpuDrmGemClose.SIZEOF);
        p.putInt(VirtGpuDrmGemClose.HANDLE, handle);
        ioctl("DRM_IOCTL_GEM_CLOSE", DRM_IOCTL_GEM_CLOSE, p);
    }

    /** {@code DRM_IOCTL_VIRTGPU_WAIT} until the fences on {@code handle} signal, looping on EBUSY (a 15 s kernel timeout). */
    void waitIdle(int handle, long timeoutMillis) throws LinuxException {
        Pointer p = struct(VirtGpu3dWait.SIZEOF);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            p.putInt(VirtGpu3dWait.HANDLE, handle);
            p.putInt(VirtGpu3dWait.FLAGS, 0);
            int r = device.ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, p.address());
            if (r >= 0) {
                return;
            }
            boolean retry = r == -LibC.EINTR || r == -LibC.EAGAIN || r == -LibC.EBUSY;
            if (!retry || System.nanoTime() > deadline) {
                throw new LinuxException("DRM_IOCTL_VIRTGPU_WAIT", -r, r == -LibC.EBUSY
                        ? "the host did not answer within " + timeoutMillis + " ms; is crosvm's cross-domain worker alive?" : null);
            }
        }
    }

    /**
     * {@code DRM_IOCTL_VIRTGPU_EXECBUFFER} (40-byte form) of {@code size} command bytes at {@code command},
     * on ring {@code ringIdx} when {@code flags} has {@code VIRTGPU_EXECBUF_RING_IDX}, with
     * {@code numBoHandles} u32 GEM handles at {@code boHandles}.
     *
     * @param struct 40 bytes of scratch memory for the struct, owned by the caller (reused per connection)
     */
    void execbuffer(Pointer struct, long command, int size, int flags, int ringIdx, long boHandles, int numBoHandles)
            throws LinuxException {
        struct.setMemory(0, VirtGpuExecbuffer.SIZEOF, (byte) 0);
        struct.putInt(VirtGpuExecbuffer.FLAGS, flags);
        struct.putInt(VirtGpuExecbuffer.SIZE, size);
        struct.putLong(VirtGpuExecbuffer.COMMAND, command);
        struct.putLong(VirtGpuExecbuffer.BO_HANDLES, boHandles);
        struct.putInt(VirtGpuExecbuffer.NUM_BO_HANDLES, numBoHandles);
        struct.putInt(VirtGpuExecbuffer.FENCE_FD, -1);
        struct.putInt(VirtGpuExecbuffer.RING_IDX, ringIdx);
        ioctl("DRM_IOCTL_VIRTGPU_EXECBUFFER", DRM_IOCTL_VIRTGPU_EXECBUFFER, struct);
    }

    /** Reads DRM events into {@code count} bytes at {@code buf}: bytes read (whole events). */
    int readEvents(long buf, int count) throws LinuxException {
        while (true) {
            long n = device.read(fd, buf, count);
            if (n >= 0) {
                return (int) n;
            }
            if (n != -LibC.EINTR) {
                throw new LinuxException("read of DRM events from " + path, (int) -n);
            }
        }
    }

    /** Closes the DRM file: the kernel destroys its context, and crosvm closes the host Wayland socket. */
    void close() {
        device.close(fd);
    }

    @Override
    public String toString() {
        return "VirtGpuDrm[" + path + ", fd " + fd + "]";
    }
}
