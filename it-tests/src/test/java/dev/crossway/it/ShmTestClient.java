package dev.crossway.it;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.sys.Native;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import dev.crossway.wire.Wire;
import dev.crossway.wire.WireException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small synchronous Wayland client built on Crossway's own codec: one xdg toplevel showing an
 * XRGB8888 image, drawn the way {@link Mode} says, with partial damage and buffer-age redraws, as a
 * careful real client does (it draws into a buffer only after {@code wl_buffer.release}).
 */
final class ShmTestClient implements AutoCloseable {
    /** How the client gets the buffer for each frame. */
    enum Mode {
        TWO_ROTATING, THREE_ROTATING,
        /** A new wl_buffer every frame over one pool, the previous one destroyed once released. */
        NEW_BUFFER_EVERY_FRAME,
        /** A new wl_shm_pool and wl_buffer every frame (the pool destroyed at once), as GTK3 draws. */
        NEW_POOL_EVERY_FRAME
    }

    /** One buffer: where it lives, and the rectangles it lacks of the current scene. */
    private static final class Slot {
        int id;
        int fd = -1;
        ByteBuffer pixels;
        int base;
        final List<int[]> lacks = new ArrayList<>();
    }

    private final Schema schema = SchemaLoader.loadBundled();
    private final UnixSocket socket;
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer out = ByteBuffer.allocateDirect(Wire.MAX_MESSAGE_SIZE).order(ByteOrder.nativeOrder());
    private final FdQueue inFds = new FdQueue();
    private final Map<Integer, Interface> objects = new HashMap<>();
    private final Map<String, int[]> globals = new HashMap<>(); // interface -> {name, version}
    private final Set<Integer> callbacksDone = new HashSet<>();
    private final Set<Integer> released = new HashSet<>();
    private int nextId = 2;
    private int configureSerial = -1;
    private final Mode mode;

    private int compositor;
    private int shm;
    private int wmBase;
    private int surface;
    private int xdgSurface;

    private int width;
    private int height;
    private final List<Slot> slots = new ArrayList<>();
    /** The pool of the rotating and new-buffer modes. */
    private int poolId;
    private int poolFd = -1;
    private ByteBuffer poolPixels;
    private int frame;
    /** Pools are made at least this large, as foot's 512 MiB pool is; the file stays sparse. */
    private int minPoolSize;

    ShmTestClient(Path socketPath, Mode mode) throws IOException {
        this.socket = UnixSocket.connect(socketPath);
        this.mode = mode;
        in.flip();
        objects.put(1, schema.require("wl_display"));
        int registry = newId("wl_registry");
        send(1, "get_registry", registry);
        roundtrip();
        compositor = bind(registry, "wl_compositor", 4);
        shm = bind(registry, "wl_shm", 1);
        wmBase = bind(registry, "xdg_wm_base", 1);
        surface = newId("wl_surface");
        send(compositor, "create_surface", surface);
        xdgSurface = newId("xdg_surface");
        send(wmBase, "get_xdg_surface", xdgSurface, surface);
        int toplevel = newId("xdg_toplevel");
        send(xdgSurface, "get_toplevel", toplevel);
        send(toplevel, "set_title", "crossway shm test");
        send(surface, "commit");
        while (configureSerial < 0) {
            dispatchOne();
        }
        send(xdgSurface, "ack_configure", configureSerial);
    }

    /**
     * Draws one frame of {@code scene} ({@code width} x {@code height}, 0xRRGGBB per pixel) of which
     * {@code damage} ({@code x, y, w, h}) changed since the last frame, attaches, damages (buffer damage
     * when {@code bufferDamage}), commits and waits for the frame callback. A new size starts over with
     * new buffers, drawn whole.
     */
    void frame(int[] scene, int width, int height, int[] damage, boolean bufferDamage) throws IOException {
        if (width != this.width || height != this.height) {
            dropBuffers();
            this.width = width;
            this.height = height;
            damage = new int[] {0, 0, width, height};
        }
        for (Slot s : slots) {
            s.lacks.add(damage);
        }
        Slot slot = slotForFrame();
        for (int[] r : slot.lacks) {
            draw(slot, scene, r);
        }
        slot.lacks.clear();
        released.remove(slot.id);
        send(surface, "attach", slot.id, 0, 0);
        send(surface, bufferDamage ? "damage_buffer" : "damage", damage[0], damage[1], damage[2], damage[3]);
        int callback = newId("wl_callback");
        send(surface, "frame", callback);
        send(surface, "commit");
        while (!callbacksDone.remove(callback)) {
            dispatchOne();
        }
        if (mode == Mode.NEW_BUFFER_EVERY_FRAME || mode == Mode.NEW_POOL_EVERY_FRAME) {
            // The previous frame's buffer is no longer needed once released.
            for (Slot s : new ArrayList<>(slots)) {
                if (s != slot) {
                    awaitRelease(s);
                    destroy(s);
                }
            }
        }
        frame++;
    }

