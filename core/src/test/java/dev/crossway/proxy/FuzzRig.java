package dev.crossway.proxy;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.fd.FdTranslation;
import dev.crossway.proxy.intercept.GlobalClasses;
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.intercept.TitleTagInterceptor;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import dev.crossway.wire.Wire;
import dev.crossway.wire.WireException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One whole in-memory session for the fuzz harnesses ({@link SessionFuzzTest}): the production
 * interceptors with separate memory (the VM path: shm mirrored, ids translated), a {@link MemoryKernel}
 * for every fd, and a compositor thread that answers as libwayland-server and a small compositor would
 * (globals, syncs, formats, keymaps, frame callbacks, releases, delete_ids). Everything runs on the
 * calling thread, a step at a time (see {@link Session#startInline}): the same input always takes the same
 * path, as a fuzzer needs, and thousands of sessions a second fit. After the input,
 * {@link #finish()} checks that the session ended cleanly: no internal error told to the client, nothing
 * malformed sent to the host, no fd, mapping, host buffer, budget or thread left.
 */
final class FuzzRig {
    static final Schema SCHEMA = SchemaLoader.loadBundled();
    static final Capabilities SEPARATE = new Capabilities(false, true, 28, 65536);
    /** The compositor's globals, by name from 1. */
    static final List<String[]> GLOBALS = List.of(new String[] {"wl_compositor", "5"}, new String[] {"wl_shm", "1"},
            new String[] {"wl_seat", "7"}, new String[] {"xdg_wm_base", "5"}, new String[] {"wl_data_device_manager", "3"},
            new String[] {"wp_viewporter", "1"}, new String[] {"zwp_primary_selection_device_manager_v1", "1"},
            new String[] {"wl_subcompositor", "1"}, new String[] {"wl_output", "4"});
    private static final RegistryPolicy POLICY = new RegistryPolicy(SCHEMA, GlobalClasses.builtIn(), RegistryPolicy.Rules.NONE,
            FdTranslation.of(SEPARATE)::carries);
    private static final AtomicInteger IDS = new AtomicInteger(1_000_000);

    final MemoryKernel kernel = new MemoryKernel();
    final MemoryConnection app;
    final MemoryConnection compositor;
    final HeapHostConnection host;
    final Session session;
    final FdBudget budget = new FdBudget(10_000);
    /** The session's ends of both connections. */
    private final MemoryConnection[] sessionEnds;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final int id = IDS.incrementAndGet();
    private String hostSawMalformed;
    private boolean requestsEnded;
    private boolean eventsEnded;
    private final ByteArrayOutputStream hostPending = new ByteArrayOutputStream();
    private final FdQueue hostFds = new FdQueue();
    private final List<String> errorsToClient = new ArrayList<>();
    private final ByteArrayOutputStream appPending = new ByteArrayOutputStream();
    private boolean appEnded;
    private boolean compositorEnded;

    FuzzRig() {
        MemoryConnection[] client = MemoryConnection.pair(SEPARATE);
        MemoryConnection[] hostPair = MemoryConnection.pair(SEPARATE);
        app = client[0];
        compositor = hostPair[1];
        sessionEnds = new MemoryConnection[] {client[1], hostPair[0]};
        for (MemoryConnection end : List.of(app, compositor, client[1], hostPair[0])) {
            end.closeFdsWith(kernel); // a send that fails closes its fds, as the Connection contract says
        }
        host = new HeapHostConnection(hostPair[0], kernel, SEPARATE);
        List<InterceptorFactory> interceptors = new ArrayList<>();
        interceptors.add(s -> new PrimarySelectionAliasInterceptor(s, POLICY));
        interceptors.add(s -> new RegistryInterceptor(s, POLICY));
        interceptors.addAll(FdTranslation.of(SEPARATE).interceptors(ShmLimits.of(16 << 20, 64 << 20, 32)));
        TitleTagInterceptor tags = new TitleTagInterceptor("[vm] ", "vm.");
        interceptors.add(s -> tags);
        SessionOptions options = new SessionOptions(SCHEMA, interceptors, false, false, new SessionLimits(64, 4096, budget), HostCheck.OFF);
        session = new Session(id, client[1], host, options, new SessionListener() {
            @Override
            public void sessionClosed(Session s, SessionStats stats) {
                closed.countDown();
            }
        }, kernel);
        objects.put(1, SCHEMA.require("wl_display"));
        session.startInline();
    }

    // ---------------------------------------------------------------- driving

    /** The client sends {@code bytes} with {@code fds} new 8 KiB files; everything it causes happens before this returns. */
    void appSends(byte[] bytes, int fds) throws Exception {
        FdQueue q = new FdQueue();
        for (int i = 0; i < fds; i++) {
            q.add(kernel.newFile(8192));
        }
        if (bytes.length == 0 && fds == 0) {
            return;
        }
        try {
            app.send(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), q);
        } catch (java.io.IOException e) {
            return; // the session has ended; the failed send closed the fds
        }
        pump();
    }

    /** The compositor sends {@code bytes} with {@code fds} new files (a keymap's or a table's memory). */
    void hostSends(byte[] bytes, int fds) throws Exception {
        FdQueue q = new FdQueue();
        for (int i = 0; i < fds; i++) {
            q.add(kernel.newFile(64));
        }
        try {
            compositor.send(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), q);
        } catch (java.io.IOException e) {
            return;
        }
        pump();
    }

    /**
     * Runs everyone until nothing moves: the request relay, the compositor, the event relay and the
     * client, each a step at a time, on this thread. Deterministic: the same input always goes the same way.
     */
    private void pump() throws Exception {
        boolean moved = true;
        while (moved) {
            moved = false;
            if (!requestsEnded && sessionEnds[0].hasPending()) {
                requestsEnded = !session.stepRequests();
                moved = true;
            }
            if (!compositorEnded && compositor.hasPending()) {
                serve();
                moved = true;
            }
            if (!eventsEnded && sessionEnds[1].hasPending()) {
                eventsEnded = !session.stepEvents();
                moved = true;
            }
            if (!appEnded && app.hasPending()) {
                readApp();
                moved = true;
            }
        }
    }

    /** Takes one chunk of what reached the client. */
    private void readApp() throws Exception {
        MemoryConnection.Chunk c = app.next(0);
        if (c == null || MemoryConnection.isEof(c)) {
            appEnded = c != null;
            return;
        }
        for (int fd : c.fds()) {
            kernel.close(fd); // what the client was given (keymap copies) is the client's to close
        }
        appPending.write(c.bytes());
        ByteBuffer b = ByteBuffer.wrap(appPending.toByteArray()).order(ByteOrder.nativeOrder());
        int at = 0;
        while (b.limit() - at >= Wire.HEADER_SIZE) {
            int size = Wire.size(b, at);
            if (size < Wire.HEADER_SIZE || size > b.limit() - at) {
                break;
            }
            if (Wire.objectId(b, at) == 1 && Wire.opcode(b, at) == 0) {
                try {
                    errorsToClient.add(MessageCodec.decode(b, at, SCHEMA.require("wl_display").event(0), new FdQueue()).stringArg(2));
                } catch (WireException e) {
                    errorsToClient.add("(malformed wl_display.error: " + e.getMessage() + ")");
                }
            }
            at += size;
        }
        appPending.reset();
        appPending.write(b.array(), at, b.limit() - at);
    }

    /**
     * Ends the input: the client hangs up, and the session must end, leaving nothing behind.
     *
     * @throws AssertionError describing what went wrong
     */
    void finish() throws Exception {
        app.close();
        pump();
        if (!requestsEnded || !eventsEnded || !closed.await(0, TimeUnit.SECONDS)) {
            throw new AssertionError("the session did not end when its client hung up (request relay "
                    + (requestsEnded ? "ended" : "running") + ", event relay " + (eventsEnded ? "ended" : "running") + ")");
        }
        compositor.close();
        for (MemoryConnection end : sessionEnds) {
            end.dropUnreceived(kernel); // what was sent after the session stopped reading: the kernel's to free
        }
        hostFds.closeAll(kernel);
        if (Boolean.getBoolean("crossway.fuzz.verbose") && !errorsToClient.isEmpty()) {
            System.out.println("client " + id + " was told: " + errorsToClient);
        }
        for (String e : errorsToClient) {
            if (e.startsWith("Crossway internal error")) {
                throw new AssertionError("the client was told of an internal error (see the log for the incident): " + e);
            }
        }
        if (hostSawMalformed != null) {
            throw new AssertionError("Crossway sent the host a message it cannot parse: " + hostSawMalformed);
        }
        if (!kernel.openGuestMemories.isEmpty() || kernel.liveMappings() != 0 || host.openBuffers() != 0) {
            throw new AssertionError("left open: " + kernel.openGuestMemories.size() + " pools, " + kernel.liveMappings()
                    + " mappings, " + host.openBuffers() + " host buffers");
        }
        if (!kernel.files.isEmpty()) {
            StringBuilder what = new StringBuilder();
            kernel.files.forEach((fd, f) -> what.append(fd).append(" (").append(f.capacity()).append(" bytes").append(
                    kernel.sealed.contains(fd) ? ", sealed" : "").append(") "));
            throw new AssertionError("fds left open: " + what.toString().strip());
        }
        if (budget.used() != 0) {
            throw new AssertionError("fds still counted against the daemon: " + budget.used());
        }
    }

    // ---------------------------------------------------------------- the compositor

    /** libwayland-server's side: the objects of this client, by host id. */
    private final Map<Integer, Interface> objects = new java.util.concurrent.ConcurrentHashMap<>();
    private int serial;

    /** Handles what the session sent the compositor so far. */
    private void serve() throws Exception {
        MemoryConnection.Chunk c = compositor.next(0);
        if (c == null || MemoryConnection.isEof(c)) {
            compositorEnded = c != null;
            return;
        }
        for (int fd : c.fds()) {
            hostFds.add(fd);
        }
        hostPending.write(c.bytes());
        ByteBuffer b = ByteBuffer.wrap(hostPending.toByteArray()).order(ByteOrder.nativeOrder());
        int at = 0;
        while (b.limit() - at >= Wire.HEADER_SIZE && hostSawMalformed == null) {
            int size = Wire.size(b, at);
            if (size < Wire.HEADER_SIZE || (size & 3) != 0) {
                hostSawMalformed = "a message of size " + size;
                break;
            }
            if (size > b.limit() - at) {
                break;
            }
            handle(b, at, hostFds);
            at += size;
        }
        hostPending.reset();
        hostPending.write(b.array(), at, b.limit() - at);
    }

    private void handle(ByteBuffer b, int at, FdQueue fds) throws Exception {
        int target = Wire.objectId(b, at);
        Interface iface = objects.get(target);
        if (iface == null) {
            return; // an object this compositor destroyed, or one Crossway made without telling (it would be malformed below)
        }
        MessageSpec spec = iface.request(Wire.opcode(b, at));
        if (spec == null) {
            hostSawMalformed = iface.name() + " has no request " + Wire.opcode(b, at);
            return;
        }
        Message m;
        try {
            m = MessageCodec.decode(b, at, spec, fds);
        } catch (WireException e) {
            hostSawMalformed = e.getMessage();
            return;
        }
        for (int fd : m.fds()) {
            kernel.close(fd);
        }
        List<Arg> args = spec.args();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).type() == ArgType.NEW_ID) {
                String name = args.get(i).isUntypedNewId() ? m.newIdArg(i).interfaceName() : args.get(i).interfaceName();
                int newId = args.get(i).isUntypedNewId() ? m.newIdArg(i).id() : m.intArg(i);
                Interface created = SCHEMA.find(name);
                if (created != null) {
                    objects.put(newId, created);
                }
            }
        }
        switch (spec.qualifiedName()) {
            case "wl_display.sync", "wl_surface.frame" -> {
                int cb = m.intArg(0);
                send(event(cb, "wl_callback", "done", ++serial), deleteId(cb));
                objects.remove(cb);
            }
            case "wl_display.get_registry" -> {
                List<Message> globals = new ArrayList<>();
                for (int i = 0; i < GLOBALS.size(); i++) {
                    globals.add(event(m.intArg(0), "wl_registry", "global", i + 1, GLOBALS.get(i)[0], Integer.parseInt(GLOBALS.get(i)[1])));
                }
                send(globals.toArray(new Message[0]));
            }
            case "wl_registry.bind" -> {
                NewId n = m.newIdArg(1);
                if (n.interfaceName().equals("wl_shm")) {
                    send(event(n.id(), "wl_shm", "format", 0), event(n.id(), "wl_shm", "format", 1));
                } else if (n.interfaceName().equals("wl_seat")) {
                    send(event(n.id(), "wl_seat", "capabilities", 3));
                }
            }
            case "wl_seat.get_keyboard" -> {
                int keymap = kernel.newFile(48);
                kernel.file(keymap).put(0, "xkb_keymap { };".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                FdQueue q = new FdQueue();
                q.add(keymap);
                ByteBuffer out = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
                MessageCodec.encode(event(m.intArg(0), "wl_keyboard", "keymap", 1, keymap, 48), out, new FdQueue());
                reply(out.flip(), q);
            }
            case "wl_surface.attach" -> {
                int buffer = m.intArg(0);
                if (buffer != 0 && objects.get(buffer) != null) {
                    send(event(buffer, "wl_buffer", "release"));
                }
            }
            default -> {
                if (spec.isDestructor() && Integer.compareUnsigned(target, ObjectTable.SERVER_ID_START) < 0) {
                    objects.remove(target);
                    send(deleteId(target));
                }
            }
        }
    }

    /** The compositor's objects now, host id to interface name (for writing seeds). */
    synchronized Map<Integer, String> hostObjects() {
        Map<Integer, String> out = new java.util.TreeMap<>();
        objects.forEach((k, v) -> out.put(k, v.name()));
        return out;
    }

    private static Message event(int id, String iface, String name, Object... args) {
        return new Message(id, SCHEMA.require(iface).message(false, name), args);
    }

    private static Message deleteId(int id) {
        return event(1, "wl_display", "delete_id", id);
    }

    private void send(Message... events) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(16384).order(ByteOrder.nativeOrder());
        for (Message e : events) {
            MessageCodec.encode(e, out, new FdQueue());
        }
        reply(out.flip(), new FdQueue());
    }

    /**
     * The compositor answers; once the session has closed its end (after a protocol error, with requests
     * still queued), the write fails, as a real compositor's would, and the answer and its fds are dropped.
     */
    private void reply(ByteBuffer out, FdQueue fds) {
        try {
            compositor.send(out, fds);
        } catch (java.io.IOException e) {
            // the session is gone: MemoryConnection closed the fds
        }
    }
}
