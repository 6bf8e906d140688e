package dev.crossway.it;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixSocket;
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
 * XRGB8888 image it draws into a few shm buffers, with partial damage and buffer-age redraws, as a
 * careful real client does (it reuses a buffer only after {@code wl_buffer.release}).
 */
final class ShmTestClient implements AutoCloseable {
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

    // Objects of the window.
    private int compositor;
    private int shm;
    private int wmBase;
    private int surface;
    private int xdgSurface;

    final int width;
    final int height;
    private final int[] buffers;
    private ByteBuffer pixels;

    ShmTestClient(Path socketPath, int width, int height, int bufferCount) throws IOException {
        this.socket = UnixSocket.connect(socketPath);
        this.width = width;
        this.height = height;
        this.buffers = new int[bufferCount];
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

        int frame = width * height * 4;
        int size = frame * bufferCount;
        int fd = Fds.memfd("crossway-it-pool", size);
        pixels = Fds.map(fd, size, true).order(ByteOrder.LITTLE_ENDIAN);
        int pool = newId("wl_shm_pool");
        send(shm, "create_pool", pool, fd, size); // the send closes our fd; the mapping stays
        for (int i = 0; i < bufferCount; i++) {
            buffers[i] = newId("wl_buffer");
            send(pool, "create_buffer", buffers[i], i * frame, width, height, width * 4, 1 /* xrgb8888 */);
            released.add(buffers[i]);
        }
        send(pool, "destroy");
        roundtrip();
    }

    /** Writes {@code scene} (0xRRGGBB per pixel) into buffer {@code index} where {@code rects} say. */
    void draw(int index, int[] scene, List<int[]> rects) {
        int base = index * width * height * 4;
        for (int[] r : rects) {
            for (int y = r[1]; y < r[1] + r[3]; y++) {
                for (int x = r[0]; x < r[0] + r[2]; x++) {
                    // X set to 0xff: weston's pixman renderer copies XRGB pixels as they are, and the
                    // screenshooter reads the framebuffer as ARGB, so X = 0 would read as transparent.
                    pixels.putInt(base + (y * width + x) * 4, 0xff000000 | scene[y * width + x]);
                }
            }
        }
    }

    /** Blocks until the compositor has released buffer {@code index} (its content may be rewritten). */
    void awaitRelease(int index) throws IOException {
        while (!released.contains(buffers[index])) {
            dispatchOne();
        }
    }

    /** Attaches buffer {@code index} with these damage rects ({@code x, y, w, h, 1 for buffer damage}) and commits; waits for the frame callback. */
    void commit(int index, List<int[]> damage) throws IOException {
        released.remove(buffers[index]);
        send(surface, "attach", buffers[index], 0, 0);
        for (int[] d : damage) {
            send(surface, d.length > 4 && d[4] == 1 ? "damage_buffer" : "damage", d[0], d[1], d[2], d[3]);
        }
        int frame = newId("wl_callback");
        send(surface, "frame", frame);
        send(surface, "commit");
        while (!callbacksDone.remove(frame)) {
            dispatchOne();
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
            case "wl_display.error" -> throw new IOException("protocol error: " + m);
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
        if (pixels != null) {
            try {
                Fds.unmap(pixels);
            } catch (IOException ignored) {
                // the process ends soon anyway
            }
            pixels = null;
        }
    }

    /** Rectangles as {@code x, y, w, h}. */
    static List<int[]> rects(int[]... r) {
        return new ArrayList<>(List.of(r));
    }
}
