package dev.crossway.proxy.shm;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.proxy.Direction;
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
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors guest shm into host memory when the host cannot see guest memory
 * ({@code Capabilities.guestMemoryVisibleToHost() == false}): a client's pool fd never crosses; each
 * commit copies only the damaged pixels.
 *
 * <p><b>Pools are created on the host at once.</b> On {@code wl_shm.create_pool} the client's fd is
 * mapped read-only, host memory of the pool's size is allocated through the transport, and
 * {@code create_pool} goes to the host with the host memory's fd. Creating host pools lazily (on the
 * first attach) would save memory for pools never used, but the relay forwards messages with the
 * client's own ids, and libwayland-server requires new ids in order ({@code wl_map_reserve_new}): once
 * the client has used a later id, the pool's id can no longer be created. Lazy creation would need id
 * translation for every message.
 *
 * <p><b>Resize</b> cannot grow host memory in general (a virtio-gpu blob has a fixed size). The client's
 * fd is mapped again at the new size; the host pool is replaced, in the same batch, by
 * {@code wl_shm_pool.destroy} and a {@code wl_shm.create_pool} with the same id on new host memory
 * (libwayland-server frees an id at destroy, so reusing it at once is valid). The host answers the
 * destroy with {@code wl_display.delete_id}, which the client must not see: this interceptor swallows
 * exactly the delete_ids it caused. Buffers made before the resize keep the old host memory, which
 * is counted ({@link HostMemory}) and freed when its last user goes.
 *
 * <p><b>Copies happen at commit</b>, of the damage accumulated since the host copy of the committed
 * buffer last received its content: each commit's damage (surface damage converted with scale,
 * transform and viewport; buffer damage as is) is added to what every other buffer the surface has
 * shown is missing, and the committed buffer gets what it misses plus the new damage. Clients that
 * rotate two or three buffers thus stay pixel-exact while copying little.
 *
 * <p><b>Release</b>: each client buffer has its own host copy, one to one, and the host's
 * {@code wl_buffer.release} is relayed unchanged. The client writes a buffer again only after that
 * release, i.e. after the host stopped reading the host copy, and the next copy happens at the next
 * commit of that buffer, so the host never shows a torn or stale frame. (Releasing the client's buffer
 * right after the copy would let it draw sooner, but would need a second host copy per buffer.)
 *
 * <p>Also: {@code wl_shm.format}s Crossway cannot copy ({@link ShmFormats}) are hidden, and
 * {@code wl_keyboard.keymap} fds are copied into sealed guest memfds, so a client can map them
 * privately whatever the compositor sent (and on a VM transport the host's fd is not a guest file).
 *
 * <p>Threading: pools, buffers and surfaces belong to the request relay thread; keymaps, formats and
 * delete_ids to the event thread. {@link #close()} runs after both have ended and frees everything.
 */
public final class ShmInterceptor implements Interceptor, AutoCloseable, SessionStats.Contributor {
    private static final Logger LOG = LoggerFactory.getLogger(ShmInterceptor.class);

    // wl_shm.error and wl_surface.error codes from wayland.xml.
    static final int WL_SHM_ERROR_INVALID_FORMAT = 0;
    static final int WL_SHM_ERROR_INVALID_STRIDE = 1;
    static final int WL_SHM_ERROR_INVALID_FD = 2;

    private final Session session;
    private final Kernel kernel;
    private final MessageSpec poolDestroy;
    private final MessageSpec createPool;

    // Request thread.
    private final Map<Integer, ShmPool> pools = new HashMap<>();
    private final Map<Integer, ShmBuffer> buffers = new HashMap<>();
    private final Map<Integer, Integer> viewportSurfaces = new HashMap<>();
    private final Region damage = new Region();
    // Read by tests and the summary too.
    private final Map<Integer, ShmSurface> surfaces = new ConcurrentHashMap<>();
    private final AtomicInteger liveHostBuffers = new AtomicInteger();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong bytesCopied = new AtomicLong();
    private final AtomicLong bytesDamaged = new AtomicLong();
    private final AtomicLong keymapsCopied = new AtomicLong();
    /** Pool ids whose host-side destroy (from a resize) still owes a wl_display.delete_id: id to count. */
    private final Map<Integer, Integer> deleteIdsToSwallow = new ConcurrentHashMap<>();
    private boolean closed;

    public ShmInterceptor(Session session) {
        this.session = session;
        this.kernel = session.kernel();
        this.poolDestroy = session.schema().require("wl_shm_pool").message(true, "destroy");
        this.createPool = session.schema().require("wl_shm").message(true, "create_pool");
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
                Hook.event("wl_shm", "format"),
                Hook.event("wl_keyboard", "keymap"),
                Hook.event("wl_display", "delete_id"));
    }

    @Override
    public void intercept(Chain chain) throws ProtocolError {
        Message m = chain.message();
        String iface = m.spec().owner().name();
        String name = m.spec().name();
        switch (iface) {
            case "wl_shm" -> {
                if (name.equals("create_pool")) {
                    createPool(chain, m);
                } else if (name.equals("format")) {
                    if (ShmFormats.bytesPerPixel(m.intArg(0)) > 0) {
                        chain.proceed(m);
                    }
                } else {
                    chain.proceed(m);
                }
            }
            case "wl_shm_pool" -> pool(chain, m, name);
            case "wl_buffer" -> {
                ShmBuffer b = buffers.remove(m.objectId());
                if (b != null) {
                    b.destroy(kernel);
                }
                chain.proceed(m);
            }
            case "wl_surface" -> surface(chain, m, name);
            case "wp_viewporter", "wp_viewport" -> viewport(chain, m, name);
            case "wl_keyboard" -> keymap(chain, m);
            case "wl_display" -> {
                if (!swallowDeleteId(m.intArg(0))) {
                    chain.proceed(m);
                }
            }
            default -> chain.proceed(m);
        }
    }

    // ---- pools and buffers ----

    private void createPool(Chain chain, Message m) throws ProtocolError {
        int poolId = m.intArg(0);
        int fdIndex = m.indexOf("fd");
        int clientFd = m.intArg(fdIndex);
        int size = m.intArg(2);
        if (size <= 0) {
            throw new ProtocolError(m.objectId(), WL_SHM_ERROR_INVALID_STRIDE, "invalid size (" + size + ")");
        }
        ByteBuffer guest = mapClientPool(m.objectId(), clientFd, size);
        HostMemory host;
        try {
            host = allocate(size);
        } catch (ProtocolError | RuntimeException e) {
            kernel.unmap(guest);
            throw e;
        }
        // From here the pool owns the client's fd; the message carries the host memory instead.
        ShmPool pool = new ShmPool(poolId, m.objectId(), clientFd, guest, size, host);
        pools.put(poolId, pool);
        m.set(fdIndex, host.buffer.dupFd());
        chain.proceed(m);
    }

    private void pool(Chain chain, Message m, String name) throws ProtocolError {
        ShmPool pool = pools.get(m.objectId());
        if (pool == null) {
            chain.proceed(m);
            return;
        }
        switch (name) {
            case "create_buffer" -> {
                createBuffer(pool, m);
                chain.proceed(m);
            }
            case "resize" -> resize(pool, m.intArg(0)); // replaced by destroy + create_pool
            case "destroy" -> {
                pools.remove(pool.id);
                pool.destroy(kernel);
                chain.proceed(m);
            }
            default -> chain.proceed(m);
        }
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
                || (long) offset + (long) stride * height > pool.size) {
            throw new ProtocolError(pool.id, WL_SHM_ERROR_INVALID_STRIDE,
                    "invalid width, height or stride (" + width + "x" + height + ", " + stride + ")");
        }
        ShmBuffer old = buffers.put(id, new ShmBuffer(id, pool, offset, width, height, stride, format, bpp));
        if (old != null) {
            old.destroy(kernel); // cannot happen with a valid id (the relay checks), but never leak
        }
    }

    private void resize(ShmPool pool, int size) throws ProtocolError {
        if (size < pool.size) {
            throw new ProtocolError(pool.id, WL_SHM_ERROR_INVALID_FD, "shrinking pool invalid");
        }
        if (size == pool.size) {
            return; // nothing changes on either side
        }
        ObjectTable.Entry shm = session.objects().get(pool.shmId);
        if (shm == null || shm.isZombie() || !shm.iface().name().equals("wl_shm")) {
            throw new ProtocolError(pool.id, ProtocolError.IMPLEMENTATION, "Crossway cannot resize wl_shm_pool@" + pool.id
                    + " after its wl_shm@" + pool.shmId + " was released: the host pool is remade on that wl_shm");
        }
        ByteBuffer guest = mapClientPool(pool.id, pool.guestFd, size);
        HostMemory host;
        try {
            host = allocate(size);
        } catch (ProtocolError | RuntimeException e) {
            kernel.unmap(guest);
            throw e;
        }
        kernel.unmap(pool.guest);
        pool.guest = guest;
        pool.size = size;
        pool.moveTo(host);
        deleteIdsToSwallow.merge(pool.id, 1, Integer::sum);
        try {
            session.inject(Direction.REQUEST, new Message(pool.id, poolDestroy));
            session.inject(Direction.REQUEST, new Message(pool.shmId, createPool, pool.id, host.buffer.dupFd(), size));
        } catch (IOException e) {
            throw new ProtocolError(pool.id, ProtocolError.IMPLEMENTATION, "cannot remake the host pool: " + e.getMessage());
        }
    }

    /** Maps a client's pool fd read-only, after checking the file is as large as the client says. */
    private ByteBuffer mapClientPool(int objectId, int fd, int size) throws ProtocolError {
        try {
            long fileSize = kernel.size(fd);
            if (fileSize < size) {
                throw new ProtocolError(objectId, WL_SHM_ERROR_INVALID_FD,
                        "pool size " + size + " is larger than the file behind its fd (" + fileSize + " bytes)");
            }
            return kernel.map(fd, size, false);
        } catch (IOException e) {
            throw new ProtocolError(objectId, WL_SHM_ERROR_INVALID_FD, "failed mmap fd " + fd + ": " + e.getMessage());
        }
    }

    private HostMemory allocate(int size) throws ProtocolError {
        HostBuffer buffer;
        try {
            buffer = session.host().allocate(size);
        } catch (IOException e) {
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway could not allocate " + size
                    + " bytes of host memory for an shm pool: " + e.getMessage());
        }
        return new HostMemory(buffer, liveHostBuffers);
    }

    // ---- surfaces ----

    private void surface(Chain chain, Message m, String name) throws ProtocolError {
        int id = m.objectId();
        if (name.equals("destroy")) {
            surfaces.remove(id);
            chain.proceed(m);
            return;
        }
        ShmSurface s = surfaces.computeIfAbsent(id, ShmSurface::new);
        switch (name) {
            case "attach" -> {
                s.attachPending = true;
                ShmBuffer b = buffers.get(m.intArg(0));
                s.pendingBuffer = b;
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
            case "commit" -> commit(s);
            default -> {
            }
        }
        chain.proceed(m);
    }

    private void commit(ShmSurface s) throws ProtocolError {
        if (s.pendingScale > 0) {
            s.scale = s.pendingScale;
            s.pendingScale = -1;
        }
        if (s.pendingTransform >= 0) {
            s.transform = s.pendingTransform;
            s.pendingTransform = -1;
        }
        s.viewport = s.pendingViewport;
        if (s.attachPending) {
            s.buffer = s.pendingBuffer;
            s.attachPending = false;
            s.pendingBuffer = null;
            if (s.buffer == null) {
                // Null or not shm: what the surface showed is gone, so nothing is known to be in place.
                for (ShmBuffer b : s.seen) {
                    b.missing.setFull(b.width, b.height);
                }
            } else if (!s.seen.contains(s.buffer)) {
                s.seen.add(s.buffer);
            }
        }
        ShmBuffer x = s.buffer;
        long copied = 0;
        long damaged = 0;
        if (x != null && !x.destroyed) {
            damage.clear();
            SurfaceGeometry g = new SurfaceGeometry(x.width, x.height, s.scale, s.transform, s.viewport);
            Region sd = s.pendingSurfaceDamage;
            for (int i = 0; i < sd.size(); i++) {
                g.surfaceToBuffer(sd.x(i), sd.y(i), sd.width(i), sd.height(i), damage);
            }
            Region bd = s.pendingBufferDamage;
            for (int i = 0; i < bd.size(); i++) {
                g.bufferToBuffer(bd.x(i), bd.y(i), bd.width(i), bd.height(i), damage);
            }
            for (Iterator<ShmBuffer> it = s.seen.iterator(); it.hasNext(); ) {
                ShmBuffer b = it.next();
                if (b.destroyed) {
                    it.remove();
                } else if (b != x) {
                    b.missing.add(damage);
                }
            }
            damaged = damage.area() * x.bpp;
            x.missing.add(damage);
            x.missing.clip(x.width, x.height);
            copied = copy(x, s);
            x.missing.clear();
        }
        s.pendingSurfaceDamage.clear();
        s.pendingBufferDamage.clear();
        s.commits++;
        s.bytesCopied += copied;
        s.bytesDamaged += damaged;
        commits.incrementAndGet();
        bytesCopied.addAndGet(copied);
        bytesDamaged.addAndGet(damaged);
        if (LOG.isDebugEnabled() && x != null) {
            LOG.debug("client {}: wl_surface@{} commit of {}: copied {} B of {} B damaged ({})", session.id(), s.id, x,
                    copied, damaged, damage);
        }
    }

    private long copy(ShmBuffer x, ShmSurface s) throws ProtocolError {
        if (x.missing.isEmpty()) {
            return 0;
        }
        try {
            return ShmCopy.copy(x.pool.guest, x.host.view, x.offset, x.stride, x.bpp, x.missing);
        } catch (InternalError e) {
            // The JVM turns SIGBUS on a mapping into this: the client shrank the file behind its pool.
            throw new ProtocolError(s.id, WL_SHM_ERROR_INVALID_FD, "error accessing SHM buffer " + x + " (pool file shrank?)");
        }
    }

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

    // ---- events ----

    private boolean swallowDeleteId(int id) {
        boolean[] swallowed = new boolean[1];
        deleteIdsToSwallow.computeIfPresent(id, (k, n) -> {
            swallowed[0] = true;
            return n == 1 ? null : n - 1;
        });
        return swallowed[0];
    }

    /**
     * Copies the host's keymap into a sealed guest memfd: the client may mmap it MAP_PRIVATE whatever
     * the compositor sent (read-only, sealed, or not a guest file at all).
     */
    private void keymap(Chain chain, Message m) throws ProtocolError {
        int fdIndex = m.indexOf("fd");
        int hostFd = m.intArg(fdIndex);
        long size = Integer.toUnsignedLong(m.intArg(m.indexOf("size")));
        int guestFd = -1;
        try {
            guestFd = kernel.memfd("crossway-keymap", size);
            if (size > 0) {
                ByteBuffer src = kernel.map(hostFd, size, false);
                try {
                    ByteBuffer dst = kernel.map(guestFd, size, true);
                    try {
                        dst.put(0, src, 0, (int) size);
                    } finally {
                        kernel.unmap(dst);
                    }
                } finally {
                    kernel.unmap(src);
                }
            }
            kernel.seal(guestFd); // after unmapping: a writable shared mapping would refuse the write seal
        } catch (IOException | RuntimeException e) {
            if (guestFd >= 0) {
                kernel.close(guestFd);
            }
            LOG.warn("client {}: could not copy a keymap of {} bytes, passing the compositor's fd on: {}", session.id(), size,
                    e.toString());
            chain.proceed(m);
            return;
        }
        m.set(fdIndex, guestFd);
        kernel.close(hostFd);
        keymapsCopied.incrementAndGet();
        chain.proceed(m);
    }

    // ---- counters and life cycle ----

    /** This session's counters. */
    public ShmStats stats() {
        return new ShmStats(commits.get(), bytesCopied.get(), bytesDamaged.get(), liveHostBuffers.get(), keymapsCopied.get());
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

    /** Frees every mapping, fd and host buffer; called by the session after both relay threads ended. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ShmBuffer b : buffers.values()) {
            b.destroy(kernel);
        }
        buffers.clear();
        for (ShmPool p : pools.values()) {
            p.destroy(kernel);
        }
        pools.clear();
        surfaces.clear();
        viewportSurfaces.clear();
    }
}
