package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.GuardedFd;
import dev.crossway.linux.IssuedFds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.PollFds;
import dev.crossway.linux.WakePipe;
import dev.crossway.linux.device.DeviceHostBuffer;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlTxn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to the host compositor: a virtwl context VFD (NEW_CTX), on which Wayland
 * bytes and VFDs travel with SEND and RECV (spec B.4).
 *
 * <p>Fds: {@link #send} carries only VFDs this connection made and handed out, looked up, never
 * examined: duplicates of its host buffers (NEW_ALLOC) and of the pipe VFDs its bridges made
 * (NEW_PIPE_READ, NEW_PIPE_WRITE). {@link #receive} hands on what the host sent as it is (memory VFDs
 * the guest maps; pipe VFDs, which the core then has {@link #bridgeHostPipe} join to a local pipe).
 *
 * <p>Threads: one receiving thread, which waits in {@code poll} on the context VFD beside a
 * {@link WakePipe}, so {@link #close()} wakes it; any number of senders, serialised; the bridges' two
 * threads. Everything is released by whoever leaves last ({@link GuardedFd}), so no call ever runs on a
 * reused fd number.
 */
final class VirtWlConnection implements HostConnection {
    private static final Logger LOG = LoggerFactory.getLogger(VirtWlConnection.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** What an issued fd stands for; the kernel knows the VFD, the lookup only proves it is ours. */
    private enum Issued { HOST_BUFFER, PIPE }

    private final int id = IDS.incrementAndGet();
    private final VirtWlNode node;
    private final int ctx;
    private final Capabilities capabilities;
    private final VirtWlPipes pipes;
    private final IssuedFds<Issued> issued = new IssuedFds<>();
    private final WakePipe wake;
    private final GuardedFd guard;
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong recvs = new AtomicLong();

    // Sending, under sendLock: one txn (header + a page of data), reused.
    private final Object sendLock = new Object();
    private final ByteBuffer out = txnBuffer();
    private final long outAddress = Native.address(out);

    // Receiving: the one receiving thread's.
    private final ByteBuffer in = txnBuffer();
    private final long inAddress = Native.address(in);
    private final PollFds pollFds = new PollFds(2);
    private boolean hostClosed;

    private VirtWlConnection(VirtWlNode node, int ctx, VirtWlSettings settings, Capabilities capabilities) throws LinuxException {
        this.node = node;
        this.ctx = ctx;
        this.capabilities = capabilities;
        this.wake = WakePipe.open();
        try {
            this.pipes = new VirtWlPipes("crossway-virtwl-" + id + "-pipes", settings.pipeIdleTimeoutMillis());
        } catch (LinuxException e) {
            wake.close();
            throw e;
        }
        this.guard = GuardedFd.of(ctx, wake::wake, this::releaseResources);
    }

    private static ByteBuffer txnBuffer() {
        return ByteBuffer.allocateDirect(VirtWlIoctlTxn.SIZEOF + VIRTWL_SEND_MAX_DATA).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Opens the node and a context on it: a new connection to the host compositor. */
    static VirtWlConnection open(dev.crossway.linux.device.Device device, String path, VirtWlSettings settings,
            Capabilities capabilities) throws IOException {
        VirtWlNode node = VirtWlNode.open(device, path);
        int ctx = -1;
        try {
            ctx = node.newContext(settings.contextName());
            VirtWlConnection connection = new VirtWlConnection(node, ctx, settings, capabilities);
            LOG.debug("virtwl connection {}: context VFD {} on {}", connection.id, ctx, path);
            return connection;
        } catch (LinuxException | RuntimeException e) {
            if (ctx >= 0) {
                Fds.close(ctx);
            }
            node.close();
            throw e;
        }
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** SEND ioctls so far (for stats and benchmarks). */
    long sendCount() {
        return sends.get();
    }

    /** RECV ioctls so far. */
    long recvCount() {
        return recvs.get();
    }

    /** Bridges open now and the bytes they hold (for tests). */
    int bridges() {
        return pipes.size();
    }

    long bridgedBytesQueued() {
        return pipes.queued();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("SEND ioctls", sends.get());
        counters.put("RECV ioctls", recvs.get());
        return counters;
    }

    // ---------------------------------------------------------------- send

    /**
     * {@inheritDoc}
     *
     * <p>The bytes go as SENDs of at most {@value dev.crossway.transport.virtwl.sys.VirtWlUapi#VIRTWL_SEND_MAX_DATA}
     * bytes; the fds, at most 28 a SEND, with the first ones (each SEND with fds carries at least a byte).
     */
    @Override
    public void send(ByteBuffer src, FdQueue queue) throws IOException {
        int n = queue.size();
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) {
            fds[i] = queue.take();
        }
        if (!guard.acquire()) {
            closeAll(fds);
            throw new ClosedChannelException();
        }
        try {
            for (int fd : fds) {
                if (issued.take(fd) == null) {
                    throw new IOException("fd " + fd + " cannot cross to the host over virtwl: this connection did not make it. Only its"
                            + " host buffers (allocate) and bridged pipes (bridgePipe) can; shared memory must be copied into a host buffer");
                }
            }
            int sendsForFds = (n + VIRTWL_SEND_MAX_ALLOCS - 1) / VIRTWL_SEND_MAX_ALLOCS;
            if (src.remaining() < sendsForFds) {
                throw new IOException(n + " fds need " + sendsForFds + " SENDs, each with at least one byte, but only "
                        + src.remaining() + " bytes were given");
            }
            synchronized (sendLock) {
                int next = 0;
                while (src.hasRemaining() || next < n) {
                    int count = Math.min(VIRTWL_SEND_MAX_ALLOCS, n - next);
                    // While fds remain for later SENDs, this one carries a single byte so the fds arrive early.
                    int length = next + count < n ? 1 : Math.min(src.remaining(), VIRTWL_SEND_MAX_DATA);
                    for (int i = 0; i < VIRTWL_SEND_MAX_ALLOCS; i++) {
                        out.putInt(VirtWlIoctlTxn.FDS + 4 * i, i < count ? fds[next + i] : -1);
                    }
                    out.putInt(VirtWlIoctlTxn.LEN, length);
                    out.put(VirtWlIoctlTxn.DATA, src, src.position(), length);
                    node.send(ctx, outAddress);
                    sends.incrementAndGet();
                    src.position(src.position() + length);
                    next += count;
                }
            }
        } finally {
            closeAll(fds); // the host holds its own references now
            guard.release();
        }
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) {
            Fds.close(fd);
        }
    }

    // ---------------------------------------------------------------- receive

    /**
     * {@inheritDoc}
     *
     * <p>Waits for the context VFD to be readable (or hung up), then RECVs at most what fits in
     * {@code dst}; the VFDs that came with the bytes go to {@code fds} as they are. RECV with no bytes
     * and no VFDs after a hang-up is the compositor's end of the stream: -1, now and from then on.
     */
    @Override
    public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
        if (!dst.hasRemaining()) {
            throw new IllegalArgumentException("no room in the receive buffer: " + dst);
        }
        if (!guard.acquire()) {
            return -1;
        }
        try {
            while (!hostClosed) {
                if (!awaitReadable()) {
                    return -1;
                }
                for (int i = 0; i < VIRTWL_SEND_MAX_ALLOCS; i++) {
                    in.putInt(VirtWlIoctlTxn.FDS + 4 * i, -1);
                }
                int capacity = Math.min(dst.remaining(), VIRTWL_SEND_MAX_DATA);
                in.putInt(VirtWlIoctlTxn.LEN, capacity);
                node.recv(ctx, inAddress);
                recvs.incrementAndGet();
                int received = 0;
                for (int i = 0; i < VIRTWL_SEND_MAX_ALLOCS; i++) {
                    int fd = in.getInt(VirtWlIoctlTxn.FDS + 4 * i);
                    if (fd < 0) {
                        break;
                    }
                    fds.add(fd);
                    received++;
                }
                int length = in.getInt(VirtWlIoctlTxn.LEN);
                if (length < 0 || length > capacity) {
                    throw new IOException("VIRTWL_IOCTL_RECV reports " + Integer.toUnsignedString(length) + " bytes for a " + capacity
                            + "-byte buffer: the driver is broken");
                }
                if (length > 0) {
                    dst.put(dst.position(), in, VirtWlIoctlTxn.DATA, length);
                    dst.position(dst.position() + length);
                    return length;
                }
                if (received == 0) {
                    hostClosed = true;
                    LOG.debug("virtwl connection {}: the compositor closed the connection", id);
                }
            }
            return -1;
        } finally {
            guard.release();
        }
    }

    /** Blocks until the context VFD is readable or hung up (true) or this connection is closed (false). */
    private boolean awaitReadable() throws IOException {
        while (true) {
            pollFds.clear().add(ctx, LibC.POLLIN);
            pollFds.add(wake.fd(), LibC.POLLIN);
            int r = node.device().poll(pollFds.address(), 2, -1);
            if (r == -LibC.EINTR) {
                continue;
            }
            if (r < 0) {
                throw new LinuxException("poll of context VFD " + ctx, -r);
            }
            if (pollFds.revents(1) != 0 || guard.isClosed()) {
                return false;
            }
            short revents = pollFds.revents(0);
            if ((revents & LibC.POLLERR) != 0) {
                throw new IOException("poll of context VFD " + ctx + " reports POLLERR: the context is unusable");
            }
            if ((revents & (LibC.POLLIN | LibC.POLLHUP)) != 0) {
                return true;
            }
        }
    }

    // ---------------------------------------------------------------- allocate and bridge

    /** {@inheritDoc} <p>A NEW_ALLOC VFD, mapped whole; its duplicates are what {@link #send} carries. */
    @Override
    public HostBuffer allocate(long size) throws IOException {
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("host buffer size must be 1.." + Integer.MAX_VALUE + " bytes, was " + size);
        }
        if (!guard.acquire()) {
            throw new ClosedChannelException();
        }
        try {
            int vfd = node.newAlloc(size);
            long mapped = (size + 4095) & ~4095L;
            long address = node.device().mmap(vfd, mapped, 0);
            if (address < 0 && address > -4096) {
                Fds.close(vfd);
                throw new LinuxException("mmap of NEW_ALLOC VFD " + vfd + " (" + mapped + " bytes)", (int) -address);
            }
            return new DeviceHostBuffer(node.device(), "VFD", vfd, size, address, mapped, dup -> issued.put(dup, Issued.HOST_BUFFER));
        } finally {
            guard.release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A pipe VFD stands in for the app's pipe end, and a bridge copies between them: HOST_TO_GUEST
     * (the app's write end, e.g. {@code wl_data_offer.receive}) from a NEW_PIPE_READ VFD into it,
     * GUEST_TO_HOST (the app's read end) from it into a NEW_PIPE_WRITE VFD.
     */
    @Override
    public int bridgePipe(int guestFd, PipeDirection direction) throws IOException {
        if (!guard.acquire()) {
            throw new ClosedChannelException();
        }
        int vfd = -1;
        int guestEnd = -1;
        int sent = -1;
        try {
            boolean toGuest = direction == PipeDirection.HOST_TO_GUEST;
            vfd = toGuest ? node.newPipeRead() : node.newPipeWrite();
            guestEnd = Fds.dup(guestFd);
            sent = Fds.dup(vfd);
            issued.put(sent, Issued.PIPE);
            if (toGuest) {
                pipes.bridge(vfd, guestEnd);
            } else {
                pipes.bridge(guestEnd, vfd);
            }
            return sent;
        } catch (IOException | RuntimeException e) {
            for (int fd : new int[] {vfd, guestEnd, sent}) {
                if (fd >= 0) {
                    Fds.close(fd);
                }
            }
            throw e;
        } finally {
            guard.release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The app gets one end of a local pipe, bridged to the host's pipe VFD: GUEST_TO_HOST (the
     * compositor's write end, e.g. {@code wl_data_source.send}) from the local pipe into the VFD,
     * HOST_TO_GUEST from the VFD into the local pipe.
     */
    @Override
    public int bridgeHostPipe(int hostFd, PipeDirection direction) throws IOException {
        if (!guard.acquire()) {
            throw new ClosedChannelException();
        }
        try {
            int[] local = Fds.pipe();
            if (direction == PipeDirection.GUEST_TO_HOST) {
                pipes.bridge(local[0], hostFd);
                return local[1];
            }
            pipes.bridge(hostFd, local[1]);
            return local[0];
        } finally {
            guard.release();
        }
    }

    // ---------------------------------------------------------------- closing

    /** Idempotent; wakes a blocked {@link #receive}, which returns -1. Frees everything once no call is in progress. */
    @Override
    public void close() {
        guard.close();
    }

    private void releaseResources() {
        pipes.close();
        Fds.close(ctx); // the host closes the compositor socket
        node.close();
        wake.close();
        LOG.debug("virtwl connection {} closed after {} SENDs and {} RECVs", id, sends.get(), recvs.get());
    }

    @Override
    public String toString() {
        return "VirtWlConnection[" + id + ", context VFD " + ctx + " on " + node.path() + (guard.isClosed() ? ", closed]" : "]");
    }
}