    private Slot slotForFrame() throws IOException {
        int size = width * height * 4;
        switch (mode) {
            case TWO_ROTATING, THREE_ROTATING -> {
                int count = mode == Mode.TWO_ROTATING ? 2 : 3;
                if (slots.isEmpty()) {
                    newPool(count * size);
                    for (int i = 0; i < count; i++) {
                        slots.add(newBuffer(i * size));
                    }
                }
                Slot s = slots.get(frame % count);
                awaitRelease(s);
                return s;
            }
            case NEW_BUFFER_EVERY_FRAME -> {
                if (poolFd < 0) {
                    newPool(2 * size);
                }
                Slot s = newBuffer((frame % 2) * size);
                s.lacks.add(new int[] {0, 0, width, height});
                slots.add(s);
                return s;
            }
            default -> {
                int fd = Fds.memfd("crossway-it-frame-pool", size);
                int pool = newId("wl_shm_pool");
                send(shm, "create_pool", pool, Fds.dup(fd), size);
                Slot s = new Slot();
                s.id = newId("wl_buffer");
                s.fd = fd;
                s.pixels = Fds.map(fd, size, true).order(ByteOrder.LITTLE_ENDIAN);
                send(pool, "create_buffer", s.id, 0, width, height, width * 4, 1 /* xrgb8888 */);
                send(pool, "destroy");
                s.lacks.add(new int[] {0, 0, width, height});
                slots.add(s);
                return s;
            }
        }
    }

    /** Makes the pools of later frames at least {@code bytes} large (rotating and new-buffer modes). */
    void poolsOfAtLeast(int bytes) {
        minPoolSize = bytes;
    }

    private void newPool(int size) throws IOException {
        int poolSize = Math.max(size, minPoolSize);
        poolFd = Fds.memfd("crossway-it-pool", poolSize);
        poolPixels = Fds.map(poolFd, size, true).order(ByteOrder.LITTLE_ENDIAN); // only the part drawn into
        poolId = newId("wl_shm_pool");
        send(shm, "create_pool", poolId, Fds.dup(poolFd), poolSize);
    }

    private Slot newBuffer(int offset) throws IOException {
        Slot s = new Slot();
        s.id = newId("wl_buffer");
        s.pixels = poolPixels;
        s.base = offset;
        send(poolId, "create_buffer", s.id, offset, width, height, width * 4, 1 /* xrgb8888 */);
        released.add(s.id);
        s.lacks.add(new int[] {0, 0, width, height});
        return s;
    }

    private void draw(Slot s, int[] scene, int[] r) {
        for (int y = r[1]; y < r[1] + r[3]; y++) {
            for (int x = r[0]; x < r[0] + r[2]; x++) {
                // X set to 0xff: weston's pixman renderer copies XRGB pixels as they are, and the
                // screenshooter reads the framebuffer as ARGB, so X = 0 would read as transparent.
                s.pixels.putInt(s.base + (y * width + x) * 4, 0xff000000 | scene[y * width + x]);
            }
        }
    }

    private void awaitRelease(Slot s) throws IOException {
        while (!released.contains(s.id)) {
            dispatchOne();
        }
    }

    private void destroy(Slot s) throws IOException {
        send(s.id, "destroy");
        slots.remove(s);
        if (s.fd >= 0) {
            Fds.unmap(s.pixels);
            Fds.close(s.fd);
        }
    }

    private void dropBuffers() throws IOException {
        for (Slot s : new ArrayList<>(slots)) {
            awaitRelease(s);
            destroy(s);
        }
        if (poolFd >= 0) {
            send(poolId, "destroy");
            Fds.unmap(poolPixels);
            Fds.close(poolFd);
            poolFd = -1;
        }
        frame = 0;
    }

