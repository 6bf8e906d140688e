package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.*;
import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import dev.crossway.transport.virtgpu.device.VirtGpuDevice;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmEvent;
import dev.crossway.transport.virtgpu.sys.VirtGpuExecbuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to the host compositor: one DRM file, holding one cross-domain context with
 * its Wayland channel (spec A.4).
 *
 * <p>Set-up, on a fresh fd: CONTEXT_INIT (capset 5, 2 rings, events for ring 1 only), the query and
 * channel rings (one-page GUEST blobs, mapped), INIT, and the first POLL. Exactly one POLL is ever
 * outstanding: the host writes the channel ring only in answer to it, so the next POLL goes in only
 * after the ring's contents were copied out.
 *
 * <p>Threads: one {@link #receive} thread (it owns the channel ring and the event read), any number
 * of senders (EXECBUFFER submissions are serialised by {@link #submitLock}, which also keeps read-pipe
 * ids in step with the host), a {@link VirtGpuPipePump} thread once the compositor hands out a
 * write pipe, and a {@link VirtGpuReadPipes} writer thread once host data for a guest pipe has to wait
 * (the receive thread never blocks on a guest pipe; a full one delays the next POLL only as that class
 * describes). {@link #close()} wakes a blocked receive through a pipe polled beside the DRM fd; the
 * DRM fd itself is closed by whoever leaves last, so no call ever runs on a reused fd number.
 *
 * <p>Ownership: the connection owns the DRM fd, the ring mappings, the guest pipe ends it keeps for
 * READ data, and fds received but not yet handed to the caller.
 */
final class VirtGpuConnection implements HostConnection {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuConnection.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** Guest page size (x86_64); each ring is exactly one page, as the host writes only its first segment. */
    static final int PAGE_SIZE = 4096;
    /** One EXECBUFFER carries at most this many command bytes; longer sends take several. */
    static final int COMMAND_BUFFER_SIZE = 64 * 1024;
    /** How long allocate() waits for the host's image requirements. */
    static final long WAIT_TIMEOUT_MILLIS = 20_000;
    private static final int CLOSED = 1 << 30;
    private static final int READ_ACCESS_MASK = LibC.O_ACCMODE;

    private final int id = IDS.incrementAndGet();
    private final VirtGpuDrm drm;
    private final VirtGpuSettings settings;
    private final Capabilities capabilities;
    private final CrossDomainCodec codec;
    private final AtomicLong transportExecbuffers;
    private final AtomicLong execbuffers = new AtomicLong();
    private final AtomicLong commandCount = new AtomicLong();
    private final AtomicInteger state = new AtomicInteger();

    // Rings: GEM handles kept for the context's life (closing one would detach the ring from the host).
    private int queryHandle;
    private int channelHandle;
    private long queryAddress;
    private long channelAddress;
    private ByteBuffer queryRing;
    private ByteBuffer channelRing;

    // Submission state, guarded by submitLock.
    private final ReentrantLock submitLock = new ReentrantLock();
    private final ByteBuffer commands = CrossDomainCodec.newCommandBuffer(COMMAND_BUFFER_SIZE);
    private final long commandsAddress = Native.address(commands);
    private final Pointer execStruct = Memory.allocateDirect(Native.runtime(), VirtGpuExecbuffer.SIZEOF, true);
    private final Pointer boHandles = Memory.allocateDirect(Native.runtime(), 4, true);
    /** Last read-pipe id the host has seen; the host pre-increments its own counter from the same start. */
    private int readPipeCounter = CROSS_DOMAIN_PIPE_READ_START;

    // Receive state, used by the one receiving thread.
    private final Pointer pollFds = Memory.allocateDirect(Native.runtime(), 16, true);
    private final Pointer events = Memory.allocateDirect(Native.runtime(), 64, true);
    private final ByteBuffer pending = ByteBuffer.allocateDirect(PAGE_SIZE).flip();
    private final FdQueue pendingFds = new FdQueue();
    private boolean hostClosed;

    /** Host read-pipe ids → the guest's write ends (ours now), where READ data goes, without blocking. */
    private final VirtGpuReadPipes readPipes;
    /** Image requirements by size; the host never frees these items, so ask once per context. */
    private final Map<Long, CrossDomainCodec.ImageRequirements> requirements = new ConcurrentHashMap<>();
    private final Object queryLock = new Object();
    private final int[] wake;
    private final VirtGpuPipePump pump;

    private VirtGpuConnection(VirtGpuDrm drm, VirtGpuSettings settings, Capabilities capabilities, AtomicLong transportExecbuffers)
            throws LinuxException {
        this.drm = drm;
        this.settings = settings;
        this.capabilities = capabilities;
        this.codec = new CrossDomainCodec(settings.identifiers());
        this.transportExecbuffers = transportExecbuffers;
        this.wake = Fds.pipe();
        this.pump = new VirtGpuPipePump(this::submitWrite, "crossway-virtgpu-pipes-" + id, settings.pipeIdleTimeoutMillis());
        try {
            this.readPipes = new VirtGpuReadPipes("crossway-virtgpu-read-pipes-" + id, settings.pipeIdleTimeoutMillis());
        } catch (LinuxException e) {
            pump.close();
            Fds.close(wake[0]);
            Fds.close(wake[1]);
            throw e;
        }
    }

    /** Opens {@code path} afresh and sets up the context, rings and channel. */
    static VirtGpuConnection open(VirtGpuDevice device, String path, VirtGpuSettings settings, Capabilities capabilities,
            AtomicLong transportExecbuffers) throws IOException {
        VirtGpuDrm drm = VirtGpuDrm.open(device, path);
        VirtGpuConnection connection;
        try {
            connection = new VirtGpuConnection(drm, settings, capabilities, transportExecbuffers);
        } catch (LinuxException | RuntimeException e) {
            drm.close();
            throw e;
        }
        try {
            connection.start();
            return connection;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void start() throws IOException {
        try {
            drm.contextInit(VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTIO_GPU_CAPSET_CROSS_DOMAIN,
                    VIRTGPU_CONTEXT_PARAM_NUM_RINGS, CROSS_DOMAIN_NUM_RINGS,
                    VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK, 1L << CROSS_DOMAIN_CHANNEL_RING);
        } catch (LinuxException e) {
            throw new LinuxException("DRM_IOCTL_VIRTGPU_CONTEXT_INIT on " + drm.path(), e.errno(), e.errno() == LibC.EEXIST
                    ? "the DRM file already had a context: CONTEXT_INIT must come first on a fresh fd"
                    : "kernel < 5.16 or the VMM lacks context-init / cross-domain (" + VirtGpu.CROSVM_FLAGS + ")");
        }
        // Query ring first, then channel ring, as Sommelier does.
        DrmRing query = newRing("query ring");
        queryHandle = query.handle;
        queryAddress = query.address;
        queryRing = Native.newDirectByteBuffer(queryAddress, PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        DrmRing channel = newRing("channel ring");
        channelHandle = channel.handle;
        channelAddress = channel.address;
        channelRing = Native.newDirectByteBuffer(channelAddress, PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        submitLock.lock();
        try {
            commands.clear();
            CrossDomainCodec.putInit(commands, query.resId, channel.resId, CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND);
            commandCount.incrementAndGet();
            execbufferLocked(0, 0, 0, 0);
            submitPollLocked();
        } finally {
            submitLock.unlock();
        }
        LOG.debug("virtgpu connection {}: context on {} fd {}, rings res {} and {}", id, drm.path(), drm.fd(), query.resId, channel.resId);
    }

    private record DrmRing(int handle, int resId, long address) {
    }

    private DrmRing newRing(String what) throws LinuxException {
        VirtGpuDrm.Blob blob = drm.createBlob(VIRTGPU_BLOB_MEM_GUEST, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, PAGE_SIZE, 0);
        long address = drm.mmap(drm.fd(), PAGE_SIZE, drm.mapOffset(blob.handle()), what);
        return new DrmRing(blob.handle(), blob.resId(), address);
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** EXECBUFFER submissions of this connection so far (for stats and benchmarks). */
    long execbufferCount() {
        return execbuffers.get();
    }

    /** Cross-domain commands submitted so far (several can share one EXECBUFFER). */
    long commandCount() {
        return commandCount.get();
    }

    /** Bytes of host data queued for guest pipes whose readers have not taken them yet (for tests). */
    long queuedForGuestPipes() {
        return readPipes.queued();
    }

    /** Guest pipes currently bridged for host data (for tests). */
    int guestReadPipes() {
        return readPipes.size();
    }

    @Override
    public java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
        counters.put("cross-domain commands", commandCount());
        counters.put("execbuffers", execbufferCount());
        return counters;
    }

    // ---------------------------------------------------------------- send

    /**
     * {@inheritDoc}
     *
     * <p>Each fd becomes an identifier: a dma-buf of this device as its resource id (imported, then its
     * handle closed after the submission), a pipe write end as a READ_PIPE (the host makes a pipe for
     * the compositor, and READ messages bring its data back here). The bytes go as SEND commands of at
     * most 3744 bytes and {@code identifiers} ids, one READ_PIPE each at most, coalesced into as few
     * EXECBUFFERs as fit {@link #COMMAND_BUFFER_SIZE}.
     */
    @Override
    public void send(ByteBuffer src, FdQueue fds) throws IOException {
        int n = fds.size();
        int[] owned = new int[n];
        for (int i = 0; i < n; i++) {
            owned[i] = fds.take();
        }
        boolean[] kept = new boolean[n];
        if (!acquire()) {
            closeAll(owned, kept);
            throw new ClosedChannelException();
        }
        int[] ids = new int[n];
        int[] types = new int[n];
        int[] handles = new int[n];
        int handleCount = 0;
        try {
            for (int i = 0; i < n; i++) {
                int handle = identify(owned[i], ids, types, i);
                if (handle != 0) {
                    handles[handleCount++] = handle;
                }
            }
            if (!src.hasRemaining() && n == 0) {
                return;
            }
            submitLock.lock();
            try {
                sendLocked(src, owned, ids, types, kept);
            } finally {
                submitLock.unlock();
            }
        } finally {
            closeHandles(handles, handleCount);
            closeAll(owned, kept);
            release();
        }
    }

    /** Fills in type (and, for blobs, id) of fd {@code i}; returns the GEM handle imported for it, or 0. */
    private int identify(int fd, int[] ids, int[] types, int i) throws IOException {
        Fds.Stat stat;
        try {
            stat = Fds.stat(fd);
        } catch (LinuxException e) {
            throw new IOException("fd " + fd + " cannot be sent to the host: " + e.getMessage(), e);
        }
        if (stat.isFifo()) {
            if ((Fds.statusFlags(fd) & READ_ACCESS_MASK) == LibC.O_RDONLY) {
                throw new IOException("fd " + fd + " is the read end of a pipe, which cannot cross to the host over virtio-gpu:"
                        + " cross-domain carries only pipe write ends from the guest (the compositor writes, as for wl_data_offer.receive)");
            }
            types[i] = CROSS_DOMAIN_ID_TYPE_READ_PIPE; // the id is chosen at submission, in step with the host
            return 0;
        }
        int handle;
        try {
            handle = drm.primeFdToHandle(fd);
        } catch (LinuxException e) {
            throw new IOException("fd " + fd + " (" + stat.kind() + ") cannot cross to the host over virtio-gpu: it is not a dma-buf of"
                    + " this device (" + e.getMessage() + "). Only such dma-bufs (e.g. HostBuffers from allocate()) and pipe write"
                    + " ends can; copy shared memory into a HostBuffer instead", e);
        }
        try {
            ids[i] = drm.resourceId(handle);
        } catch (LinuxException e) {
            closeHandles(new int[] {handle}, 1);
            throw e;
        }
        types[i] = CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB;
        return handle;
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
        int counter = readPipeCounter;
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
                counter = flushSends(owned, ids, types, kept, batchStart, first, counter);
                batchStart = first;
            }
            codec.putSend(commands, ids, types, first, fdIndex - first, src, dataLength);
            commandCount.incrementAndGet();
        }
        flushSends(owned, ids, types, kept, batchStart, n, counter);
    }

    /**
     * Submits the SENDs in {@link #commands}, covering fds {@code from..to}. Read pipes among them are
     * registered before the submission (the host may answer fast) and forgotten if it fails, and only
     * then does the read-pipe counter advance: a SEND that was never queued must not move it.
     */
    private int flushSends(int[] owned, int[] ids, int[] types, boolean[] kept, int from, int to, int counter) throws IOException {
        for (int i = from; i < to; i++) {
            if (types[i] == CROSS_DOMAIN_ID_TYPE_READ_PIPE) {
                kept[i] = readPipes.add(ids[i], owned[i]);
            }
        }
        try {
            execbufferLocked(0, 0, 0, 0);
        } catch (IOException e) {
            for (int i = from; i < to; i++) {
                if (types[i] == CROSS_DOMAIN_ID_TYPE_READ_PIPE && kept[i] && readPipes.forget(ids[i])) {
                    kept[i] = false;
                }
            }
            throw e;
        }
        readPipeCounter = counter;
        commands.clear();
        return counter;
    }

    /** A WRITE for host write pipe {@code identifier}, from the pump thread. False once closed. */
    private boolean submitWrite(int identifier, boolean hangUp, ByteBuffer data) throws IOException {
        if (!acquire()) {
            return false;
        }
        try {
            submitLock.lock();
            try {
                commands.clear();
                CrossDomainCodec.putWrite(commands, identifier, hangUp, data, data.remaining());
                commandCount.incrementAndGet();
                execbufferLocked(0, 0, 0, 0);
            } finally {
                submitLock.unlock();
            }
            return true;
        } finally {
            release();
        }
    }

    private void submitPollLocked() throws LinuxException {
        commands.clear();
        CrossDomainCodec.putPoll(commands);
        commandCount.incrementAndGet();
        execbufferLocked(VIRTGPU_EXECBUF_RING_IDX, CROSS_DOMAIN_CHANNEL_RING, 0, 0);
    }

    /** One EXECBUFFER of {@link #commands} up to its position. Caller holds {@link #submitLock}. */
    private void execbufferLocked(int flags, int ringIdx, long bos, int numBos) throws LinuxException {
        drm.execbuffer(execStruct, commandsAddress, commands.position(), flags, ringIdx, bos, numBos);
        execbuffers.incrementAndGet();
        transportExecbuffers.incrementAndGet();
    }

    private void closeHandles(int[] handles, int count) {
        for (int i = 0; i < count; i++) {
            boolean seen = false;
            for (int j = 0; j < i; j++) {
                seen |= handles[j] == handles[i]; // two fds of one dma-buf share a handle: close it once
            }
            if (seen) {
                continue;
            }
            try {
                drm.gemClose(handles[i]);
            } catch (LinuxException e) {
                LOG.warn("virtgpu connection {}: {}", id, e.getMessage());
            }
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
     * <p>Waits for the POLL fence, then reads the channel ring: a RECEIVE brings Wayland bytes and fds
     * (host blobs become dma-buf fds, write pipes become local pipes whose write end the client gets), a
     * READ brings data for a guest pipe and is handled here without returning. An empty RECEIVE means
     * the compositor went away: -1, now and from then on. Older hosts never answer then, so the
     * connection simply stays quiet until closed.
     */
    @Override
    public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
        if (!dst.hasRemaining()) {
            throw new IllegalArgumentException("no room in the receive buffer: " + dst);
        }
        if (!acquire()) {
            return -1;
        }
        try {
            while (true) {
                if (pending.hasRemaining()) {
                    int n = Math.min(dst.remaining(), pending.remaining());
                    dst.put(dst.position(), pending, pending.position(), n);
                    dst.position(dst.position() + n);
                    pending.position(pending.position() + n);
                    pendingFds.moveTo(fds, pendingFds.size());
                    return n;
                }
                if (hostClosed || !awaitFence()) {
                    return -1;
                }
                boolean read = readChannelRing();
                if (!hostClosed) {
                    try {
                        readPipes.awaitRoom(read);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while guest pipes were full");
                    }
                    if (isClosed()) {
                        return -1;
                    }
                    submitLock.lock();
                    try {
                        submitPollLocked();
                    } finally {
                        submitLock.unlock();
                    }
                }
            }
        } finally {
            release();
        }
    }

    /** Blocks until the POLL fence's event arrives (true) or the connection is closed (false). */
    private boolean awaitFence() throws IOException {
        while (true) {
            pollFds.putInt(0, drm.fd());
            pollFds.putShort(4, LibC.POLLIN);
            pollFds.putShort(6, (short) 0);
            pollFds.putInt(8, wake[0]);
            pollFds.putShort(12, LibC.POLLIN);
            pollFds.putShort(14, (short) 0);
            int r = drm.device().poll(pollFds.address(), 2, -1);
            if (r == -LibC.EINTR) {
                continue;
            }
            if (r < 0) {
                throw new LinuxException("poll of " + drm.path(), -r);
            }
            if (pollFds.getShort(14) != 0 || isClosed()) {
                return false;
            }
            short revents = pollFds.getShort(6);
            if ((revents & (LibC.POLLERR | LibC.POLLHUP)) != 0 && (revents & LibC.POLLIN) == 0) {
                throw new IOException("poll of " + drm.path() + " reports " + ((revents & LibC.POLLERR) != 0 ? "POLLERR" : "POLLHUP")
                        + ": the DRM file is unusable");
            }
            if ((revents & LibC.POLLIN) == 0) {
                continue;
            }
            // Whole events only; a buffer of at least 8 bytes never reads 0 on a live fd.
            int n = drm.readEvents(events.address(), 64);
            boolean fence = false;
            for (int at = 0; at + VirtGpuDrmEvent.SIZEOF <= n; ) {
                int type = events.getInt(at + VirtGpuDrmEvent.TYPE);
                int length = events.getInt(at + VirtGpuDrmEvent.LENGTH);
                fence |= type == VIRTGPU_EVENT_FENCE_SIGNALED;
                if (type != VIRTGPU_EVENT_FENCE_SIGNALED) {
                    LOG.debug("virtgpu connection {}: ignoring DRM event type 0x{}", id, Integer.toHexString(type));
                }
                at += Math.max(length, VirtGpuDrmEvent.SIZEOF);
            }
            if (fence) {
                return true;
            }
        }
    }

    /** Handles the ring's message; true if it was a READ. */
    private boolean readChannelRing() throws IOException {
        int cmd = CrossDomainCodec.command(channelRing);
        if (cmd == CROSS_DOMAIN_CMD_RECEIVE) {
            onReceive(codec.decodeReceive(channelRing));
        } else if (cmd == CROSS_DOMAIN_CMD_READ) {
            onRead(CrossDomainCodec.decodeRead(channelRing));
            return true;
        } else {
            LOG.warn("virtgpu connection {}: ignoring cross-domain command {} in the channel ring", id, cmd);
        }
        return false;
    }

    private void onReceive(CrossDomainCodec.Receive r) throws IOException {
        if (r.isEndOfStream()) {
            hostClosed = true;
            LOG.debug("virtgpu connection {}: empty RECEIVE, the compositor closed the connection", id);
            return;
        }
        FdQueue made = new FdQueue();
        try {
            for (int i = 0; i < r.identifiers().length; i++) {
                int type = r.types()[i];
                boolean mislabelledPipe = type == CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB && r.sizes()[i] == 0 && settings.writePipeQuirk();
                if (type == CROSS_DOMAIN_ID_TYPE_WRITE_PIPE || mislabelledPipe) {
                    made.add(newWritePipe(r.identifiers()[i]));
                } else if (type == CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB) {
                    made.add(importHostBlob(r.identifiers()[i], Integer.toUnsignedLong(r.sizes()[i])));
                } else {
                    throw new IOException("cross-domain RECEIVE identifier " + i + " has type " + type
                            + "; a Wayland channel carries only blobs (1) and write pipes (4)");
                }
            }
        } catch (IOException | RuntimeException e) {
            made.closeAll(Fds.CLOSER);
            throw e;
        }
        pending.clear();
        pending.put(0, channelRing, r.dataOffset(), r.dataSize());
        pending.limit(r.dataSize());
        made.moveTo(pendingFds, made.size());
    }

    /** A host item (keymap, format table, dma-buf) as a dma-buf fd: HOST3D blob, export, drop the handle. */
    private int importHostBlob(int itemId, long size) throws LinuxException {
        VirtGpuDrm.Blob blob = drm.createBlob(VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
                size, Integer.toUnsignedLong(itemId));
        try {
            return drm.primeHandleToFd(blob.handle());
        } finally {
            drm.gemClose(blob.handle()); // the dma-buf keeps the object alive
        }
    }

    /** A local pipe for a host write pipe: the client gets the write end, the pump relays the read end. */
    private int newWritePipe(int identifier) throws LinuxException {
        int[] ends = Fds.pipe();
        pump.add(identifier, ends[0]);
        return ends[1];
    }

    /** Hands READ data to the guest pipe without blocking (see {@link VirtGpuReadPipes} for the bound). */
    private void onRead(CrossDomainCodec.Read read) {
        if (!readPipes.onRead(read.identifier(), channelRing.slice(read.dataOffset(), read.dataSize()), read.hangUp())) {
            LOG.debug("virtgpu connection {}: READ for unknown or ended pipe 0x{}", id, Integer.toHexString(read.identifier()));
        }
    }

    // ---------------------------------------------------------------- allocate

    /**
     * {@inheritDoc}
     *
     * <p>A linear R8 image {@code size} × 1 (as wayland-proxy-virtwl does for shm pools): the host's
     * requirements are asked once per size for the context's life, then a HOST3D blob of exactly the
     * reported size is created, exported as a dma-buf and mapped whole.
     */
    @Override
    public HostBuffer allocate(long size) throws IOException {
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("host buffer size must be 1.." + Integer.MAX_VALUE + " bytes, was " + size);
        }
        if (!acquire()) {
            throw new ClosedChannelException();
        }
        try {
            CrossDomainCodec.ImageRequirements req = imageRequirements(size);
            VirtGpuDrm.Blob blob = drm.createBlob(VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
                    req.size(), Integer.toUnsignedLong(req.blobId()));
            int fd;
            try {
                fd = drm.primeHandleToFd(blob.handle());
            } finally {
                drm.gemClose(blob.handle());
            }
            try {
                long address = drm.mmap(fd, req.size(), 0, "host buffer dma-buf " + fd);
                return new VirtGpuHostBuffer(drm, fd, size, address, req.size());
            } catch (LinuxException | RuntimeException e) {
                Fds.close(fd);
                throw e;
            }
        } finally {
            release();
        }
    }

    private CrossDomainCodec.ImageRequirements imageRequirements(long size) throws IOException {
        CrossDomainCodec.ImageRequirements req = requirements.get(size);
        if (req != null) {
            return req;
        }
        synchronized (queryLock) {
            req = requirements.get(size);
            if (req != null) {
                return req;
            }
            // Clear the reply slot, so a host that failed to answer is seen as such rather than as a stale reply.
            for (int i = 0; i < 64; i += 8) {
                queryRing.putLong(i, 0);
            }
            submitLock.lock();
            try {
                commands.clear();
                CrossDomainCodec.putGetImageRequirements(commands, (int) size, 1, DRM_FORMAT_R8, GBM_BO_USE_LINEAR | GBM_BO_USE_SCANOUT);
                commandCount.incrementAndGet();
                // The BO handle gives the submission a fence to wait on (newer kernels make none otherwise).
                boHandles.putInt(0, queryHandle);
                execbufferLocked(VIRTGPU_EXECBUF_RING_IDX, CROSS_DOMAIN_QUERY_RING, boHandles.address(), 1);
            } finally {
                submitLock.unlock();
            }
            drm.waitIdle(queryHandle, WAIT_TIMEOUT_MILLIS);
            req = CrossDomainCodec.decodeImageRequirements(queryRing);
            if (req.size() < size) {
                throw new IOException("the host answered GET_IMAGE_REQUIREMENTS for " + size + " bytes (R8, " + size + "x1) with size "
                        + req.size() + ": its gralloc cannot make a linear buffer that large, or the host rejected the query");
            }
            requirements.put(size, req);
            return req;
        }
    }

    // ---------------------------------------------------------------- pipes

    /**
     * {@inheritDoc}
     *
     * <p>HOST_TO_GUEST (the guest gave a pipe write end, e.g. {@code wl_data_offer.receive}): {@link #send}
     * turns it into a READ_PIPE, so a duplicate is all the bridge there is. GUEST_TO_HOST cannot be made
     * from the guest side: the compositor offers such pipes itself (a write pipe in a RECEIVE), which
     * {@link #receive} bridges.
     */
    @Override
    public int bridgePipe(int guestFd, PipeDirection direction) throws IOException {
        if (direction == PipeDirection.GUEST_TO_HOST) {
            throw new IOException("virtgpu cannot carry a guest pipe for the host to read from: cross-domain only carries pipes the"
                    + " compositor writes into (READ_PIPE) and pipes it hands out itself (WRITE_PIPE, bridged on receive)");
        }
        if (!Fds.isFifo(guestFd)) {
            throw new IOException("fd " + guestFd + " is a " + Fds.stat(guestFd).kind() + ", not a pipe");
        }
        return Fds.dup(guestFd);
    }

    // ---------------------------------------------------------------- closing

    private boolean acquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    private void release() {
        if (state.decrementAndGet() == CLOSED) {
            releaseResources();
        }
    }

    private boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Idempotent; wakes a blocked {@link #receive}, which returns -1. Frees everything once no call is in progress. */
    @Override
    public void close() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, (s | CLOSED) + 1));
        try {
            Fds.write(wake[1], ByteBuffer.allocateDirect(1));
        } catch (LinuxException e) {
            LOG.debug("virtgpu connection {}: wake-up: {}", id, e.getMessage());
        }
        readPipes.close(); // also wakes a receive waiting for room in a guest pipe
        release();
    }

    private void releaseResources() {
        pump.close();
        for (long address : new long[] {queryAddress, channelAddress}) {
            if (address != 0) {
                try {
                    drm.munmap(address, PAGE_SIZE);
                } catch (LinuxException e) {
                    LOG.warn("virtgpu connection {}: ring: {}", id, e.getMessage());
                }
            }
        }
        // Closing the DRM file destroys the context (and its ring handles); crosvm closes the compositor socket.
        drm.close();
        readPipes.close();
        pendingFds.closeAll(Fds.CLOSER);
        Fds.close(wake[0]);
        Fds.close(wake[1]);
        LOG.debug("virtgpu connection {} closed after {} EXECBUFFERs ({} commands)", id, execbuffers.get(), commandCount.get());
    }

    @Override
    public String toString() {
        return "VirtGpuConnection[" + id + ", " + drm + ", " + execbuffers.get() + " EXECBUFFERs" + (isClosed() ? ", closed]" : "]");
    }
}
