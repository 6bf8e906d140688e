package dev.crossway.testsuite.client;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixSocket;
import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The project's one Wayland test client, on Crossway's own codec: it sends requests (queued, sent by
 * {@link #flush()}), reads events, tracks objects and which buffers the compositor released, and answers
 * {@code xdg_wm_base.ping}. A {@code wl_display.error} ends it with a {@link ProtocolErrorException}.
 * Synchronous and not thread-safe: one client per thread. Workloads (bench), the suites' programs
 * ({@link TestClient}) and the suites themselves use it.
 */
public final class WaylandClient implements AutoCloseable {
    /** An xdg toplevel window's objects. */
    public record Toplevel(int surface, int xdgSurface, int toplevel) {
    }

    /** A global as the registry announced it. */
    public record Global(int name, String interfaceName, int version) {
    }

    /** The {@code wl_display.error} that ended the connection. */
    public static final class ProtocolErrorException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolErrorException(String message) {
            super(message);
        }
    }

    private final Schema schema;
    private final UnixSocket socket;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final FdQueue outFds = new FdQueue();
    private final FdQueue inFds = new FdQueue();
    private final Map<Integer, Interface> objects = new java.util.HashMap<>();
    private final Map<Integer, Global> globals = new LinkedHashMap<>();
    private final Set<Integer> released = new HashSet<>();
    private final Set<Integer> callbacksDone = new HashSet<>();
    private final List<Consumer<Message>> listeners = new ArrayList<>();
    private int nextId = 2;
    /** Ids the compositor confirmed free (delete_id), reused first as libwayland does, so ids stay low. */
    private final java.util.ArrayDeque<Integer> freeIds = new java.util.ArrayDeque<>();
    private final int registry;
    private int configureSerial = -1;

    private WaylandClient(Schema schema, UnixSocket socket) throws IOException {
        this.schema = schema;
        this.socket = socket;
        objects.put(1, schema.require("wl_display"));
        registry = newObject("wl_registry");
        request(1, "get_registry", registry);
        roundtrip();
    }

    /** Connects to the compositor (or Crossway) socket and reads the globals. */
    public static WaylandClient connect(Path socketPath, Schema schema) throws IOException {
        return new WaylandClient(schema, UnixSocket.connect(socketPath));
    }

    /** The globals announced so far, by name. */
    public Map<Integer, Global> globals() {
        return globals;
    }

    /** Adds a listener, called for every event after the client's own bookkeeping. */
    public void onEvent(Consumer<Message> l) {
        listeners.add(l);
    }

    /** Reserves a client id for a new object of {@code iface}. */
    public int newObject(String iface) {
        int id = freeIds.isEmpty() ? nextId++ : freeIds.pop();
        callbacksDone.remove(id);
        released.remove(id);
        objects.put(id, schema.require(iface));
        return id;
    }

    /** Binds the first global of {@code iface} at {@code version} (or the global's, if lower). */
    public int bind(String iface, int version) throws IOException {
        for (Global g : globals.values()) {
            if (g.interfaceName().equals(iface)) {
                return bind(g, version);
            }
        }
        throw new IOException("the compositor offers no " + iface + " (globals: "
                + globals.values().stream().map(Global::interfaceName).distinct().toList() + ")");
    }

    /** Binds {@code g} at {@code version} (or the global's, if lower). */
    public int bind(Global g, int version) throws IOException {
        int id = newObject(g.interfaceName());
        request(registry, "bind", g.name(), new NewId(g.interfaceName(), Math.min(version, g.version()), id));
        return id;
    }

    /**
     * Makes an xdg toplevel titled {@code title} on the first {@code wl_compositor} and
     * {@code xdg_wm_base} and acknowledges its first configure; it maps with the first buffer committed.
     */
    public Toplevel toplevel(String title) throws IOException {
        int compositor = bind("wl_compositor", 4);
        int wmBase = bind("xdg_wm_base", 1);
        int surface = newObject("wl_surface");
        request(compositor, "create_surface", surface);
        int xdgSurface = newObject("xdg_surface");
        request(wmBase, "get_xdg_surface", xdgSurface, surface);
        int toplevel = newObject("xdg_toplevel");
        request(xdgSurface, "get_toplevel", toplevel);
        request(toplevel, "set_title", title);
        request(surface, "commit");
        flush();
        configureSerial = -1;
        while (configureSerial < 0) {
            dispatch();
        }
        request(xdgSurface, "ack_configure", configureSerial);
        return new Toplevel(surface, xdgSurface, toplevel);
    }

    /** Queues a request; {@link #flush()} sends it. fd arguments are given as ints and closed after sending. */
    public void request(int objectId, String name, Object... args) throws IOException {
        Interface iface = objects.get(objectId);
        if (iface == null) {
            throw new IllegalArgumentException("no object " + objectId + " (destroyed, or never made)");
        }
        MessageSpec spec = iface.message(true, name);
        if (spec == null) {
            throw new IllegalArgumentException(iface.name() + " has no request " + name);
        }
        if (out.remaining() < Wire.MAX_MESSAGE_SIZE || outFds.size() > 20) {
            flush();
        }
        try {
            MessageCodec.encode(new Message(objectId, spec, args), out, outFds);
        } catch (WireException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (spec.isDestructor()) {
            objects.remove(objectId);
        }
    }

    public void flush() throws IOException {
        out.flip();
        if (out.hasRemaining()) {
            socket.send(out, outFds);
        }
        out.clear();
    }

    /** Sends a {@code wl_display.sync} and reads events until it is done. */
    public void roundtrip() throws IOException {
        int callback = newObject("wl_callback");
        request(1, "sync", callback);
        awaitCallback(callback);
    }

    /** Flushes, then reads events until the {@code wl_callback} {@code callback} is done. */
    public void awaitCallback(int callback) throws IOException {
        flush();
        while (!callbacksDone.remove(callback)) {
            dispatch();
        }
    }

    /** Whether the compositor released {@code buffer} since {@link #attached} was last called for it. */
    public boolean isReleased(int buffer) {
        return released.contains(buffer);
    }

    /** Marks a new buffer free: it was never attached. */
    public void free(int buffer) {
        released.add(buffer);
    }

    /** Marks {@code buffer} as held by the compositor until its {@code wl_buffer.release}. */
    public void attached(int buffer) {
        released.remove(buffer);
    }

    /** Flushes, then reads events until {@code buffer} is released. */
    public void awaitRelease(int buffer) throws IOException {
        flush();
        while (!released.contains(buffer)) {
            dispatch();
        }
    }

    /** Blocks for one read from the socket and handles every whole event in it. */
    public void dispatch() throws IOException {
        int n = socket.receive(in, inFds);
        if (n < 0) {
            throw new IOException("the compositor (or Crossway) closed the connection");
        }
        in.flip();
        int pos = in.position();
        try {
            while (true) {
                int size = Wire.checkedSize(in, pos, in.limit());
                if (size == 0 || in.limit() - pos < size) {
                    break;
                }
                handle(pos);
                pos += size;
            }
        } catch (WireException e) {
            throw new IOException(e.getMessage(), e);
        }
        in.position(pos);
        in.compact();
    }

    private void handle(int pos) throws WireException, IOException {
        int id = Wire.objectId(in, pos);
        Interface iface = objects.get(id);
        if (iface == null) {
            return; // an object we destroyed; libwayland drops these too
        }
        MessageSpec spec = iface.event(Wire.opcode(in, pos));
        Message m = MessageCodec.decode(in, pos, spec, inFds);
        List<Arg> args = spec.args();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).type() == ArgType.NEW_ID) {
                objects.put(m.intArg(i), schema.require(args.get(i).interfaceName()));
            }
        }
        switch (iface.name() + "." + spec.name()) {
            case "wl_display.error" -> throw new ProtocolErrorException("error on object " + m.intArg(0) + ", code " + m.intArg(1)
                    + ": " + m.stringArg(2));
            case "wl_display.delete_id" -> {
                objects.remove(m.intArg(0));
                freeIds.push(m.intArg(0));
            }
            case "wl_registry.global" -> globals.put(m.intArg(0), new Global(m.intArg(0), m.stringArg(1), m.intArg(2)));
            case "wl_registry.global_remove" -> globals.remove(m.intArg(0));
            case "wl_callback.done" -> callbacksDone.add(id);
            case "wl_buffer.release" -> released.add(id);
            case "xdg_surface.configure" -> configureSerial = m.intArg(0);
            case "xdg_wm_base.ping" -> {
                request(id, "pong", m.intArg(0));
                flush();
            }
            default -> {
            }
        }
        for (Consumer<Message> l : listeners) {
            l.accept(m);
        }
    }

    @Override
    public void close() {
        inFds.closeAll(Fds.CLOSER);
        socket.close();
    }
}
