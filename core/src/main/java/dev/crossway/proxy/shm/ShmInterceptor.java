package dev.crossway.proxy.shm;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.proxy.Direction;
import dev.crossway.proxy.GuestMemory;
import dev.crossway.proxy.Interceptor;
import dev.crossway.proxy.Kernel;
import dev.crossway.proxy.ObjectTable;
import dev.crossway.proxy.ProtocolError;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionStats;
import dev.crossway.spi.HostBuffer;
import dev.crossway.wire.Fixed;
import dev.crossway.wire.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors guest shm into host memory when the host cannot see guest memory
 * ({@code Capabilities.guestMemoryVisibleToHost() == false}).
 *
 * <p><b>Host buffers belong to the surface.</b> A client's {@code wl_shm_pool}s and their
 * {@code wl_buffer}s never reach the host: Crossway keeps them ({@link Session#consume}) and reads their
 * pixels through {@link GuestMemory}, which no client can make fault. Each {@code wl_surface} that shows
 * an shm buffer gets a small queue of host buffers of Crossway's own ({@link HostShmBuffer}: host memory
 * from the transport, and a host {@code wl_shm_pool} and {@code wl_buffer} made by Crossway, so the
 * session translates object ids). Host memory thus follows what surfaces show, not what clients pool:
 * a 512 MiB pool costs nothing until a buffer from it is committed, and then only that buffer's size.
 *
 * <p><b>Copies are what the host lacks.</b> Each commit's damage (surface damage converted with scale,
 * transform and viewport; buffer damage as is) is added to what every host buffer of the surface is
 * missing. The commit takes a free host buffer of the right size and format (the one missing least),
 * or makes one, copies what it misses from the committed client buffer, and attaches it instead. So a
 * client buffer seen for the first time costs only what the chosen host buffer lacks, whatever the
 * client does with its buffers (rotates two or three, makes a new one or a new pool every frame).
 * A host buffer is busy from that commit until the host's {@code wl_buffer.release}, which is
 * consumed. A commit without a new attach but with damage is a new copy of the same client buffer.
 *
 * <p><b>Early release.</b> Once a commit has copied a client buffer, Crossway sends the client its
 * {@code wl_buffer.release} itself, unless another surface has it attached and not yet committed; the
 * host never reads the client's memory, so the client may draw into it at once. This holds for
 * subsurfaces in sync mode too (the copy is taken at their commit, which is when the client hands the
 * content over) and for cursor surfaces.
 *
 * <p><b>Other uses of a client shm buffer.</b> {@code xdg_toplevel_icon_v1.add_buffer} (when the schema
 * has it) gets a host copy of its own, held until the icon is destroyed: the protocol forbids changing
 * the buffer after that request. Any other request that names a client shm buffer cannot be served, and
 * the session's id translation refuses it with a protocol error that says so.
 *
 * <p><b>Limits</b> ({@link ShmLimits}): host memory per client and for the daemon, and pools per client;
 * a client's pools are mapped into the daemon only up to its host-memory bound (a mapping lets the pages
 * read count in the daemon's memory, and a sparse pool would fill up), the rest are read without one;
 * each one exceeded, and host memory the transport cannot give, ends the client with a
 * {@code wl_display.error} naming the limit and the setting that raises it. Each pool and host buffer
 * holds an fd, counted in the client's {@link dev.crossway.proxy.HeldFds}. A pool whose file shrank
 * ends the client with {@code wl_shm.error(invalid_fd)}, as libwayland-server does.
 *
 * <p>Also: {@code wl_shm.format}s Crossway cannot copy ({@link ShmFormats}) are hidden, and
 * {@code wl_keyboard.keymap} fds (and an input method's grab keymap) are copied, read as safely as client pools (a
 * file shorter than its stated size, or a keymap over 16 MiB, ends the client with an error naming the host's
 * fault), into sealed guest memfds, so a client can map them
 * privately whatever the compositor sent.
 *
 * <p>Threading: pools, buffers and surfaces belong to the request relay thread; keymaps, formats and
 * host releases to the event thread. {@link #close()} runs after both have ended and frees everything.
 */
public final class ShmInterceptor implements Interceptor, AutoCloseable, SessionStats.Contributor {
    private static final Logger LOG = LoggerFactory.getLogger(ShmInterceptor.class);

    // wl_shm.error codes from wayland.xml.
    static final int WL_SHM_ERROR_INVALID_FORMAT = 0;
    static final int WL_SHM_ERROR_INVALID_STRIDE = 1;
    static final int WL_SHM_ERROR_INVALID_FD = 2;
    /** The largest keymap Crossway copies (real ones take tens of KiB); a compositor that names more breaks the protocol. */
    static final long MAX_KEYMAP_BYTES = 16L << 20;
    /** Free host buffers a surface keeps for later commits, besides the one it takes. */
    static final int SPARE_HOST_BUFFERS = 1;

    private final Session session;
    private final Kernel kernel;
    private final ShmLimits limits;
    private final MessageSpec createPool;
    private final MessageSpec createBuffer;
    private final MessageSpec poolDestroy;
    private final MessageSpec bufferDestroy;
    private final MessageSpec attach;
    private final MessageSpec bufferRelease;

    // Request thread.
    private final Map<Integer, ShmPool> pools = new HashMap<>();
    private final Map<Integer, ShmBuffer> buffers = new HashMap<>();
    private final Map<Integer, Integer> viewportSurfaces = new HashMap<>();
    /** Host copies given to {@code xdg_toplevel_icon_v1}s, by icon id. */
    private final Map<Integer, List<HostShmBuffer>> iconCopies = new HashMap<>();
    private final Region damage = new Region();
    private final Message attachRequest = Message.reusable();
    private int openPools;
    private long hostBytes;
    /** Bytes of this client's pools mapped into the daemon: bounded like host memory, the rest is read with pread. */
    private long mappedBytes;
    // Read by tests and the summary too.
    private final Map<Integer, ShmSurface> surfaces = new ConcurrentHashMap<>();
    /** Host buffers by own id, for the host's releases (event thread). Guarded by itself. */
    private HostShmBuffer[] byOwnId = new HostShmBuffer[16];
    private final AtomicInteger liveHostBuffers = new AtomicInteger();
    private final AtomicLong liveHostBytes = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong bytesCopied = new AtomicLong();
    private final AtomicLong bytesDamaged = new AtomicLong();
    private final AtomicLong earlyReleases = new AtomicLong();
    private final AtomicLong keymapsCopied = new AtomicLong();
    private boolean closed;

    public ShmInterceptor(Session session, ShmLimits limits) {
        this.session = session;
        this.kernel = session.kernel();
        this.limits = limits;
        var schema = session.schema();
        this.createPool = schema.require("wl_shm").message(true, "create_pool");
        this.createBuffer = schema.require("wl_shm_pool").message(true, "create_buffer");
        this.poolDestroy = schema.require("wl_shm_pool").message(true, "destroy");
        this.bufferDestroy = schema.require("wl_buffer").message(true, "destroy");
        this.attach = schema.require("wl_surface").message(true, "attach");
        this.bufferRelease = schema.require("wl_buffer").message(false, "release");
    }

    @Override
    public boolean createsHostObjects() {
        return true;
    }

    @Override
    public List<Hook> hooks() {
        return List.of(
                Hook.request("wl_shm", "create_pool"),
                Hook.request("wl_shm_pool", "create_buffer"),
                Hook.request("wl_shm_pool", "resize"),
                Hook.request("wl_shm_pool", "destroy"),
                Hook.request("wl_buffer", "destroy"),
                Hook.request("wl_surface", "attach"),
                Hook.request("wl_surface", "damage"),
                Hook.request("wl_surface", "damage_buffer"),
                Hook.request("wl_surface", "set_buffer_scale"),
                Hook.request("wl_surface", "set_buffer_transform"),
                Hook.request("wl_surface", "commit"),
                Hook.request("wl_surface", "destroy"),
                Hook.request("wp_viewporter", "get_viewport"),
                Hook.request("wp_viewport", "set_source"),
                Hook.request("wp_viewport", "set_destination"),
                Hook.request("wp_viewport", "destroy"),
                Hook.request("xdg_toplevel_icon_v1", "add_buffer"),
                Hook.request("xdg_toplevel_icon_v1", "destroy"),
                Hook.event("wl_shm", "format"),
                Hook.event("wl_keyboard", "keymap"),
                Hook.event("zwp_input_method_keyboard_grab_v2", "keymap"),
                Hook.event("wl_buffer", "release"));
    }

    @Override
    public void intercept(Chain chain) throws ProtocolError {
        Message m = chain.message();
        String iface = m.spec().owner().name();
        String name = m.spec().name();
        switch (iface) {
            case "wl_shm" -> {
                if (name.equals("create_pool")) {
                    createPool(m);
                } else if (!name.equals("format") || ShmFormats.bytesPerPixel(m.intArg(0)) > 0) {
                    chain.proceed(m);
                }
            }
            case "wl_shm_pool" -> pool(chain, m, name);
            case "wl_buffer" -> {
                if (name.equals("release")) {
                    hostRelease(chain, m);
                } else {
                    destroyBuffer(chain, m);
                }
            }
            case "wl_surface" -> surface(chain, m, name);
            case "wp_viewporter", "wp_viewport" -> viewport(chain, m, name);
            case "xdg_toplevel_icon_v1" -> icon(chain, m, name);
            case "wl_keyboard", "zwp_input_method_keyboard_grab_v2" -> keymap(chain, m);
            default -> chain.proceed(m);
        }
    }

    // ---- pools and buffers: kept in the guest ----

    private void createPool(Message m) throws ProtocolError {
        int poolId = m.intArg(0);
        int fdIndex = m.indexOf("fd");
        int fd = m.intArg(fdIndex);
        int size = m.intArg(2);
        m.set(fdIndex, -1); // the fd is ours from here, whatever happens
        try {
            // First, so that a new id already in use is refused before it could replace a pool of ours.
            session.consume(m);
        } catch (ProtocolError e) {
            kernel.close(fd);
            throw e;
        }
        if (size <= 0) {
            kernel.close(fd);
            throw new ProtocolError(m.objectId(), WL_SHM_ERROR_INVALID_STRIDE, "invalid size (" + size + ")");
        }
        if (openPools >= limits.poolsPerClient()) {
            kernel.close(fd);
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway's limit of " + limits.poolsPerClient()
                    + " wl_shm_pools per client is reached (each holds an fd in the daemon); destroy pools no longer used,"
                    + " or raise crossway.limits.pools-per-client (--pools-per-client)");
        }
        try {
            session.heldFds().take(1, "a wl_shm_pool");
        } catch (ProtocolError e) {
            kernel.close(fd);
            throw e;
        }
        GuestMemory memory;
        try {
            memory = kernel.openGuestMemory(fd, size, mappedBytes + size <= limits.hostMemoryPerClient());
        } catch (IOException e) {
            session.heldFds().give(1);
            throw new ProtocolError(m.objectId(), WL_SHM_ERROR_INVALID_FD, "failed mmap fd " + fd + ": " + e.getMessage());
        }
        pools.put(poolId, new ShmPool(poolId, m.objectId(), memory));
        openPools++;
        mappedBytes += memory.mappedBytes();
    }

    private void pool(Chain chain, Message m, String name) throws ProtocolError {
        ShmPool pool = pools.get(m.objectId());
        if (pool == null) {
            chain.proceed(m); // cannot happen: every pool is ours
            return;
        }
        switch (name) {
            case "create_buffer" -> {
                createBuffer(pool, m);
                return;
            }
            case "resize" -> resize(pool, m.intArg(0));
            case "destroy" -> {
                pools.remove(pool.id);
                if (pool.destroy()) {
                    closed(pool);
                }
            }
            default -> {
            }
        }
        session.consume(m);
    }

    private void createBuffer(ShmPool pool, Message m) throws ProtocolError {
        int id = m.intArg(0);
        int offset = m.intArg(1);
        int width = m.intArg(2);
        int height = m.intArg(3);
        int stride = m.intArg(4);
        int format = m.intArg(5);
        int bpp = ShmFormats.bytesPerPixel(format);
        if (bpp == 0) {
            throw new ProtocolError(pool.id, WL_SHM_ERROR_INVALID_FORMAT, "invalid format 0x" + Integer.toHexString(format));
        }
        // libwayland-server's checks, plus a stride that fits the pixels (Crossway copies by rows).
        if (offset < 0 || width <= 0 || height <= 0 || stride < width || (long) width * bpp > stride
                || (long) offset + (long) stride * height > pool.memory.size()) {
            throw new ProtocolError(pool.id, WL_SHM_ERROR_INVALID_STRIDE,
                    "invalid width, height or stride (" + width + "x" + height + ", " + stride + ")");
        }
        session.consume(m); // before the buffer is ours: a new id already in use must not replace one of ours
        buffers.put(id, new ShmBuffer(id, pool, offset, width, height, stride, format, bpp));
    }

    private void resize(ShmPool pool, int size) throws ProtocolError {
        if (size < pool.memory.size()) {
            throw new ProtocolError(pool.id, WL_SHM_ERROR_INVALID_FD, "shrinking pool invalid");
        }
        long mapped = pool.memory.mappedBytes();
        try {
            pool.memory.resize(size, mappedBytes - mapped + size <= limits.hostMemoryPerClient());
        } catch (IOException e) {
            throw new ProtocolError(pool.id, WL_SHM_ERROR_INVALID_FD, "failed mremap: " + e.getMessage());
        }
        mappedBytes += pool.memory.mappedBytes() - mapped;
    }

    /** A pool's memory was released (the pool and its last buffer are gone). */
    private void closed(ShmPool pool) {
        openPools--;
        session.heldFds().give(1);
        mappedBytes -= pool.mapped;
    }

    private void destroyBuffer(Chain chain, Message m) throws ProtocolError {
        ShmBuffer b = buffers.remove(m.objectId());
        if (b == null) {
            chain.proceed(m); // not shm: the host's
            return;
        }
        b.destroyed = true;
        if (b.pool.bufferGone()) {
            closed(b.pool);
        }
        session.consume(m);
    }

    // ---- surfaces ----

    private void surface(Chain chain, Message m, String name) throws ProtocolError {
        int id = m.objectId();
        if (name.equals("destroy")) {
            ShmSurface s = surfaces.remove(id);
            if (s != null) {
                if (s.attachPending && s.pendingBuffer != null) {
                    s.pendingBuffer.pendingOn--;
                }
                for (HostShmBuffer hb : s.hostBuffers) {
                    destroyHostBuffer(hb);
                }
                s.hostBuffers.clear();
            }
            chain.proceed(m);
            return;
        }
        ShmSurface s = surfaces.computeIfAbsent(id, ShmSurface::new);
        switch (name) {
            case "attach" -> {
                if (s.attachPending && s.pendingBuffer != null) {
                    s.pendingBuffer.pendingOn--;
                }
                ShmBuffer b = buffers.get(m.intArg(0));
                s.attachPending = true;
                s.pendingBuffer = b;
                s.pendingX = m.intArg(1);
                s.pendingY = m.intArg(2);
                if (b != null) {
                    b.pendingOn++;
                    b.released = false;
                    return; // the commit attaches a host buffer instead
                }
            }
            case "damage" -> s.pendingSurfaceDamage.add(m.intArg(0), m.intArg(1), m.intArg(2), m.intArg(3));
            case "damage_buffer" -> s.pendingBufferDamage.add(m.intArg(0), m.intArg(1), m.intArg(2), m.intArg(3));
            case "set_buffer_scale" -> {
                if (m.intArg(0) >= 1) {
                    s.pendingScale = m.intArg(0); // an invalid one is the host's to refuse
                }
            }
            case "set_buffer_transform" -> {
                if (m.intArg(0) >= 0 && m.intArg(0) <= 7) {
                    s.pendingTransform = m.intArg(0);
                }
            }
            case "commit" -> {
                commit(chain, s, m);
                return;
            }
            default -> {
            }
        }
        chain.proceed(m);
    }

    private void commit(Chain chain, ShmSurface s, Message commit) throws ProtocolError {
        if (s.pendingScale > 0) {
            s.scale = s.pendingScale;
            s.pendingScale = -1;
        }
        if (s.pendingTransform >= 0) {
            s.transform = s.pendingTransform;
            s.pendingTransform = -1;
        }
        s.viewport = s.pendingViewport;
        boolean attached = s.attachPending;
        ShmBuffer x = s.buffer;
        if (attached) {
            s.attachPending = false;
            x = s.pendingBuffer;
            s.pendingBuffer = null;
            if (x != null) {
                x.pendingOn--;
                if (x.destroyed) {
                    // Destroyed before this commit: the surface shows nothing, as a compositor would do.
                    injectAttach(s.id, 0, s.pendingX, s.pendingY);
                    x = null;
                }
            }
            if (x == null) {
                // Null or not shm: the host buffers no longer hold what the surface shows.
                for (int i = 0; i < s.hostBuffers.size(); i++) {
                    HostShmBuffer hb = s.hostBuffers.get(i);
                    hb.missing.setFull(hb.width, hb.height);
                }
            }
            s.buffer = x;
        }
        long copied = 0;
        long damaged = 0;
        if (x != null && !x.destroyed) {
            damage.clear();
            SurfaceGeometry g = s.geometry(x);
            Region sd = s.pendingSurfaceDamage;
            for (int i = 0; i < sd.size(); i++) {
                g.surfaceToBuffer(sd.x(i), sd.y(i), sd.width(i), sd.height(i), damage);
            }
            Region bd = s.pendingBufferDamage;
            for (int i = 0; i < bd.size(); i++) {
                g.bufferToBuffer(bd.x(i), bd.y(i), bd.width(i), bd.height(i), damage);
            }
            if (attached || !damage.isEmpty()) {
                for (int i = 0; i < s.hostBuffers.size(); i++) {
                    s.hostBuffers.get(i).missing.add(damage);
                }
                HostShmBuffer hb = hostBufferFor(s, x);
                copied = copy(x, hb);
                hb.busy = true;
                injectAttach(s.id, hb.id, attached ? s.pendingX : 0, attached ? s.pendingY : 0);
                damaged = damage.area() * x.bpp;
            }
        }
        s.pendingSurfaceDamage.clear();
        s.pendingBufferDamage.clear();
        chain.proceed(commit);
        if (x != null && !x.released && x.pendingOn == 0) {
            x.released = true;
            try {
                session.injectEvent(x.id, bufferRelease);
            } catch (IOException e) {
                LOG.debug("client {}: could not release {}: {}", session.id(), x, e.toString()); // the session is ending
            }
            earlyReleases.incrementAndGet();
        }
        s.commits++;
        s.bytesCopied += copied;
        s.bytesDamaged += damaged;
        commits.incrementAndGet();
        bytesCopied.addAndGet(copied);
        bytesDamaged.addAndGet(damaged);
        if (LOG.isDebugEnabled() && x != null) {
            LOG.debug("client {}: wl_surface@{} commit of {}: copied {} B of {} B damaged ({}), {} host buffers", session.id(), s.id, x,
                    copied, damaged, damage, s.hostBuffers.size());
        }
    }

    /**
     * The host buffer this commit fills: a free one of the right size and format that misses least, or a
     * new one. Free ones that no longer fit, and spares beyond {@link #SPARE_HOST_BUFFERS}, are freed.
     */
    private HostShmBuffer hostBufferFor(ShmSurface s, ShmBuffer x) throws ProtocolError {
        List<HostShmBuffer> list = s.hostBuffers; // indexed loops: no iterator per commit
        HostShmBuffer best = null;
        for (int i = 0; i < list.size(); i++) {
            HostShmBuffer hb = list.get(i);
            if (!hb.busy && hb.fits(x) && (best == null || hb.missing.area() < best.missing.area())) {
                best = hb;
            }
        }
        int spares = 0;
        for (int i = 0; i < list.size(); i++) {
            HostShmBuffer hb = list.get(i);
            if (hb == best || hb.busy) {
                continue;
            }
            if (!hb.fits(x) || ++spares > SPARE_HOST_BUFFERS) {
                list.remove(i--);
                destroyHostBuffer(hb);
            }
        }
        if (best == null) {
            best = newHostBuffer(x, "wl_surface@" + s.id);
            s.hostBuffers.add(best);
        }
        return best;
    }

    /** Copies what {@code hb} misses from client buffer {@code x}; afterwards it misses nothing. */
    private long copy(ShmBuffer x, HostShmBuffer hb) throws ProtocolError {
        if (hb.missing.isEmpty()) {
            return 0;
        }
        long copied = ShmCopy.copy(x.pool.memory, x.offset, x.stride, hb.pixels, hb.stride, x.bpp, hb.missing);
        if (copied < 0) {
            throw new ProtocolError(x.id, WL_SHM_ERROR_INVALID_FD, "error accessing SHM buffer: the file behind wl_shm_pool@"
                    + x.pool.id + " is smaller than the pool's " + x.pool.memory.size() + " bytes (the client shrank it)");
        }
        hb.missing.clear();
        return copied;
    }

    /**
     * Host memory for a copy of {@code x}, and Crossway's own {@code wl_shm_pool} and {@code wl_buffer}
     * on the host for it; the pool is destroyed at once (the buffer keeps its memory), as Sommelier does.
     */
    private HostShmBuffer newHostBuffer(ShmBuffer x, String forWhat) throws ProtocolError {
        int stride = (x.width * x.bpp + 3) & ~3;
        long size = (long) stride * x.height;
        if (size > Integer.MAX_VALUE) {
            throw new ProtocolError(x.id, WL_SHM_ERROR_INVALID_STRIDE, "buffer of " + size + " bytes is too large");
        }
        if (hostBytes + size > limits.hostMemoryPerClient()) {
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway's limit on host memory per client is reached: " + forWhat
                    + " needs " + size + " bytes more for a copy of its " + x.width + "x" + x.height + " buffer, and this client holds "
                    + hostBytes + " bytes (limit " + ShmLimits.size(limits.hostMemoryPerClient())
                    + "; raise crossway.limits.host-memory-per-client, --host-memory-per-client)");
        }
        if (!limits.reserve(size)) {
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway's limit on host memory for all clients is reached: " + forWhat
                    + " needs " + size + " bytes more, and the daemon's clients hold " + limits.hostMemoryInUse().get()
                    + " bytes (limit " + ShmLimits.size(limits.hostMemoryTotal())
                    + "; raise crossway.limits.host-memory, --host-memory)");
        }
        try {
            session.heldFds().take(1, "a host buffer for " + forWhat);
        } catch (ProtocolError e) {
            limits.unreserve(size);
            throw e;
        }
        HostBuffer memory;
        try {
            memory = session.host().allocate(size);
        } catch (IOException | RuntimeException e) {
            limits.unreserve(size);
            session.heldFds().give(1);
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway could not allocate " + size + " bytes of host memory for "
                    + forWhat + " (" + x.width + "x" + x.height + "), with " + hostBytes + " bytes held by this client: "
                    + e.getMessage());
        }
        int shm = liveShm(x);
        int pool = session.newOwnObject("wl_shm_pool", 1);
        int id = session.newOwnObject("wl_buffer", 1);
        HostShmBuffer hb = new HostShmBuffer(id, memory, x.width, x.height, stride, x.format);
        hostBytes += size;
        liveHostBytes.addAndGet(size);
        liveHostBuffers.incrementAndGet();
        remember(hb);
        inject(new Message(shm, createPool, pool, memory.dupFd(), (int) size));
        inject(new Message(pool, createBuffer, id, 0, x.width, x.height, stride, x.format));
        inject(new Message(pool, poolDestroy));
        return hb;
    }

    /** A live {@code wl_shm} of the client, for Crossway's own pools: the one {@code x}'s pool came from, or another. */
    private int liveShm(ShmBuffer x) throws ProtocolError {
        if (isLiveShm(x.pool.shmId)) {
            return x.pool.shmId;
        }
        for (ShmPool p : pools.values()) {
            if (isLiveShm(p.shmId)) {
                return p.shmId;
            }
        }
        throw new ProtocolError(1, ProtocolError.IMPLEMENTATION, "Crossway needs a wl_shm of this client to make host buffers,"
                + " and the client released every one it had");
    }

    private boolean isLiveShm(int id) {
        ObjectTable.Entry e = session.objects().get(id);
        return e != null && !e.isZombie() && e.iface().name().equals("wl_shm");
    }

    private void destroyHostBuffer(HostShmBuffer hb) {
        forget(hb);
        try {
            session.inject(Direction.REQUEST, new Message(hb.id, bufferDestroy));
        } catch (IOException e) {
            LOG.debug("client {}: could not destroy {}: {}", session.id(), hb, e.toString()); // the session is ending
        }
        freeMemory(hb);
    }

    private void freeMemory(HostShmBuffer hb) {
        hb.free();
        session.heldFds().give(1);
        hostBytes -= hb.bytes();
        limits.unreserve(hb.bytes());
        liveHostBytes.addAndGet(-hb.bytes());
        liveHostBuffers.decrementAndGet();
    }

    /** Crossway's own {@code wl_surface.attach}, through one reused message (request thread): none allocated per commit. */
    private void injectAttach(int surfaceId, int bufferId, int x, int y) {
        Message m = attachRequest.reset(surfaceId, attach);
        m.setInt(0, bufferId);
        m.setInt(1, x);
        m.setInt(2, y);
        inject(m);
    }

    private void inject(Message m) {
        try {
            session.inject(Direction.REQUEST, m);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the host connection failed: the relay ends the session
        }
    }

    private void remember(HostShmBuffer hb) {
        int i = hb.id - ObjectTable.OWN_ID_START;
        synchronized (this) {
            if (i >= byOwnId.length) {
                byOwnId = Arrays.copyOf(byOwnId, Math.max(i + 1, byOwnId.length * 2));
            }
            byOwnId[i] = hb;
        }
    }

    private void forget(HostShmBuffer hb) {
        synchronized (this) {
            byOwnId[hb.id - ObjectTable.OWN_ID_START] = null;
        }
    }

    /** The host's release of a buffer: one of Crossway's is free again, and the client never hears of it. */
    private void hostRelease(Chain chain, Message m) throws ProtocolError {
        int id = m.objectId();
        if (!ObjectTable.isOwn(id)) {
            chain.proceed(m); // a buffer the host made for the client (not shm)
            return;
        }
        HostShmBuffer hb;
        synchronized (this) {
            int i = id - ObjectTable.OWN_ID_START;
            hb = i < byOwnId.length ? byOwnId[i] : null;
        }
        if (hb != null) {
            hb.busy = false;
        }
    }

    // ---- viewports and icons ----

    private void viewport(Chain chain, Message m, String name) throws ProtocolError {
        if (name.equals("get_viewport")) {
            viewportSurfaces.put(m.intArg(0), m.intArg(1));
            chain.proceed(m);
            return;
        }
        Integer surfaceId = name.equals("destroy") ? viewportSurfaces.remove(m.objectId()) : viewportSurfaces.get(m.objectId());
        ShmSurface s = surfaceId == null ? null : surfaces.computeIfAbsent(surfaceId, ShmSurface::new);
        if (s != null) {
            Viewport v = s.pendingViewport;
            switch (name) {
                case "set_source" -> {
                    double w = Fixed.toDouble(m.intArg(2));
                    s.pendingViewport = w == -1 ? v.withSource(-1, -1, -1, -1)
                            : v.withSource(Fixed.toDouble(m.intArg(0)), Fixed.toDouble(m.intArg(1)), w, Fixed.toDouble(m.intArg(3)));
                }
                case "set_destination" -> s.pendingViewport = m.intArg(0) == -1 ? v.withDestination(-1, -1)
                        : v.withDestination(m.intArg(0), m.intArg(1));
                case "destroy" -> s.pendingViewport = Viewport.NONE;
                default -> {
                }
            }
        }
        chain.proceed(m);
    }

    /**
     * {@code xdg_toplevel_icon_v1.add_buffer}: the client may not change the buffer afterwards, so a host
     * copy taken now, held until the icon is destroyed, serves it.
     */
    private void icon(Chain chain, Message m, String name) throws ProtocolError {
        if (name.equals("destroy")) {
            List<HostShmBuffer> copies = iconCopies.remove(m.objectId());
            chain.proceed(m);
            if (copies != null) {
                for (HostShmBuffer hb : copies) {
                    destroyHostBuffer(hb);
                }
            }
            return;
        }
        int bufferIndex = m.indexOf("buffer");
        ShmBuffer x = buffers.get(m.intArg(bufferIndex));
        if (x != null) {
            HostShmBuffer hb = newHostBuffer(x, "the icon xdg_toplevel_icon_v1@" + m.objectId());
            iconCopies.computeIfAbsent(m.objectId(), k -> new ArrayList<>()).add(hb);
            long copied = copy(x, hb);
            bytesCopied.addAndGet(copied);
            m.set(bufferIndex, hb.id);
        }
        chain.proceed(m);
    }

    // ---- events ----

    /**
     * Copies the host's keymap into a sealed guest memfd: the client may mmap it MAP_PRIVATE whatever
     * the compositor sent (read-only, sealed, or not a guest file at all).
     */
    private void keymap(Chain chain, Message m) throws ProtocolError {
        int fdIndex = m.indexOf("fd");
        int hostFd = m.intArg(fdIndex);
        long size = Integer.toUnsignedLong(m.intArg(m.indexOf("size")));
        m.set(fdIndex, -1); // ours from here, whatever happens
        if (size > MAX_KEYMAP_BYTES) {
            kernel.close(hostFd);
            throw new ProtocolError(1, ProtocolError.IMPLEMENTATION, m.spec().qualifiedName() + " of " + size + " bytes: more than the "
                    + ShmLimits.size(MAX_KEYMAP_BYTES) + " a keymap may take");
        }
        int guestFd = -1;
        // Read as a client's pool is: a file shorter than the size the compositor gave must not fault the daemon.
        try (GuestMemory source = size > 0 ? kernel.openGuestMemory(hostFd, size, true) : null) {
            if (source == null) {
                kernel.close(hostFd);
            }
            guestFd = kernel.memfd("crossway-keymap", size);
            if (size > 0) {
                ByteBuffer dst = kernel.map(guestFd, size, true);
                try {
                    if (!source.copyRows(0, (int) size, (int) size, 1, dst, 0, (int) size)) {
                        throw new IOException("the file ended before its stated size, or could not be read (" + source.method() + ")");
                    }
                } finally {
                    kernel.unmap(dst);
                }
            }
            kernel.seal(guestFd); // after unmapping: a writable shared mapping would refuse the write seal
        } catch (IOException | RuntimeException e) {
            if (guestFd >= 0) {
                kernel.close(guestFd);
            }
            throw new ProtocolError(1, ProtocolError.IMPLEMENTATION, m.spec().qualifiedName() + " of " + size
                    + " bytes could not be copied for the client: " + e.getMessage());
        }
        m.set(fdIndex, guestFd);
        keymapsCopied.incrementAndGet();
        chain.proceed(m);
    }

    // ---- counters and life cycle ----

    /** This session's counters. */
    public ShmStats stats() {
        return new ShmStats(commits.get(), bytesCopied.get(), bytesDamaged.get(), liveHostBuffers.get(), liveHostBytes.get(),
                earlyReleases.get(), keymapsCopied.get());
    }

    /** The counters of one live surface, or null when it is unknown or destroyed. */
    public ShmStats.Surface surfaceStats(int surfaceId) {
        ShmSurface s = surfaces.get(surfaceId);
        return s == null ? null : s.stats();
    }

    @Override
    public String summary() {
        return stats().summary();
    }

    /** Frees every pool, mapping, fd and host buffer; called by the session after both relay threads ended. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ShmSurface s : surfaces.values()) {
            for (HostShmBuffer hb : s.hostBuffers) {
                freeMemory(hb);
            }
            s.hostBuffers.clear();
        }
        surfaces.clear();
        for (List<HostShmBuffer> copies : iconCopies.values()) {
            for (HostShmBuffer hb : copies) {
                freeMemory(hb);
            }
        }
        iconCopies.clear();
        for (ShmBuffer b : buffers.values()) {
            b.destroyed = true;
            b.pool.bufferGone();
        }
        buffers.clear();
        for (ShmPool p : pools.values()) {
            p.destroy();
        }
        pools.clear();
        openPools = 0;
        viewportSurfaces.clear();
    }
}
