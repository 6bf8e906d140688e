package dev.crossway.transport.virtwl.emulator;

import static dev.crossway.linux.sys.LibC.*;
import static dev.crossway.transport.virtwl.sys.VirtWlUapi.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.FdQueue;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatedVfd.Kind;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatedVfd.Message;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlNew;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlTxn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An emulated virtwl device: the guest kernel driver ({@code drivers/virtio/virtio_wl.c}) behind the
 * {@link Device} seam, in front of crosvm's wl device ({@code devices/src/virtio/wl.rs}), whose worker is
 * {@link VirtWlEmulatedHost}.
 *
 * <p>Kernel side, as spec part B describes it: {@code /dev/wl0} answers only {@code VIRTWL_IOCTL_NEW}
 * (matched on nr 0, copying {@code min(request size, 48)} bytes each way); every VFD is an fd the guest
 * polls, reads, writes, maps and closes as it would the driver's; SEND and RECV (compared by full value)
 * decode the caller's raw {@code virtwl_ioctl_txn} bytes. SEND takes only VFDs of this device
 * ({@code EBADFD} otherwise) and at most 28; RECV needs {@code len > 0}, blocks while nothing is queued,
 * copies data across host messages up to {@code len}, hands out the VFDs of each message it touches (28 at
 * most) and reports the host's hang-up as 0 bytes and no VFDs. Host answers map to errnos as the driver
 * maps them: generic error ENODEV, invalid type EINVAL, invalid flags EPERM, invalid command ENOTTY.
 *
 * <p>What the real host would only log is collected in {@link #hostErrors()}, so tests can insist there
 * was none. Deviation: memory VFDs, and contexts the host hung up, are remembered (a few dozen bytes
 * each, no fd) for the emulator's life, as nothing tells it when the guest's last reference goes; the
 * kernel numbers memfd and pipe inodes from a counter, so a remembered one is never mistaken for a new file.
 */
public final class VirtWlEmulator implements Device, AutoCloseable {
    /** The node this device answers at. */
    public static final String NODE = VIRTWL_DEVICE;
    static final int PAGE = 4096;
    private static final LibC LIBC = Native.libc();
    /** Every VFD is a real fd: what the driver does not add, libc does as the kernel would. */
    private static final KernelDevice LIBC_DEVICE = new KernelDevice("libc", List::of);

    final VirtWlEmulatorConfig config;
    /** Open {@code /dev/wl0} files: the guest's fd to the write end of its placeholder pipe. */
    private final Map<Integer, Integer> nodeFiles = new HashMap<>();
    /** Every VFD, by the identity of the guest's file. Guarded by this object, as is all state here. */
    private final Map<String, VirtWlEmulatedVfd> vfds = new HashMap<>();
    private int nextGuestVfdId = 1;
    /** In-queue pages holding host data the guest has not taken yet. */
    int inQueueUsed;
    private final List<String> hostErrors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong recvs = new AtomicLong();
    final VirtWlEmulatedHost host;

    public VirtWlEmulator(VirtWlEmulatorConfig config) {
        this.config = config;
        this.host = new VirtWlEmulatedHost(this);
    }

    /** What crosvm would have logged. */
    public List<String> hostErrors() {
        synchronized (hostErrors) {
            return List.copyOf(hostErrors);
        }
    }

    void hostError(String message) {
        hostErrors.add(message);
    }

    /** SEND ioctls accepted so far. */
    public long sendCount() {
        return sends.get();
    }

    /** RECV ioctls answered so far. */
    public long recvCount() {
        return recvs.get();
    }

    /** Live VFDs other than memory ones (contexts and pipes), for leak checks. */
    public synchronized int liveVfds() {
        return (int) vfds.values().stream().filter(v -> v.kind != Kind.MEMORY && !(v.kind == Kind.CONTEXT && v.hungUp)).count();
    }

    /** In-queue pages in use. */
    public synchronized int inQueueUsed() {
        return inQueueUsed;
    }

    synchronized Collection<VirtWlEmulatedVfd> vfds() {
        return new ArrayList<>(vfds.values());
    }

    /** Whether {@code vfd} is still this device's (not released meanwhile). */
    synchronized boolean isLive(VirtWlEmulatedVfd vfd) {
        return vfds.get(vfd.key) == vfd;
    }

    synchronized void forget(VirtWlEmulatedVfd vfd) {
        vfds.remove(vfd.key);
    }

    @Override
    public String describe() {
        return "emulated virtwl device + crosvm wl host (test)";
    }

    @Override
    public List<String> candidates() {
        return config.devicePresent ? List.of(NODE) : List.of();
    }

    // ---------------------------------------------------------------- files

    @Override
    public synchronized int open(String path) {
        if (!config.devicePresent || !path.equals(NODE)) {
            return -ENOENT;
        }
        if (config.openErrno != 0) {
            return -config.openErrno;
        }
        try {
            int[] placeholder = Fds.pipe();
            nodeFiles.put(placeholder[0], placeholder[1]);
            return placeholder[0];
        } catch (LinuxException e) {
            return -e.errno();
        }
    }

    @Override
    public int close(int fd) {
        synchronized (this) {
            Integer other = nodeFiles.remove(fd);
            if (other != null) {
                Fds.close(other);
            }
        }
        return Fds.close(fd) == 0 ? 0 : -EBADF;
    }

    @Override
    public long mmap(int fd, long length, long offset) {
        synchronized (this) {
            VirtWlEmulatedVfd vfd = find(fd);
            if (vfd == null || vfd.kind != Kind.MEMORY) {
                return -ENODEV; // only memory VFDs can be mapped
            }
            if (offset != 0 || length > ((vfd.size + PAGE - 1) & -PAGE)) {
                return -EINVAL;
            }
        }
        long address = LIBC.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        return address == MAP_FAILED ? -Native.errno() : address;
    }

    @Override
    public int munmap(long address, long length) {
        return LIBC_DEVICE.munmap(address, length);
    }

    @Override
    public long read(int fd, long buf, long count) {
        return LIBC_DEVICE.read(fd, buf, count);
    }

    @Override
    public int poll(long fds, int nfds, int timeoutMillis) {
        return LIBC_DEVICE.poll(fds, nfds, timeoutMillis);
    }

    /** The VFD behind a guest fd, or null. Caller holds the lock. */
    private VirtWlEmulatedVfd find(int fd) {
        try {
            return vfds.get(VirtWlEmulatedVfd.key(Fds.stat(fd)));
        } catch (LinuxException e) {
            return null;
        }
    }

    /** Records a VFD for the guest fd {@code guestFd}. Caller holds the lock. */
    VirtWlEmulatedVfd add(int id, Kind kind, int guestFd, long size) throws LinuxException {
        VirtWlEmulatedVfd vfd = new VirtWlEmulatedVfd(id, kind, VirtWlEmulatedVfd.key(Fds.stat(guestFd)), size);
        vfds.put(vfd.key, vfd);
        return vfd;
    }

    // ---------------------------------------------------------------- ioctl

    @Override
    public int ioctl(int fd, long request, long arg) {
        boolean node;
        synchronized (this) {
            node = nodeFiles.containsKey(fd);
        }
        if (!config.virtwlDriver) {
            return -ENOTTY;
        }
        if (node) {
            // The node takes only NEW, matched on nr 0 and type 'w'; the size comes from the request.
            if ((request & 0xFF) != 0 || ((request >>> 8) & 0xFF) != 'w' || (request >>> 32) != 0) {
                return -ENOTTY;
            }
            return newVfd(Math.min((int) (request >>> 16) & 0x3FFF, VirtWlIoctlNew.SIZEOF), arg);
        }
        if (request == VIRTWL_IOCTL_SEND) {
            return send(fd, arg);
        }
        if (request == VIRTWL_IOCTL_RECV) {
            return recv(fd, arg);
        }
        if (request == VIRTWL_IOCTL_DMABUF_SYNC) {
            return -EINVAL; // no VFD here is a dma-buf
        }
        return -ENOTTY;
    }

    private static ByteBuffer user(long address, int length) {
        return Native.newDirectByteBuffer(address, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int newVfd(int size, long arg) {
        if (arg == 0) {
            return -EFAULT;
        }
        // As the driver: copy in what the caller's size says (at most the struct), zero the rest, copy the same back.
        ByteBuffer k = ByteBuffer.allocate(VirtWlIoctlNew.SIZEOF).order(ByteOrder.LITTLE_ENDIAN);
        k.put(0, user(arg, size), 0, size);
        int type = k.getInt(VirtWlIoctlNew.TYPE);
        if (k.getInt(VirtWlIoctlNew.FLAGS) != 0) {
            return -EPERM; // crosvm: invalid flags
        }
        int guestFd;
        try {
            guestFd = switch (type) {
                case VIRTWL_IOCTL_NEW_CTX -> host.newContext(nextId(), config.sockets.get(""));
                case VIRTWL_IOCTL_NEW_CTX_NAMED -> host.newContext(nextId(), config.sockets.get(name(k)));
                case VIRTWL_IOCTL_NEW_ALLOC -> newAlloc(Integer.toUnsignedLong(k.getInt(VirtWlIoctlNew.SIZE)));
                case VIRTWL_IOCTL_NEW_PIPE_READ -> host.newPipe(nextId(), Kind.PIPE_TO_GUEST);
                case VIRTWL_IOCTL_NEW_PIPE_WRITE -> host.newPipe(nextId(), Kind.PIPE_FROM_GUEST);
                case VIRTWL_IOCTL_NEW_DMABUF -> -ENOTTY; // crosvm without gbm: invalid command
                default -> -EINVAL; // invalid type
            };
        } catch (IOException e) {
            hostError("NEW type " + type + ": " + e.getMessage());
            return -ENODEV; // crosvm's generic error
        }
        if (guestFd < 0) {
            return guestFd;
        }
        k.putInt(VirtWlIoctlNew.FD, guestFd);
        user(arg, size).put(0, k, 0, size);
        return 0;
    }

    private static String name(ByteBuffer k) {
        byte[] raw = new byte[VIRTWL_NAME_LENGTH];
        k.get(VirtWlIoctlNew.NAME, raw);
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }

    private synchronized int nextId() {
        return nextGuestVfdId++;
    }

    private int newAlloc(long size) throws IOException {
        long rounded = (size + PAGE - 1) & -PAGE;
        int memfd = Fds.memfd("virtwl-alloc", rounded);
        synchronized (this) {
            add(nextGuestVfdId++, Kind.MEMORY, memfd, rounded);
        }
        return memfd;
    }

    /** SEND: bytes and VFDs to the context's compositor socket, then the host lets go of the ends it sent. */
    private int send(int fd, long arg) {
        ByteBuffer header = user(arg, VirtWlIoctlTxn.SIZEOF);
        int len = header.getInt(VirtWlIoctlTxn.LEN);
        VirtWlEmulatedVfd ctx;
        List<VirtWlEmulatedVfd> sent = new ArrayList<>();
        FdQueue hostFds = new FdQueue();
        try {
            synchronized (this) {
                ctx = find(fd);
                if (ctx == null) {
                    return -ENOTTY;
                }
                if (ctx.kind != Kind.CONTEXT || ctx.socket == null) {
                    return -EINVAL; // crosvm: invalid type (not a context, or its socket is gone)
                }
                for (int i = 0; i < VIRTWL_SEND_MAX_ALLOCS; i++) {
                    int guestFd = header.getInt(VirtWlIoctlTxn.FDS + 4 * i);
                    if (guestFd < 0) {
                        break;
                    }
                    VirtWlEmulatedVfd vfd = find(guestFd);
                    if (vfd == null) {
                        return -EBADFD; // not a VFD of this device
                    }
                    int hostFd = switch (vfd.kind) {
                        case MEMORY -> guestFd; // the memfd is the host's shared memory too
                        case PIPE_TO_GUEST, PIPE_FROM_GUEST -> vfd.remote;
                        case CONTEXT -> -1;
                    };
                    if (hostFd < 0) {
                        hostError("SEND of " + vfd + ", which has nothing to send (already sent, or made by the host)");
                        return -EINVAL; // crosvm: invalid type
                    }
                    hostFds.add(Fds.dup(hostFd));
                    sent.add(vfd);
                }
            }
            if (len == 0 && hostFds.isEmpty()) {
                return 0;
            }
            ByteBuffer data = ByteBuffer.allocateDirect(Math.max(len, 1));
            data.put(0, user(arg + VirtWlIoctlTxn.DATA, len), 0, len).limit(len);
            synchronized (ctx.sendLock) {
                UnixSocket socket = ctx.socket;
                if (socket == null) {
                    return -EINVAL;
                }
                socket.send(data, hostFds);
            }
        } catch (IOException e) {
            hostFds.closeAll(Fds.CLOSER);
            hostError("SEND on " + fd + ": " + e.getMessage());
            return -ENODEV; // crosvm's generic error
        }
        synchronized (this) {
            for (VirtWlEmulatedVfd vfd : sent) {
                if (vfd.remote >= 0) {
                    Fds.close(vfd.remote); // crosvm's close_remote: the compositor holds the only copy now
                    vfd.remote = -1;
                }
            }
        }
        sends.incrementAndGet();
        return 0;
    }

    /** RECV: queued bytes up to {@code len}, then the VFDs of the messages touched; 0 bytes and no VFDs at hang-up. */
    private int recv(int fd, long arg) {
        ByteBuffer header = user(arg, VirtWlIoctlTxn.SIZEOF);
        int capacity = header.getInt(VirtWlIoctlTxn.LEN);
        List<Integer> handed = new ArrayList<>();
        int copied = 0;
        synchronized (this) {
            VirtWlEmulatedVfd ctx = find(fd);
            if (ctx == null) {
                return -ENOTTY;
            }
            if (ctx.kind != Kind.CONTEXT || capacity <= 0) {
                return -EINVAL;
            }
            try {
                boolean nonBlocking = (Fds.statusFlags(fd) & O_NONBLOCK) != 0;
                while (ctx.incoming.isEmpty() && !ctx.hungUp) {
                    if (nonBlocking) {
                        return -EAGAIN;
                    }
                    wait();
                }
            } catch (LinuxException e) {
                return -e.errno();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -EINTR;
            }
            ByteBuffer data = user(arg + VirtWlIoctlTxn.DATA, capacity);
            int consumed = 0;
            for (Message m : ctx.incoming) {
                if (copied == capacity || handed.size() + m.guestFds.size() > VIRTWL_SEND_MAX_ALLOCS) {
                    break;
                }
                handed.addAll(m.guestFds);
                m.guestFds.clear();
                int n = Math.min(capacity - copied, m.data.length - m.offset);
                data.put(copied, m.data, m.offset, n);
                copied += n;
                m.offset += n;
                if (m.offset < m.data.length) {
                    break;
                }
                consumed++;
            }
            for (int i = 0; i < consumed; i++) {
                ctx.incoming.poll();
                inQueueUsed--;
            }
            try {
                // One notification byte per message taken; the guest's fd is the pipe's read end.
                ByteBuffer drain = ByteBuffer.allocateDirect(Math.max(consumed, 1)).limit(consumed);
                while (drain.hasRemaining() && Fds.tryRead(fd, drain) > 0) {
                    // keep draining
                }
            } catch (LinuxException e) {
                hostError("RECV notification drain: " + e.getMessage());
            }
        }
        host.wakeUp(); // pages were freed
        for (int i = 0; i < VIRTWL_SEND_MAX_ALLOCS; i++) {
            header.putInt(VirtWlIoctlTxn.FDS + 4 * i, i < handed.size() ? handed.get(i) : -1);
        }
        header.putInt(VirtWlIoctlTxn.LEN, copied);
        recvs.incrementAndGet();
        return 0;
    }

    /** Stops crosvm's worker and closes everything it held; open node files stay the caller's. */
    @Override
    public void close() {
        host.stop();
        synchronized (this) {
            vfds.values().forEach(VirtWlEmulatedVfd::closeAll);
            vfds.clear();
        }
    }

    @Override
    public String toString() {
        return "VirtWlEmulator[" + NODE + "]";
    }
}