    /**
     * What a hostile client does: shrinks the file behind its pool to nothing, then commits damage
     * again, and reads until the connection ends. Returns the protocol error it got (or throws).
     */
    String truncatePoolAndCommit() throws IOException {
        int fd = poolFd >= 0 ? poolFd : slots.get(0).fd;
        if (Native.libc().ftruncate(fd, 0) != 0) {
            throw new IOException("ftruncate failed: errno " + Native.errno());
        }
        Slot s = slots.get(0);
        send(surface, "attach", s.id, 0, 0);
        send(surface, "damage", 0, 0, width, height);
        send(surface, "commit");
        try {
            while (true) {
                dispatchOne();
            }
        } catch (ProtocolErrorException e) {
            return e.getMessage();
        }
    }

    /** A wl_display.error the client received. */
    static final class ProtocolErrorException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolErrorException(String message) {
            super(message);
        }
    }

    void roundtrip() throws IOException {
        int cb = newId("wl_callback");
        send(1, "sync", cb);
        while (!callbacksDone.remove(cb)) {
            dispatchOne();
        }
    }

    private int bind(int registry, String iface, int version) throws IOException {
        int[] g = globals.get(iface);
        if (g == null) {
            throw new IOException("the compositor offers no " + iface + " (globals: " + globals.keySet() + ")");
        }
        int id = newId(iface);
        send(registry, "bind", g[0], new NewId(iface, Math.min(version, g[1]), id));
        return id;
    }

    private int newId(String iface) {
        int id = nextId++;
        objects.put(id, schema.require(iface));
        return id;
    }

    private void send(int objectId, String request, Object... args) throws IOException {
        Message m = new Message(objectId, objects.get(objectId).message(true, request), args);
        FdQueue fds = new FdQueue();
        out.clear();
        try {
            MessageCodec.encode(m, out, fds);
        } catch (WireException e) {
            throw new IOException(e);
        }
        out.flip();
        socket.send(out, fds);
        if (m.spec().isDestructor()) {
            objects.remove(objectId);
        }
    }

    private void dispatchOne() throws IOException {
        while (in.remaining() < Wire.HEADER_SIZE || in.remaining() < Wire.size(in, in.position())) {
            in.compact();
            int n = socket.receive(in, inFds);
            in.flip();
            if (n < 0) {
                throw new IOException("the compositor (or Crossway) closed the connection");
            }
        }
        int id = Wire.objectId(in, in.position());
        int size = Wire.size(in, in.position());
        Interface iface = objects.get(id);
        if (iface == null) {
            in.position(in.position() + size);
            return; // an event for an object we already forgot
        }
        Message m;
        try {
            m = MessageCodec.decode(in, in.position(), iface.event(Wire.opcode(in, in.position())), inFds);
        } catch (WireException e) {
            throw new IOException(e);
        }
        in.position(in.position() + size);
        switch (iface.name() + "." + m.spec().name()) {
            case "wl_display.error" -> throw new ProtocolErrorException("error on object " + m.intArg(0) + ", code " + m.intArg(1)
                    + ": " + m.stringArg(2));
            case "wl_display.delete_id" -> objects.remove(m.intArg(0));
            case "wl_registry.global" -> globals.putIfAbsent(m.stringArg(1), new int[] {m.intArg(0), m.intArg(2)});
            case "wl_callback.done" -> callbacksDone.add(id);
            case "wl_buffer.release" -> released.add(id);
            case "xdg_wm_base.ping" -> send(wmBase, "pong", m.intArg(0));
            case "xdg_surface.configure" -> configureSerial = m.intArg(0);
            default -> {
            }
        }
        for (int fd : m.fds()) {
            Fds.close(fd);
        }
    }

    @Override
    public void close() {
        socket.close();
        for (Slot s : slots) {
            if (s.fd >= 0) {
                try {
                    Fds.unmap(s.pixels);
                } catch (IOException ignored) {
                    // the test ends soon anyway
                }
                Fds.close(s.fd);
            }
        }
        slots.clear();
        if (poolFd >= 0) {
            try {
                Fds.unmap(poolPixels);
            } catch (IOException ignored) {
                // as above
            }
            Fds.close(poolFd);
            poolFd = -1;
        }
    }
}
