package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.*;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlNew;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The open virtwl node ({@code /dev/wl0}), which makes VFDs, and the SEND and RECV ioctls on a context
 * VFD, each a typed method. Builds each struct at the offsets of its {@code .sys} mirror; failures are
 * {@link LinuxException}s naming the ioctl and the VFD type, e.g.
 * {@code VIRTWL_IOCTL_NEW(NEW_CTX) on /dev/wl0 failed: ENODEV (19): No such device}, with the fix.
 */
final class VirtWlNode {
    private final Device device;
    private final int fd;
    private final String path;

    private VirtWlNode(Device device, int fd, String path) {
        this.device = device;
        this.fd = fd;
        this.path = path;
    }

    /** Opens {@code path} read-write. */
    static VirtWlNode open(Device device, String path) throws LinuxException {
        int fd = device.open(path);
        if (fd < 0) {
            throw new LinuxException("open " + path, -fd, -fd == LibC.EACCES || -fd == LibC.EPERM
                    ? "give your user read and write access to " + path + " (its group, or a udev rule making it 0666 as ChromeOS does)"
                    : -fd == LibC.ENOENT ? "no virtwl device: " + VirtWl.CROSVM_FLAGS : null);
        }
        return new VirtWlNode(device, fd, path);
    }

    Device device() {
        return device;
    }

    String path() {
        return path;
    }

    /** A new context VFD: a connection to the host's default Wayland socket, or the one crosvm calls {@code name}. */
    int newContext(String name) throws LinuxException {
        if (name == null) {
            return newVfd(VIRTWL_IOCTL_NEW_CTX, 0, null);
        }
        return newVfd(VIRTWL_IOCTL_NEW_CTX_NAMED, 0, name);
    }

    /** A new VFD of host memory, at least {@code size} bytes (the host rounds up to pages), mappable. */
    int newAlloc(long size) throws LinuxException {
        if (size < 1 || size > 0xFFFF_F000L) {
            throw new IllegalArgumentException("a virtwl allocation is 1.." + 0xFFFF_F000L + " bytes (a u32, page-aligned), not " + size);
        }
        return newVfd(VIRTWL_IOCTL_NEW_ALLOC, (int) size, null);
    }

    /** A new pipe VFD the guest reads; the host end it stands for is a write end. */
    int newPipeRead() throws LinuxException {
        return newVfd(VIRTWL_IOCTL_NEW_PIPE_READ, 0, null);
    }

    /** A new pipe VFD the guest writes; the host end it stands for is a read end. */
    int newPipeWrite() throws LinuxException {
        return newVfd(VIRTWL_IOCTL_NEW_PIPE_WRITE, 0, null);
    }

    private int newVfd(int type, int size, String name) throws LinuxException {
        Pointer p = Memory.allocateDirect(Native.runtime(), VirtWlIoctlNew.SIZEOF, true);
        p.putInt(VirtWlIoctlNew.TYPE, type);
        p.putInt(VirtWlIoctlNew.FD, -1);
        p.putInt(VirtWlIoctlNew.FLAGS, 0);
        if (name != null) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            p.put(VirtWlIoctlNew.NAME, bytes, 0, Math.min(bytes.length, VIRTWL_NAME_LENGTH - 1));
        } else {
            p.putInt(VirtWlIoctlNew.SIZE, size);
        }
        int r;
        do {
            r = device.ioctl(fd, VIRTWL_IOCTL_NEW, p.address());
        } while (r == -LibC.EINTR);
        if (r < 0) {
            throw new LinuxException("VIRTWL_IOCTL_NEW(" + typeName(type) + ") on " + path, -r, hint(type, -r));
        }
        return p.getInt(VirtWlIoctlNew.FD);
    }

    static String typeName(int type) {
        return switch (type) {
            case VIRTWL_IOCTL_NEW_CTX -> "NEW_CTX";
            case VIRTWL_IOCTL_NEW_ALLOC -> "NEW_ALLOC";
            case VIRTWL_IOCTL_NEW_PIPE_READ -> "NEW_PIPE_READ";
            case VIRTWL_IOCTL_NEW_PIPE_WRITE -> "NEW_PIPE_WRITE";
            case VIRTWL_IOCTL_NEW_DMABUF -> "NEW_DMABUF";
            case VIRTWL_IOCTL_NEW_CTX_NAMED -> "NEW_CTX_NAMED";
            default -> "type " + type;
        };
    }

    /** What a failed NEW means, from the driver's mapping of crosvm's answers (spec B.3). */
    private static String hint(int type, int errno) {
        boolean context = type == VIRTWL_IOCTL_NEW_CTX || type == VIRTWL_IOCTL_NEW_CTX_NAMED;
        return switch (errno) {
            case LibC.ENOTTY -> "the device does not answer virtwl's ioctls: it is not a virtwl device, or crosvm lacks this command";
            case LibC.ENODEV -> context
                    ? "crosvm could not connect to the host compositor: start it with --wayland-sock PATH"
                        + (type == VIRTWL_IOCTL_NEW_CTX_NAMED ? ",name=NAME matching the virtwl option context-name" : "")
                        + ", and check that the compositor is running"
                    : "the host refused (crosvm's generic error)";
            case LibC.ENOMEM -> "the host is out of memory for it";
            default -> null;
        };
    }

    /** {@code VIRTWL_IOCTL_SEND} on context {@code ctx} of the txn at {@code txn}. */
    void send(int ctx, long txn) throws LinuxException {
        int r;
        do {
            r = device.ioctl(ctx, VIRTWL_IOCTL_SEND, txn);
        } while (r == -LibC.EINTR);
        if (r < 0) {
            throw new LinuxException("VIRTWL_IOCTL_SEND on context VFD " + ctx, -r, -r == LibC.EBADFD || -r == LibC.EINVAL
                    ? "an fd in it is not a VFD of this device" : -r == LibC.ENODEV ? "the host compositor's socket is gone" : null);
        }
    }

    /** {@code VIRTWL_IOCTL_RECV} on context {@code ctx} into the txn at {@code txn}. */
    void recv(int ctx, long txn) throws LinuxException {
        int r;
        do {
            r = device.ioctl(ctx, VIRTWL_IOCTL_RECV, txn);
        } while (r == -LibC.EINTR);
        if (r < 0) {
            throw new LinuxException("VIRTWL_IOCTL_RECV on context VFD " + ctx, -r);
        }
    }

    /** Closes the node; the VFDs it made live on. */
    void close() {
        device.close(fd);
    }

    @Override
    public String toString() {
        return "VirtWlNode[" + path + ", fd " + fd + "]";
    }
}
