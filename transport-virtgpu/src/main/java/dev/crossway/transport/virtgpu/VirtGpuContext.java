package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.*;
import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.PollFds;
import dev.crossway.linux.WakePipe;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmEvent;
import dev.crossway.transport.virtgpu.sys.VirtGpuExecbuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cross-domain context with its Wayland channel, on a DRM file of its own (spec A.4): the rings and
 * the submission of commands.
 *
 * <p>Set-up, on a fresh fd: CONTEXT_INIT (capset 5, 2 rings, events for ring 1 only), the query and
 * channel rings (one-page GUEST blobs, mapped), INIT, and the first POLL. Exactly one POLL is ever
 * outstanding: the host writes the channel ring only in answer to it, so the next POLL goes in only
 * after the ring's contents were copied out ({@link #submitPoll}).
 *
 * <p>Threads: submissions from any thread are serialised by {@link #lock()}; {@link #awaitFence} and
 * the channel ring belong to the one receiving thread.
 */
final class VirtGpuContext {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuContext.class);

    /** Guest page size (x86_64); each ring is exactly one page, as the host writes only its first segment. */
    static final int PAGE_SIZE = 4096;
    /** One EXECBUFFER carries at most this many command bytes; longer sends take several. */
    static final int COMMAND_BUFFER_SIZE = 64 * 1024;
    /** How long allocate() waits for the host's image requirements. */
    static final long WAIT_TIMEOUT_MILLIS = 20_000;

    private final VirtGpuDrm drm;
    private final AtomicLong transportExecbuffers;
    private final AtomicLong execbuffers = new AtomicLong();
    private final AtomicLong commandCount = new AtomicLong();

    // Rings: GEM handles kept for the context's life (closing one would detach the ring from the host).
    private int queryHandle;
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

    // The receiving thread's.
    private final PollFds pollFds = new PollFds(2);
    private final Pointer events = Memory.allocateDirect(Native.runtime(), 64, true);

    /** Image requirements by size; the host never frees these items, so ask once per context. */
    private final Map<Long, CrossDomainCodec.ImageRequirements> requirements = new ConcurrentHashMap<>();
    private final Object queryLock = new Object();

    private VirtGpuContext(VirtGpuDrm drm, AtomicLong transportExecbuffers) {
        this.drm = drm;
        this.transportExecbuffers = transportExecbuffers;
    }

    /** Opens {@code path} afresh and sets up the context, rings and channel; closes the file on failure. */
    static VirtGpuContext open(Device device, String path, AtomicLong transportExecbuffers)
            throws IOException {
        VirtGpuDrm drm = VirtGpuDrm.open(device, path);
        VirtGpuContext context = new VirtGpuContext(drm, transportExecbuffers);
        try {
            context.start();
            return context;
        } catch (IOException | RuntimeException e) {
            context.close();
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
        VirtGpuDrm.Blob query = drm.createBlob(VIRTGPU_BLOB_MEM_GUEST, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, PAGE_SIZE, 0);
        queryHandle = query.handle();
        queryAddress = drm.mmap(drm.fd(), PAGE_SIZE, drm.mapOffset(query.handle()), "query ring");
        queryRing = Native.newDirectByteBuffer(queryAddress, PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        VirtGpuDrm.Blob channel = drm.createBlob(VIRTGPU_BLOB_MEM_GUEST, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, PAGE_SIZE, 0);
        channelAddress = drm.mmap(drm.fd(), PAGE_SIZE, drm.mapOffset(channel.handle()), "channel ring");
        channelRing = Native.newDirectByteBuffer(channelAddress, PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        lock();
        try {
            commands.clear();
            CrossDomainCodec.putInit(commands, query.resId(), channel.resId(), CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND);
            commandCount.incrementAndGet();
            execbuffer(0, 0, 0, 0);
            submitPoll();
        } finally {
            unlock();
        }
        LOG.debug("virtgpu context on {} fd {}, rings res {} and {}", drm.path(), drm.fd(), query.resId(), channel.resId());
    }

    VirtGpuDrm drm() {
        return drm;
    }

    /** The channel ring, where the host writes its answer to each POLL. The receiving thread's. */
    ByteBuffer channelRing() {
        return channelRing;
    }

    /** EXECBUFFER submissions of this context so far. */
    long execbufferCount() {
        return execbuffers.get();
    }

    /** Cross-domain commands submitted so far (several can share one EXECBUFFER). */
    long commandCount() {
        return commandCount.get();
    }

    /** Takes the submission lock, which guards {@link #commands()} and keeps read-pipe ids in step with the host. */
    void lock() {
        submitLock.lock();
    }

    void unlock() {
        submitLock.unlock();
    }

    /** The command buffer, for commands written under {@link #lock()}; each counts via {@link #counted()}. */
    ByteBuffer commands() {
        return commands;
    }

    /** Counts one command written into {@link #commands()}. */
    void counted() {
        commandCount.incrementAndGet();
    }

    /** One EXECBUFFER of {@link #commands()} up to its position. Caller holds the lock. */
    void execbuffer(int flags, int ringIdx, long bos, int numBos) throws LinuxException {
        drm.execbuffer(execStruct, commandsAddress, commands.position(), flags, ringIdx, bos, numBos);
        execbuffers.incrementAndGet();
        transportExecbuffers.incrementAndGet();
    }

    /** The next POLL, on the channel ring with its fence event. Caller holds the lock. */
    void submitPoll() throws LinuxException {
        commands.clear();
        CrossDomainCodec.putPoll(commands);
        counted();
        execbuffer(VIRTGPU_EXECBUF_RING_IDX, CROSS_DOMAIN_CHANNEL_RING, 0, 0);
    }

    /** A WRITE for host write pipe {@code identifier}: pipe data and/or the hang-up. */
    void submitWrite(int identifier, boolean hangUp, ByteBuffer data) throws LinuxException {
        lock();
        try {
            commands.clear();
            CrossDomainCodec.putWrite(commands, identifier, hangUp, data, data.remaining());
            counted();
            execbuffer(0, 0, 0, 0);
        } finally {
            unlock();
        }
    }

    /** Blocks until the POLL fence's event arrives (true) or {@code wake} is woken (false). */
    boolean awaitFence(WakePipe wake) throws IOException {
        while (true) {
            pollFds.clear().add(drm.fd(), LibC.POLLIN);
            pollFds.add(wake.fd(), LibC.POLLIN);
            int r = drm.device().poll(pollFds.address(), 2, -1);
            if (r == -LibC.EINTR) {
                continue;
            }
            if (r < 0) {
                throw new LinuxException("poll of " + drm.path(), -r);
            }
            if (pollFds.revents(1) != 0) {
                return false;
            }
            short revents = pollFds.revents(0);
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
                    LOG.debug("virtgpu context on {}: ignoring DRM event type 0x{}", drm.path(), Integer.toHexString(type));
                }
                at += Math.max(length, VirtGpuDrmEvent.SIZEOF);
            }
            if (fence) {
                return true;
            }
        }
    }

    /**
     * What the host needs for a linear R8 image {@code size} × 1 (as wayland-proxy-virtwl asks for shm
     * pools): asked once per size for the context's life.
     */
    CrossDomainCodec.ImageRequirements imageRequirements(long size) throws IOException {
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
            lock();
            try {
                commands.clear();
                CrossDomainCodec.putGetImageRequirements(commands, (int) size, 1, DRM_FORMAT_R8, GBM_BO_USE_LINEAR | GBM_BO_USE_SCANOUT);
                counted();
                // The BO handle gives the submission a fence to wait on (newer kernels make none otherwise).
                boHandles.putInt(0, queryHandle);
                execbuffer(VIRTGPU_EXECBUF_RING_IDX, CROSS_DOMAIN_QUERY_RING, boHandles.address(), 1);
            } finally {
                unlock();
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

    /** Unmaps the rings and closes the DRM file: the kernel destroys the context, and crosvm closes the compositor socket. */
    void close() {
        for (long address : new long[] {queryAddress, channelAddress}) {
            if (address != 0) {
                try {
                    drm.munmap(address, PAGE_SIZE);
                } catch (LinuxException e) {
                    LOG.warn("virtgpu context on {}: ring: {}", drm.path(), e.getMessage());
                }
            }
        }
        drm.close();
    }

    @Override
    public String toString() {
        return drm + ", " + execbuffers.get() + " EXECBUFFERs";
    }
}
