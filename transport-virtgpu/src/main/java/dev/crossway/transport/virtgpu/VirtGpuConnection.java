package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.*;
import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.GuardedFd;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.WakePipe;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.DeviceHostBuffer;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to the host compositor over a {@link VirtGpuContext}: the transport SPI on top
 * of the context (commands and rings) and the {@link VirtGpuFdCodec} (fds as identifiers).
 *
 * <p>Threads: one {@link #receive} thread (it owns the channel ring), any number of senders (the
 * context's lock serialises submissions and keeps read-pipe ids in step with the host), and the fd
 * codec's pipe threads. {@link #close()} wakes a blocked receive through a {@link WakePipe} polled beside
 * the DRM fd; everything is released by whoever leaves last ({@link GuardedFd}), so no call ever runs on
 * a reused fd number.
 *
 * <p>Ownership: the connection owns the context, the pipes its codec bridges, and fds received but not
 * yet handed to the caller.
 */
final class VirtGpuConnection implements HostConnection {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuConnection.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final int id = IDS.incrementAndGet();
    private final Capabilities capabilities;
    private final CrossDomainCodec codec;
    private final VirtGpuContext context;
    private final VirtGpuFdCodec fds;
    private final WakePipe wake;
    private final GuardedFd guard;

    // Receive state, used by the one receiving thread.
    private final ByteBuffer pending = ByteBuffer.allocateDirect(VirtGpuContext.PAGE_SIZE).flip();
    private final FdQueue pendingFds = new FdQueue();
    private boolean hostClosed;

    private VirtGpuConnection(VirtGpuContext context, VirtGpuSettings settings, Capabilities capabilities) throws LinuxException {
        this.context = context;
        this.capabilities = capabilities;
        this.codec = new CrossDomainCodec(settings.identifiers());
        this.wake = WakePipe.open();
        try {
            this.fds = new VirtGpuFdCodec(context.drm(), settings, "crossway-virtgpu-" + id, this::submitWrite);
        } catch (LinuxException e) {
            wake.close();
            throw e;
        }
        this.guard = GuardedFd.of(context.drm().fd(), this::wakeUp, this::releaseResources);
    }

    /** Opens {@code path} afresh and sets up the context, rings and channel. */
    static VirtGpuConnection open(Device device, String path, VirtGpuSettings settings, Capabilities capabilities,
            AtomicLong transportExecbuffers) throws IOException {
        VirtGpuContext context = VirtGpuContext.open(device, path, transportExecbuffers);
        try {
            return new VirtGpuConnection(context, settings, capabilities);
        } catch (LinuxException | RuntimeException e) {
            context.close();
            throw e;
        }
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** EXECBUFFER submissions of this connection so far (for stats and benchmarks). */
    long execbufferCount() {
        return context.execbufferCount();
    }

    /** Cross-domain commands submitted so far (several can share one EXECBUFFER). */
    long commandCount() {
        return context.commandCount();
    }

    /** Bytes of host data queued for guest pipes whose readers have not taken them yet (for tests). */
    long queuedForGuestPipes() {
        return fds.queuedForGuestPipes();
    }

    /** Guest pipes currently bridged for host data (for tests). */
    int guestReadPipes() {
        return fds.guestReadPipes();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("cross-domain commands", commandCount());
        counters.put("execbuffers", execbufferCount());
        return counters;
    }

    // ---------------------------------------------------------------- send

    /**
     * {@inheritDoc}
     *
     * <p>Each fd becomes an identifier ({@link VirtGpuFdCodec}). The bytes go as SEND commands of at most
     * 3744 bytes and {@code identifiers} ids, one READ_PIPE each at most, coalesced into as few
     * EXECBUFFERs as fit {@link VirtGpuContext#COMMAND_BUFFER_SIZE}.
     */
    @Override
    public void send(ByteBuffer src, FdQueue queue) throws IOException {
        int n = queue.size();
        int[] owned = new int[n];
        for (int i = 0; i < n; i++) {
            owned[i] = queue.take();
        }
        boolean[] kept = new boolean[n];
        if (!guard.acquire()) {
            closeAll(owned, kept);
            throw new ClosedChannelException();
        }
        int[] handles = new int[0];
        try {
            int[] ids = new int[n];
            int[] types = new int[n];
            handles = fds.identify(owned, ids, types);
            if (!src.hasRemaining() && n == 0) {
                return;
            }
            context.lock();
            try {
                sendLocked(src, owned, ids, types, kept);
            } finally {
                context.unlock();
            }
        } finally {
            fds.closeHandles(handles, handles.length);
            closeAll(owned, kept);
            guard.release();
        }
    }

    private void sendLocked(ByteBuffer src, int[] owned, int[] ids, int[] types, boolean[] kept) throws IOException {
        int n = owned.length;
        int maxIds = codec.maxIdentifiers();
        // Fds need bytes to travel with (a zero-byte sendmsg carries none): one per SEND they need.
        int sendsForFds = 0;
        for (int i = 0, inSend = 0, pipes = 0; i < n; i++) {
            boolean pipe = types[i] == CROSS_DOMAIN_ID_TYPE_READ_PIPE;
            if (inSend == 0 || inSend == maxIds || (pipe && pipes > 0)) {
                sendsForFds++;
                inSend = 0;
                pipes = 0;
            }
            inSend++;
            pipes += pipe ? 1 : 0;
        }
        if (src.remaining() < sendsForFds) {
            throw new IOException(n + " fds need " + sendsForFds + " SEND commands, each with at least one byte, but only "
                    + src.remaining() + " bytes were given");
        }
        ByteBuffer commands = context.commands();
        int counter = fds.readPipeCounter();
        int batchStart = 0;
        int fdIndex = 0;
        commands.clear();
        while (src.hasRemaining() || fdIndex < n) {
            int first = fdIndex;
            boolean pipe = false;
            while (fdIndex < n && fdIndex - first < maxIds) {
                if (types[fdIndex] == CROSS_DOMAIN_ID_TYPE_READ_PIPE) {
                    if (pipe) {
                        break; // the host accepts one READ_PIPE per SEND
                    }
                    pipe = true;
                    ids[fdIndex] = ++counter;
                }
                fdIndex++;
            }
            // While fds remain for later SENDs, this one carries a single byte so the fds arrive early.
            int dataLength = fdIndex < n ? 1 : Math.min(src.remaining(), CROSS_DOMAIN_MAX_SEND_RECEIVE_DATA);
            if (commands.remaining() < codec.sendReceiveSize() + dataLength) {
                flushSends(owned, ids, types, kept, batchStart, first, counter);
                batchStart = first;
            }
            codec.putSend(commands, ids, types, first, fdIndex - first, src, dataLength);
            context.counted();
        }
        flushSends(owned, ids, types, kept, batchStart, n, counter);
    }

    /**
     * Submits the SENDs in the command buffer, covering fds {@code from..to}. Read pipes among them are
     * registered before the submission (the host may answer fast) and forgotten if it fails, and only
     * then does the read-pipe counter advance: a SEND that was never queued must not move it.
     */
    private void flushSends(int[] owned, int[] ids, int[] types, boolean[] kept, int from, int to, int counter) throws IOException {
        for (int i = from; i < to; i++) {
            if (types[i] == CROSS_DOMAIN_ID_TYPE_READ_PIPE) {
                kept[i] = fds.register(ids[i], owned[i]);
            }
        }
        try {
            context.execbuffer(0, 0, 0, 0);
        } catch (IOException e) {
            for (int i = from; i < to; i++) {
                if (types[i] == CROSS_DOMAIN_ID_TYPE_READ_PIPE && kept[i] && fds.unregister(ids[i])) {
                    kept[i] = false;
                }
            }
            throw e;
        }
        fds.submitted(counter);
        context.commands().clear();
    }

    /** A WRITE for host write pipe {@code identifier}, from the codec's pipe thread. False once closed. */
    private boolean submitWrite(int identifier, ByteBuffer data, boolean hangUp) throws IOException {
        if (!guard.acquire()) {
            return false;
        }
        try {
            context.submitWrite(identifier, hangUp, data);
            return true;
        } finally {
            guard.release();
        }
    }

    private static void closeAll(int[] fds, boolean[] kept) {
        for (int i = 0; i < fds.length; i++) {
            if (!kept[i]) {
                Fds.close(fds[i]);
            }
        }
    }

    // ---------------------------------------------------------------- receive

    /**
     * {@inheritDoc}
     *
     * <p>Waits for the POLL fence, then reads the channel ring: a RECEIVE brings Wayland bytes and fds, a
     * READ brings data for a guest pipe and is handled here without returning. An empty RECEIVE means
     * the compositor went away: -1, now and from then on. Older hosts never answer then, so the
     * connection simply stays quiet until closed.
     */
    @Override
    public int receive(ByteBuffer dst, FdQueue out) throws IOException {
        if (!dst.hasRemaining()) {
            throw new IllegalArgumentException("no room in the receive buffer: " + dst);
        }
        if (!guard.acquire()) {
            return -1;
        }
        try {
            while (true) {
                if (pending.hasRemaining()) {
                    int n = Math.min(dst.remaining(), pending.remaining());
                    dst.put(dst.position(), pending, pending.position(), n);
                    dst.position(dst.position() + n);
                    pending.position(pending.position() + n);
                    pendingFds.moveTo(out, pendingFds.size());
                    return n;
                }
                if (hostClosed || !context.awaitFence(wake)) {
                    return -1;
                }
                boolean read = readChannelRing();
                if (!hostClosed) {
                    try {
                        fds.awaitRoom(read);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while guest pipes were full");
                    }
                    if (guard.isClosed()) {
                        return -1;
                    }
                    context.lock();
                    try {
                        context.submitPoll();
                    } finally {
                        context.unlock();
                    }
                }
            }
        } finally {
            guard.release();
        }
    }

    /** Handles the ring's message; true if it was a READ. */
    private boolean readChannelRing() throws IOException {
        ByteBuffer ring = context.channelRing();
        int cmd = CrossDomainCodec.command(ring);
        if (cmd == CROSS_DOMAIN_CMD_RECEIVE) {
            CrossDomainCodec.Receive r = codec.decodeReceive(ring);
            if (r.isEndOfStream()) {
                hostClosed = true;
                LOG.debug("virtgpu connection {}: empty RECEIVE, the compositor closed the connection", id);
                return false;
            }
            fds.receive(r, pendingFds);
            pending.clear();
            pending.put(0, ring, r.dataOffset(), r.dataSize());
            pending.limit(r.dataSize());
        } else if (cmd == CROSS_DOMAIN_CMD_READ) {
            CrossDomainCodec.Read read = CrossDomainCodec.decodeRead(ring);
            if (!fds.onRead(read, ring)) {
                LOG.debug("virtgpu connection {}: READ for unknown or ended pipe 0x{}", id, Integer.toHexString(read.identifier()));
            }
            return true;
        } else {
            LOG.warn("virtgpu connection {}: ignoring cross-domain command {} in the channel ring", id, cmd);
        }
        return false;
    }

    // ---------------------------------------------------------------- allocate and bridge

    /**
     * {@inheritDoc}
     *
     * <p>A linear R8 image {@code size} × 1: a HOST3D blob of exactly the size the host asks for, exported
     * as a dma-buf and mapped whole. Its duplicates are what {@link #send} carries.
     */
    @Override
    public HostBuffer allocate(long size) throws IOException {
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("host buffer size must be 1.." + Integer.MAX_VALUE + " bytes, was " + size);
        }
        if (!guard.acquire()) {
            throw new ClosedChannelException();
        }
        try {
            CrossDomainCodec.ImageRequirements req = context.imageRequirements(size);
            VirtGpuDrm drm = context.drm();
            VirtGpuDrm.Blob blob = drm.createBlob(VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
                    req.size(), Integer.toUnsignedLong(req.blobId()));
            int fd;
            try {
                fd = drm.primeHandleToFd(blob.handle());
            } finally {
                drm.gemClose(blob.handle()); // the dma-buf keeps the object; a SEND imports it again
            }
            try {
                long address = drm.mmap(fd, req.size(), 0, "host buffer dma-buf " + fd);
                return new DeviceHostBuffer(drm.device(), "dma-buf", fd, size, address, req.size(), dup -> fds.issueHostBuffer(dup, blob.resId()));
            } catch (LinuxException | RuntimeException e) {
                Fds.close(fd);
                throw e;
            }
        } finally {
            guard.release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>HOST_TO_GUEST (a guest app's write end, e.g. {@code wl_data_offer.receive}) becomes a READ_PIPE
     * when sent. GUEST_TO_HOST cannot be made from the guest side: cross-domain carries only pipes the
     * compositor writes into and those it hands out itself (write pipes, bridged on receive).
     */
    @Override
    public int bridgePipe(int guestFd, PipeDirection direction) throws IOException {
        if (direction == PipeDirection.GUEST_TO_HOST) {
            throw new IOException("virtgpu cannot carry a guest pipe for the host to read from: cross-domain only carries pipes the"
                    + " compositor writes into (READ_PIPE) and pipes it hands out itself (WRITE_PIPE, bridged on receive)");
        }
        return fds.bridgeGuestWriteEnd(guestFd);
    }

    // ---------------------------------------------------------------- closing

    /** Idempotent; wakes a blocked {@link #receive}, which returns -1. Frees everything once no call is in progress. */
    @Override
    public void close() {
        guard.close();
    }

    private void wakeUp() {
        wake.wake();
        fds.closeGuestPipes(); // also wakes a receive waiting for room in a guest pipe
    }

    private void releaseResources() {
        fds.close();
        context.close();
        pendingFds.closeAll(Fds.CLOSER);
        wake.close();
        LOG.debug("virtgpu connection {} closed after {} EXECBUFFERs ({} commands)", id, execbufferCount(), commandCount());
    }

    @Override
    public String toString() {
        return "VirtGpuConnection[" + id + ", " + context + (guard.isClosed() ? ", closed]" : "]");
    }
}
