package dev.crossway.linux.testing;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixServerSocket;
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
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small compositor on a real Unix socket, for tests that need a host that answers as libwayland-server
 * and a compositor would: globals, {@code wl_display.sync} and frame callbacks, {@code wl_shm} formats, seat
 * capabilities and a keymap, {@code delete_id} for destroyed objects, buffer releases. Each connection has
 * its own thread and object table (host ids); a test may also send any bytes and fds on a connection, as a
 * compositor that breaks the protocol would ({@link Client#send}). Fds it receives are closed.
 */
public final class TestCompositor implements AutoCloseable {
    /** Globals offered, by name from 1: interface and version. */
    public static final List<String[]> GLOBALS = List.of(new String[] {"wl_compositor", "5"}, new String[] {"wl_shm", "1"},
            new String[] {"wl_seat", "7"}, new String[] {"xdg_wm_base", "5"}, new String[] {"wl_data_device_manager", "3"});

    private final Schema schema;
    private final UnixServerSocket server;
    private final Thread acceptThread;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private volatile boolean closing;

    public TestCompositor(Path socket, Schema schema) throws IOException {
        this.schema = schema;
        this.server = UnixServerSocket.bind(socket);
        this.acceptThread = new Thread(this::accept, "test-compositor-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
    }

    private void accept() {
        while (!closing) {
            try {
                Client c = new Client(server.accept());
                clients.add(c);
                c.thread.start();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closing) {
                    throw new IllegalStateException(e);
                }
                return;
            }
        }
    }

    /** Connections so far, probes included, in the order they came. */
    public List<Client> clients() {
        return clients;
    }

    /** The latest connection that has sent something (a transport's probe at open sends nothing). */
    public Client lastActive() {
        for (int i = clients.size() - 1; i >= 0; i--) {
            if (clients.get(i).requests.get() > 0) {
                return clients.get(i);
            }
        }
        throw new IllegalStateException("no client has sent anything yet");
    }

    @Override
    public void close() {
        closing = true;
        server.close();
        for (Client c : clients) {
            c.socket.close();
        }
    }

    /** One client connection: its socket, its objects by host id, and its thread. */
    public final class Client {
        private final UnixSocket socket;
        private final Thread thread;
        private final Map<Integer, Interface> objects = new ConcurrentHashMap<>();
        private final AtomicInteger requests = new AtomicInteger();
        private int serial;

        Client(UnixSocket socket) {
            this.socket = socket;
            this.thread = new Thread(this::serve, "test-compositor-client");
            thread.setDaemon(true);
            objects.put(1, schema.require("wl_display"));
        }

        /** The host id of this client's (first) live object of {@code iface}. */
        public int hostId(String iface) {
            return objects.entrySet().stream().filter(e -> e.getValue().name().equals(iface)).mapToInt(Map.Entry::getKey).min()
                    .orElseThrow(() -> new IllegalStateException("the client has no " + iface + ": " + objects));
        }

        /** Sends {@code bytes} and {@code fds} (which it then owns) to the client, as they are. */
        public void send(ByteBuffer bytes, int... fds) throws IOException {
            FdQueue q = new FdQueue();
            for (int fd : fds) {
                q.add(fd);
            }
            synchronized (this) {
                socket.send(bytes, q);
            }
        }

        /** Ends the connection, as libwayland-server does once it has sent a client {@code wl_display.error}. */
        public void hangUp() {
            socket.close();
        }

        /** Sends events, encoded. */
        public void send(Message... events) throws IOException {
            ByteBuffer out = ByteBuffer.allocateDirect(16384).order(ByteOrder.nativeOrder());
            FdQueue fds = new FdQueue();
            try {
                for (Message e : events) {
                    MessageCodec.encode(e, out, fds);
                }
            } catch (WireException e) {
                throw new IOException(e);
            }
            out.flip();
            synchronized (this) {
                socket.send(out, fds);
            }
        }

        private void serve() {
            ByteBuffer in = ByteBuffer.allocateDirect(65536).order(ByteOrder.nativeOrder());
            FdQueue fds = new FdQueue();
            try {
                while (true) {
                    if (socket.receive(in, fds) < 0) {
                        return;
                    }
                    in.flip();
                    while (in.remaining() >= Wire.HEADER_SIZE) {
                        int size = Wire.size(in, in.position());
                        if (size < Wire.HEADER_SIZE || size > in.remaining()) {
                            break;
                        }
                        requests.incrementAndGet();
                        handle(in, in.position(), fds);
                        in.position(in.position() + size);
                    }
                    in.compact();
                }
            } catch (IOException | WireException e) {
                // the connection ended, or the relay sent what a compositor would refuse: this one stops
            } finally {
                fds.closeAll(Fds.CLOSER);
                socket.close();
            }
        }

        private void handle(ByteBuffer b, int at, FdQueue fds) throws IOException, WireException {
            int target = Wire.objectId(b, at);
            Interface iface = objects.get(target);
            MessageSpec spec = iface == null ? null : iface.request(Wire.opcode(b, at));
            if (spec == null) {
                throw new WireException(WireException.Kind.UNKNOWN_OBJECT, target, "no such object or request");
            }
            Message m = MessageCodec.decode(b, at, spec, fds);
            for (int fd : m.fds()) {
                Fds.close(fd);
            }
            List<Arg> args = spec.args();
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).type() == ArgType.NEW_ID) {
                    NewId untyped = args.get(i).isUntypedNewId() ? m.newIdArg(i) : null;
                    Interface created = schema.find(untyped != null ? untyped.interfaceName() : args.get(i).interfaceName());
                    if (created != null) {
                        objects.put(untyped != null ? untyped.id() : m.intArg(i), created);
                    }
                }
            }
            switch (spec.qualifiedName()) {
                case "wl_display.sync", "wl_surface.frame" -> {
                    int cb = m.intArg(0);
                    objects.remove(cb);
                    send(event(cb, "wl_callback", "done", ++serial), event(1, "wl_display", "delete_id", cb));
                }
                case "wl_display.get_registry" -> {
                    Message[] globals = new Message[GLOBALS.size()];
                    for (int i = 0; i < globals.length; i++) {
                        globals[i] = event(m.intArg(0), "wl_registry", "global", i + 1, GLOBALS.get(i)[0], Integer.parseInt(GLOBALS.get(i)[1]));
                    }
                    send(globals);
                }
                case "wl_registry.bind" -> {
                    NewId n = m.newIdArg(1);
                    if (n.interfaceName().equals("wl_shm")) {
                        send(event(n.id(), "wl_shm", "format", 0), event(n.id(), "wl_shm", "format", 1));
                    } else if (n.interfaceName().equals("wl_seat")) {
                        send(event(n.id(), "wl_seat", "capabilities", 3));
                    }
                }
                case "wl_surface.attach" -> {
                    if (m.intArg(0) != 0) {
                        send(event(m.intArg(0), "wl_buffer", "release"));
                    }
                }
                default -> {
                    if (spec.isDestructor() && Integer.compareUnsigned(target, 0xff000000) < 0) {
                        objects.remove(target);
                        send(event(1, "wl_display", "delete_id", target));
                    }
                }
            }
        }

        private Message event(int id, String iface, String name, Object... args) {
            return new Message(id, schema.require(iface).message(false, name), args);
        }
    }
}
