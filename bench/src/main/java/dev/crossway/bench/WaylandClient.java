package dev.crossway.bench;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A small synchronous Wayland client built on Crossway's own codec, for workloads and tests: it
 * sends requests, reads events, tracks objects and answers {@code xdg_wm_base.ping}. Not
 * thread-safe; one client per thread.
 */
public final class WaylandClient implements AutoCloseable {
    /** An xdg toplevel window's objects. */
    public record Toplevel(int surface, int xdgSurface, int toplevel) {
    }

    /** A global as the registry announced it. */
    public record Global(int name, String interfaceName, int version) {
    }

    private final Schema schema;
    private final UnixSocket socket;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final FdQueue outFds = new FdQueue();
    private final FdQueue inFds = new FdQueue();
    private final Map<Integer, Interface> objects = new HashMap<>();
    private final Map<Integer, Global> globals = new LinkedHashMap<>();
    private Consumer<Message> listener = m -> { };
    private int nextId = 2;
    private final int registry;
    private boolean syncDone;
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

    public Map<Integer, Global> globals() {
        return globals;
    }

    /** Called for every event after the client's own bookkeeping. */
    public void onEvent(Consumer<Message> l) {
        this.listener = l;
    }

    /** Reserves a client id for a new object of {@code iface}. */
    public int newObject(String iface) {
        int id = nextId++;
        objects.put(id, schema.require(iface));
        return id;
    }

    /** Binds the first global of {@code iface} at {@code version} (or the global's, if lower). */
    public int bind(String iface, int version) throws IOException {
        for (Global g : globals.values()) {
            if (g.interfaceName().equals(iface)) {
                int id = newObject(iface);
                request(registry, "bind", g.name(), new NewId(iface, Math.min(version, g.version()), id));
                return id;
            }
        }
        throw new IOException("the compositor offers no " + iface);
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
        flush();
        syncDone = false;
        pendingSync = callback;
        while (!syncDone) {
            dispatch();
        }
    }

    private int pendingSync;

    /** Blocks for one read from the socket and handles every whole event in it. */
    public void dispatch() throws IOException {
        int n = socket.receive(in, inFds);
        if (n < 0) {
            throw new IOException("the compositor closed the connection");
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
            case "wl_display.error" -> throw new IOException("protocol error on object " + m.intArg(0) + ": " + m.stringArg(2));
            case "wl_display.delete_id" -> objects.remove(m.intArg(0));
            case "wl_registry.global" -> globals.put(m.intArg(0), new Global(m.intArg(0), m.stringArg(1), m.intArg(2)));
            case "wl_registry.global_remove" -> globals.remove(m.intArg(0));
            case "wl_callback.done" -> {
                if (id == pendingSync) {
                    syncDone = true;
                }
            }
            case "xdg_surface.configure" -> configureSerial = m.intArg(0);
            case "xdg_wm_base.ping" -> {
                request(id, "pong", m.intArg(0));
                flush();
            }
            default -> {
            }
        }
        listener.accept(m);
    }

    @Override
    public void close() {
        inFds.closeAll(dev.crossway.linux.Fds.CLOSER);
        socket.close();
    }
}
