package dev.crossway.transport.loopback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxKernel;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.testing.OpenFds;
import dev.crossway.linux.testing.TestCompositor;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.FdBudget;
import dev.crossway.proxy.HostCheck;
import dev.crossway.proxy.InterceptorFactory;
import dev.crossway.proxy.ObjectTable;
import dev.crossway.proxy.ProtocolError;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionLimits;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.SessionStats;
import dev.crossway.proxy.fd.FdTranslation;
import dev.crossway.proxy.intercept.GlobalClasses;
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.Transport;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import dev.crossway.wire.WireException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-message catalogue: each class of broken message a guest client or the host compositor may
 * send, and what Crossway answers. For each, over real sockets (loopback with separate memory, so ids are
 * translated and shm is mirrored, as on a VM), a client sets up a window with a pool and a buffer, then it
 * (or the compositor, on its connection) sends the message: that client gets exactly one
 * {@code wl_display.error}, naming the fault, and is disconnected; a second client, connected all along,
 * still makes round trips; and the process's fds are back to what they were before the first client came.
 *
 * <p>{@code docs/MALFORMED-MESSAGES.md} is generated from this list ({@code -Dcrossway.updateGolden=true}
 * rewrites it); a test fails when the two differ.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MalformedMessageCatalogueTest {
    static Schema schema;
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    Path dir;
    private TestCompositor compositor;
    private Transport transport;
    private SessionOptions options;
    private Client bystander;

    /** Who sent the broken message. */
    enum Side { CLIENT, HOST }

    /** What one case sends, once the client has its window, pool and buffer. */
    interface Send {
        void send(Client c) throws Exception;
    }

    /**
     * One class of broken message.
     *
     * @param answer the start of the error's message, as the client gets it
     */
    record Case(String name, Side side, String sent, Send send, int object, int code, String answer) {
        @Override
        public String toString() {
            return side.name().toLowerCase() + ": " + name;
        }
    }

    // Client ids of the objects every case starts with.
    static final int REGISTRY = 2;
    static final int COMPOSITOR = 3;
    static final int SHM = 4;
    static final int SEAT = 5;
    static final int WM_BASE = 6;
    static final int SURFACE = 7;
    static final int POOL = 8;
    static final int BUFFER = 9;
    static final int XDG_SURFACE = 10;
    static final int TOPLEVEL = 11;
    static final int KEYBOARD = 12;
    static final int NEXT = 13;

    static final int INVALID_OBJECT = ProtocolError.INVALID_OBJECT;
    static final int INVALID_METHOD = ProtocolError.INVALID_METHOD;
    static final int NO_MEMORY = ProtocolError.NO_MEMORY;
    static final int IMPLEMENTATION = ProtocolError.IMPLEMENTATION;
    static final int SHM_INVALID_FORMAT = 0;
    static final int SHM_INVALID_STRIDE = 1;
    static final int SHM_INVALID_FD = 2;

    static List<Case> catalogue() {
        List<Case> c = new ArrayList<>();
        // ---- from the client ----
        c.add(client("message size below the header", "a header whose size is 4",
                x -> x.raw(1, 4 << 16), 1, INVALID_METHOD, "message size 4 is smaller than the 8-byte header"));
        c.add(client("message size not a multiple of 4", "a wl_display.sync whose size is 14",
                x -> x.raw(1, 14 << 16, NEXT, 0), 1, INVALID_METHOD, "message size 14 is not a multiple of 4"));
        c.add(client("message size above 4096 bytes", "a header whose size is 8192",
                x -> x.raw(1, 8192 << 16), 1, INVALID_METHOD, "message size 8192 exceeds the maximum of 4096"));
        c.add(client("request to an object that does not exist", "wl_surface.commit on id 500",
                x -> x.raw(500, 8 << 16 | 6), 500, INVALID_OBJECT, "request for unknown object 500"));
        c.add(client("opcode the interface lacks", "opcode 40 on wl_surface",
                x -> x.raw(SURFACE, 8 << 16 | 40), SURFACE, INVALID_METHOD, "wl_surface@7 has no request with opcode 40"));
        c.add(client("request shorter than its signature", "wl_surface.attach with no arguments",
                x -> x.raw(SURFACE, 8 << 16 | 1), SURFACE, INVALID_METHOD, "wl_surface.attach: 8 bytes, but its arguments take 20"));
        c.add(client("bytes after the last argument", "wl_surface.commit with 4 more bytes",
                x -> x.raw(SURFACE, 12 << 16 | 6, 0), SURFACE, INVALID_METHOD, "wl_surface.commit: 12 bytes, but its arguments take 8"));
        c.add(client("string without its NUL", "xdg_toplevel.set_title \"abcd\" with no terminator",
                x -> x.raw(TOPLEVEL, 16 << 16 | 2, 4, word("abcd")), TOPLEVEL, INVALID_METHOD,
                "xdg_toplevel.set_title: string 'title' is not NUL-terminated"));
        c.add(client("string longer than the message", "xdg_toplevel.set_title of 100 bytes in a 16-byte message",
                x -> x.raw(TOPLEVEL, 16 << 16 | 2, 100, 0), TOPLEVEL, INVALID_METHOD,
                "xdg_toplevel.set_title: string 'title' of 100 bytes overflows the message"));
        c.add(client("string length near 2^31", "xdg_toplevel.set_title of 2147483645 bytes",
                x -> x.raw(TOPLEVEL, 16 << 16 | 2, 0x7ffffffd, 0), TOPLEVEL, INVALID_METHOD,
                "xdg_toplevel.set_title: string 'title' of 2147483645 bytes overflows the message"));
        c.add(client("null where a string is required", "xdg_toplevel.set_title(null)",
                x -> x.raw(TOPLEVEL, 12 << 16 | 2, 0), TOPLEVEL, INVALID_METHOD, "xdg_toplevel.set_title: string 'title' is null but may not be"));
        c.add(client("null where an object is required", "xdg_wm_base.get_xdg_surface(new id, null surface)",
                x -> x.raw(WM_BASE, 16 << 16 | 2, NEXT, 0), WM_BASE, INVALID_METHOD,
                "xdg_wm_base.get_xdg_surface: object 'surface' is null but may not be"));
        c.add(client("new id 0", "wl_compositor.create_surface(0)",
                x -> x.raw(COMPOSITOR, 12 << 16, 0), COMPOSITOR, INVALID_OBJECT, "wl_compositor.create_surface: new id 0 is invalid"));
        c.add(client("new id already in use", "wl_compositor.create_surface(7), 7 being a live surface",
                x -> x.raw(COMPOSITOR, 12 << 16, SURFACE), COMPOSITOR, INVALID_OBJECT,
                "wl_compositor.create_surface: new id 7 is already in use by a wl_surface"));
        c.add(client("new id of a pool already in use", "wl_shm.create_pool(8), 8 being a live pool",
                x -> x.sendWithFd(memfd(4096), request(SHM, "wl_shm", "create_pool", POOL, -1, 4096)), SHM, INVALID_OBJECT,
                "wl_shm.create_pool: new id 8 is already in use by a wl_shm_pool"));
        c.add(client("new id of a buffer already in use", "wl_shm_pool.create_buffer(9), 9 being a live buffer",
                x -> x.send(request(POOL, "wl_shm_pool", "create_buffer", BUFFER, 0, 4, 4, 16, 1)), POOL, INVALID_OBJECT,
                "wl_shm_pool.create_buffer: new id 9 is already in use by a wl_buffer"));
        c.add(client("new id in the compositor's range", "wl_compositor.create_surface(0xff000010)",
                x -> x.raw(COMPOSITOR, 12 << 16, 0xff000010), COMPOSITOR, INVALID_OBJECT,
                "wl_compositor.create_surface: new id 4278190096 is not in the client id range"));
        c.add(client("new id above the object limit", "wl_compositor.create_surface(1001), the limit being 1000",
                x -> x.raw(COMPOSITOR, 12 << 16, 1001), COMPOSITOR, INVALID_OBJECT,
                "wl_compositor.create_surface: new id 1001 is out of range: a client may hold at most 1000 objects"));
        c.add(client("an object of Crossway's own", "wl_surface.commit on id 0xfe000000",
                x -> x.raw(ObjectTable.OWN_ID_START, 8 << 16 | 6), ObjectTable.OWN_ID_START, INVALID_OBJECT,
                "request for unknown object 4261412864"));
        c.add(client("new id of Crossway's own, with an fd", "wl_shm.create_pool(0xfe00000b, a memfd)",
                x -> x.sendWithFd(memfd(4096), request(SHM, "wl_shm", "create_pool", ObjectTable.OWN_ID_START + 11, -1, 4096)), SHM,
                INVALID_OBJECT, "wl_shm.create_pool: unknown object 4261412875"));
        c.add(client("request to a destroyed object", "wl_surface.commit after wl_surface.destroy",
                x -> x.raw(SURFACE, 8 << 16, SURFACE, 8 << 16 | 6), SURFACE, INVALID_OBJECT,
                "wl_surface.commit sent to wl_surface@7, which was already destroyed"));
        c.add(client("fd missing", "wl_shm.create_pool with no fd",
                x -> x.raw(SHM, 16 << 16, NEXT, 4096), SHM, INVALID_METHOD, "wl_shm.create_pool needs 1 fd(s) but 0 arrived"));
        c.add(client("too many fds ahead of their messages", "17 fds with a wl_display.sync, the limit being 16",
                x -> x.rawWithFds(17, 1, 12 << 16, NEXT), 1, NO_MEMORY, "Crossway's limit of 16 fds per client is reached"));
        c.add(client("bind of a global that does not exist", "wl_registry.bind(name 99)",
                x -> x.send(request(REGISTRY, "wl_registry", "bind", 99, new NewId("wl_output", 1, NEXT))), REGISTRY, INVALID_OBJECT,
                "invalid global wl_output (99)"));
        c.add(client("bind above the version offered", "wl_registry.bind(wl_compositor, version 9)",
                x -> x.send(request(REGISTRY, "wl_registry", "bind", 1, new NewId("wl_compositor", 9, NEXT))), REGISTRY, INVALID_OBJECT,
                "invalid version for global wl_compositor (1): have 9, wanted 1 to 5"));
        c.add(client("bind under another interface's name", "wl_registry.bind(name of wl_compositor, \"wl_output\")",
                x -> x.send(request(REGISTRY, "wl_registry", "bind", 1, new NewId("wl_output", 1, NEXT))), REGISTRY, INVALID_OBJECT,
                "invalid interface for global 1: have wl_output, wanted wl_compositor"));
        c.add(client("shm pool of size 0", "wl_shm.create_pool(size 0)",
                x -> x.sendWithFd(memfd(64), request(SHM, "wl_shm", "create_pool", NEXT, -1, 0)), SHM, SHM_INVALID_STRIDE, "invalid size (0)"));
        c.add(client("shm pool larger than its file", "wl_shm.create_pool(size 1 MiB) of a 4 KiB memfd",
                x -> x.sendWithFd(memfd(4096), request(SHM, "wl_shm", "create_pool", NEXT, -1, 1 << 20)), SHM, SHM_INVALID_FD,
                "failed mmap fd"));
        c.add(client("buffer outside its pool", "wl_shm_pool.create_buffer(64x64) in the 8 KiB pool",
                x -> x.send(request(POOL, "wl_shm_pool", "create_buffer", NEXT, 0, 64, 64, 256, 1)), POOL, SHM_INVALID_STRIDE,
                "invalid width, height or stride (64x64, 256)"));
        c.add(client("buffer of an unknown format", "wl_shm_pool.create_buffer(format 0x12345678)",
                x -> x.send(request(POOL, "wl_shm_pool", "create_buffer", NEXT, 0, 4, 4, 16, 0x12345678)), POOL, SHM_INVALID_FORMAT,
                "invalid format 0x12345678"));
        c.add(client("pool shrunk behind Crossway's back", "ftruncate(pool, 0), then a commit of its buffer",
                x -> {
                    x.shrinkPool();
                    x.send(request(SURFACE, "wl_surface", "attach", BUFFER, 0, 0), request(SURFACE, "wl_surface", "damage", 0, 0, 16, 16),
                            request(SURFACE, "wl_surface", "commit"));
                }, BUFFER, SHM_INVALID_FD, "error accessing SHM buffer: the file behind wl_shm_pool@8"));
        c.add(client("more pools than the limit", "a 5th wl_shm_pool, the limit being 4",
                x -> {
                    for (int i = 0; i < 4; i++) {
                        x.sendWithFd(memfd(4096), request(SHM, "wl_shm", "create_pool", NEXT + i, -1, 4096));
                    }
                }, 1, NO_MEMORY, "Crossway's limit of 4 wl_shm_pools per client is reached"));
        // ---- from the host ----
        c.add(host("event to an object that does not exist", "wl_callback.done on host id 900",
                x -> x.hostRaw(900, 12 << 16, 1), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: event for unknown object 900"));
        c.add(host("opcode the interface lacks", "opcode 30 on the client's wl_surface",
                x -> x.hostRaw(x.hostId("wl_surface"), 8 << 16 | 30), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_surface@7 has no event with opcode 30"));
        c.add(host("message size not a multiple of 4", "a wl_display.delete_id whose size is 10",
                x -> x.hostRaw(1, 10 << 16 | 1, 0), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: message size 10 is not a multiple of 4"));
        c.add(host("event shorter than its signature", "wl_surface.enter with no argument",
                x -> x.hostRaw(x.hostId("wl_surface"), 8 << 16), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_surface.enter: 8 bytes, but its arguments take 12"));
        c.add(host("null where an object is required", "wl_surface.enter(null)",
                x -> x.hostRaw(x.hostId("wl_surface"), 12 << 16, 0), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_surface.enter: object 'output' is null but may not be"));
        c.add(host("array longer than the message", "xdg_toplevel.configure(640, 480, an array of 100 bytes) in 20 bytes",
                x -> x.hostRaw(x.hostId("xdg_toplevel"), 20 << 16, 640, 480, 100), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: xdg_toplevel.configure: array 'states' of 100 bytes"
                        + " overflows the message"));
        c.add(host("string without its NUL", "wl_registry.global with an unterminated interface name",
                x -> x.hostRaw(x.hostId("wl_registry"), 24 << 16, 9, 4, word("abcd"), 1), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_registry.global: string 'interface' is not NUL-terminated"));
        c.add(host("event naming an object the client does not have", "wl_keyboard.enter naming surface id 777",
                x -> x.hostRaw(x.hostId("wl_keyboard"), 20 << 16 | 1, 1, 777, 0), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_keyboard.enter to wl_keyboard@12 names an object the client does not have"));
        c.add(host("delete_id of an id it never gave", "wl_display.delete_id(777)",
                x -> x.hostRaw(1, 12 << 16 | 1, 777), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_display.delete_id to wl_display@1 names an object the client does not have"));
        c.add(host("fd missing", "wl_keyboard.keymap with no fd",
                x -> x.hostRaw(x.hostId("wl_keyboard"), 16 << 16, 1, 64), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_keyboard.keymap needs 1 fd(s) but 0 arrived"));
        c.add(host("keymap larger than its file", "wl_keyboard.keymap(size 1 MiB) of a 64-byte memfd",
                x -> x.hostSendWithFd(memfd(64), x.hostId("wl_keyboard"), 16 << 16, 1, 1 << 20), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_keyboard.keymap of 1048576 bytes could not be copied"
                        + " for the client: the file behind the fd holds 64 bytes, fewer than the pool's 1048576"));
        c.add(host("keymap over 16 MiB", "wl_keyboard.keymap(size 64 MiB)",
                x -> x.hostSendWithFd(memfd(64), x.hostId("wl_keyboard"), 16 << 16, 1, 64 << 20), 1, IMPLEMENTATION,
                "Crossway: the host compositor sent a message that cannot be relayed: wl_keyboard.keymap of 67108864 bytes: more than the 16 MiB"
                        + " a keymap may take"));
        c.add(host("the compositor's own protocol error", "wl_display.error(wl_surface, 2, \"invalid size\"), then the hang-up",
                x -> {
                    x.hostSend(new Message(1, schema.require("wl_display").message(false, "error"), x.hostId("wl_surface"), 2,
                            "invalid size"));
                    x.host.hangUp();
                }, SURFACE, 2, "invalid size"));
        return c;
    }

    private static Case client(String name, String sent, Send send, int object, int code, String answer) {
        return new Case(name, Side.CLIENT, sent, send, object, code, answer);
    }

    private static Case host(String name, String sent, Send send, int object, int code, String answer) {
        return new Case(name, Side.HOST, sent, send, object, code, answer);
    }

    /** Four bytes of ASCII as one native-order word. */
    private static int word(String four) {
        return ByteBuffer.wrap(four.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.nativeOrder()).getInt();
    }

    private static int memfd(int size) throws IOException {
        return Fds.memfd("catalogue", size);
    }

    static Message request(int id, String iface, String name, Object... args) {
        return new Message(id, schema.require(iface).message(true, name), args);
    }

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
    }

    @BeforeEach
    void start() throws Exception {
        Path socket = dir.resolve("wayland-0");
        compositor = new TestCompositor(socket, schema);
        Map<String, String> opts = Map.of("host-display", socket.toString(), "memory", "separate");
        transport = new LoopbackTransportProvider(k -> null).open(opts::get);
        RegistryPolicy policy = new RegistryPolicy(schema, GlobalClasses.builtIn(), RegistryPolicy.Rules.NONE,
                FdTranslation.of(transport.capabilities())::carries);
        List<InterceptorFactory> interceptors = new ArrayList<>();
        interceptors.add(s -> new PrimarySelectionAliasInterceptor(s, policy));
        interceptors.add(s -> new RegistryInterceptor(s, policy));
        interceptors.addAll(FdTranslation.of(transport.capabilities()).interceptors(ShmLimits.of(16 << 20, 64 << 20, 4)));
        options = new SessionOptions(schema, interceptors, false, false, new SessionLimits(16, 1000, new FdBudget(10_000)),
                HostCheck.defaults());
        bystander = connect();
    }

    @AfterEach
    void stop() {
        if (bystander != null) {
            bystander.close();
        }
        transport.close();
        compositor.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void theOffenderIsToldAndDisconnectedAndNoOneElseIsTouched(Case c) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        List<Message> got;
        try (Client offender = connect()) {
            c.send().send(offender);
            got = offender.untilTheEnd();
            assertThat(offender.closed.await(10, TimeUnit.SECONDS)).as("the offender's session ended").isTrue();
        }
        List<Message> errors = got.stream().filter(m -> m.spec().qualifiedName().equals("wl_display.error")).toList();
        assertThat(errors).as("exactly one wl_display.error, then the end: " + got).hasSize(1);
        assertThat(got.get(got.size() - 1)).as("the error comes last").isSameAs(errors.get(0));
        Message e = errors.get(0);
        System.out.printf("%s -> wl_display.error(%d, %d, \"%s\")%n", c, e.intArg(0), e.intArg(1), e.stringArg(2));
        assertThat(e.stringArg(2)).startsWith(c.answer());
        assertThat(e.intArg(1)).as("error code").isEqualTo(c.code());
        assertThat(e.intArg(0)).as("object").isEqualTo(c.object());
        bystander.roundtrip(); // the other client is untouched
        OpenFds.assertNoneOpenedSince(before, Duration.ofSeconds(5));
    }

    /** docs/MALFORMED-MESSAGES.md is this list; {@code -Dcrossway.updateGolden=true} rewrites it. */
    @Test
    void theDocumentedCatalogueIsThisList() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Malformed messages: what Crossway answers\n\n")
                .append("Generated from `transport-loopback/src/test/java/dev/crossway/transport/loopback/MalformedMessageCatalogueTest.java`")
                .append(" (`mvn -pl transport-loopback -am test -Dtest=MalformedMessageCatalogueTest -Dcrossway.updateGolden=true`")
                .append(" rewrites it; the test fails when they differ).\n\n")
                .append("Each row is a test over real sockets (loopback with separate memory: ids translated, shm mirrored, as on a VM):")
                .append(" a client sets up a window, a pool and a buffer; then it, or the compositor on its connection, sends the message.")
                .append(" That client gets exactly one `wl_display.error(object, code, message)` and is disconnected; another client,")
                .append(" connected all along, still makes round trips; the process's fds are back to what they were before. Codes:")
                .append(" wl_display 0 invalid_object, 1 invalid_method, 2 no_memory, 3 implementation; wl_shm 0 invalid_format,")
                .append(" 1 invalid_stride, 2 invalid_fd. Limits in force: 16 fds and 1,000 objects per client, 4 pools.\n\n")
                .append("| # | class | sent by | example | Crossway answers (object, code, message starts) |\n")
                .append("|---|---|---|---|---|\n");
        int n = 1;
        for (Case c : catalogue()) {
            md.append("| ").append(n++).append(" | ").append(c.name()).append(" | ").append(c.side() == Side.CLIENT ? "client" : "host")
                    .append(" | ").append(c.sent().replace("|", "\\|")).append(" | ").append(Integer.toUnsignedString(c.object()))
                    .append(", ").append(c.code())
                    .append(", `").append(c.answer().replace("|", "\\|")).append("` |\n");
        }
        Path doc = Path.of("..", "docs", "MALFORMED-MESSAGES.md");
        if (Boolean.getBoolean("crossway.updateGolden")) {
            Files.writeString(doc, md.toString());
        }
        assertThat(Files.readString(doc)).as(doc + " (regenerate with -Dcrossway.updateGolden=true)").isEqualTo(md.toString());
        assertThat(catalogue()).as("at least 25 classes").hasSizeGreaterThanOrEqualTo(25);
        assertThat(catalogue()).filteredOn(c -> c.side() == Side.HOST).as("host-sent classes").isNotEmpty();
    }

    // ---------------------------------------------------------------- a client over a real socket

    /** A guest client and its session, as the daemon makes them. */
    final class Client implements AutoCloseable {
        final UnixSocket socket;
        final Session session;
        final CountDownLatch closed = new CountDownLatch(1);
        final TestCompositor.Client host;
        private final ByteArrayOutputStream events = new ByteArrayOutputStream();
        private final FdQueue received = new FdQueue();
        private int poolFd = -1;
        private int nextSync = 900;

        Client() throws Exception {
            UnixSocket[] pair = UnixSocket.pair();
            socket = pair[0];
            session = new Session(IDS.incrementAndGet(), pair[1], transport.connect(), options, new SessionListener() {
                @Override
                public void sessionClosed(Session s, SessionStats stats) {
                    closed.countDown();
                }
            }, LinuxKernel.INSTANCE);
            session.start();
            send(request(1, "wl_display", "get_registry", REGISTRY));
            roundtrip();
            host = compositor.lastActive();
            poolFd = memfd(8192);
            send(request(REGISTRY, "wl_registry", "bind", 1, new NewId("wl_compositor", 5, COMPOSITOR)),
                    request(REGISTRY, "wl_registry", "bind", 2, new NewId("wl_shm", 1, SHM)),
                    request(REGISTRY, "wl_registry", "bind", 3, new NewId("wl_seat", 7, SEAT)),
                    request(REGISTRY, "wl_registry", "bind", 4, new NewId("xdg_wm_base", 5, WM_BASE)),
                    request(COMPOSITOR, "wl_compositor", "create_surface", SURFACE));
            sendWithFd(Fds.dup(poolFd), request(SHM, "wl_shm", "create_pool", POOL, -1, 8192));
            send(request(POOL, "wl_shm_pool", "create_buffer", BUFFER, 0, 16, 16, 64, 1),
                    request(WM_BASE, "xdg_wm_base", "get_xdg_surface", XDG_SURFACE, SURFACE),
                    request(XDG_SURFACE, "xdg_surface", "get_toplevel", TOPLEVEL),
                    request(SEAT, "wl_seat", "get_keyboard", KEYBOARD));
            roundtrip();
        }

        int hostId(String iface) {
            return host.hostId(iface);
        }

        void send(Message... messages) throws IOException {
            sendWithFds(new int[0], messages);
        }

        void sendWithFd(int fd, Message... messages) throws IOException {
            sendWithFds(new int[] {fd}, messages);
        }

        private void sendWithFds(int[] fds, Message... messages) throws IOException {
            ByteBuffer b = ByteBuffer.allocateDirect(16384).order(ByteOrder.nativeOrder());
            try {
                for (Message m : messages) {
                    MessageCodec.encode(m, b, new FdQueue());
                }
            } catch (WireException e) {
                throw new IOException(e);
            }
            FdQueue q = new FdQueue();
            for (int fd : fds) {
                q.add(fd);
            }
            socket.send(b.flip(), q);
        }

        /** Words as they are, in native order. */
        void raw(int... words) throws IOException {
            socket.send(words(words), new FdQueue());
        }

        /** Words with {@code fds} new memfds. */
        void rawWithFds(int fds, int... words) throws IOException {
            FdQueue q = new FdQueue();
            for (int i = 0; i < fds; i++) {
                q.add(memfd(64));
            }
            socket.send(words(words), q);
        }

        void hostRaw(int... words) throws IOException {
            host.send(words(words));
        }

        void hostSendWithFd(int fd, int... words) throws IOException {
            host.send(words(words), fd);
        }

        void hostSend(Message m) throws IOException {
            host.send(m);
        }

        void shrinkPool() throws IOException {
            if (dev.crossway.linux.sys.Native.libc().ftruncate(poolFd, 0) != 0) {
                throw new IOException("ftruncate failed");
            }
        }

        /** wl_display.sync and its done. */
        void roundtrip() throws IOException {
            int cb = nextSync++;
            send(request(1, "wl_display", "sync", cb));
            while (true) {
                for (Message m : readSome()) {
                    if (m.objectId() == cb && m.spec().name().equals("done")) {
                        return;
                    }
                    if (m.spec().qualifiedName().equals("wl_display.error")) {
                        throw new IOException("error during a round trip: " + m);
                    }
                }
            }
        }

        /** Every event until the session hangs up. */
        List<Message> untilTheEnd() throws IOException {
            List<Message> all = new ArrayList<>();
            while (true) {
                List<Message> some = readSome();
                if (some == null) {
                    return all;
                }
                all.addAll(some);
            }
        }

        /** Events of one receive (only wl_display's and wl_callback's are decoded; others are skipped), or null at the end. */
        private List<Message> readSome() throws IOException {
            ByteBuffer in = ByteBuffer.allocateDirect(65536).order(ByteOrder.nativeOrder());
            int n = socket.receive(in, received);
            received.closeAll(Fds.CLOSER);
            if (n < 0) {
                return null;
            }
            byte[] b = new byte[n];
            in.flip().get(b);
            events.write(b);
            ByteBuffer all = ByteBuffer.wrap(events.toByteArray()).order(ByteOrder.nativeOrder());
            List<Message> out = new ArrayList<>();
            int at = 0;
            while (all.limit() - at >= 8) {
                int size = all.getInt(at + 4) >>> 16;
                if (size < 8 || size > all.limit() - at) {
                    break;
                }
                int id = all.getInt(at);
                int opcode = all.getInt(at + 4) & 0xffff;
                try {
                    if (id == 1) {
                        out.add(MessageCodec.decode(all, at, schema.require("wl_display").event(opcode), new FdQueue()));
                    } else if (id >= 900 && id < 1000) {
                        out.add(MessageCodec.decode(all, at, schema.require("wl_callback").event(opcode), new FdQueue()));
                    }
                } catch (WireException e) {
                    throw new IOException(e);
                }
                at += size;
            }
            events.reset();
            events.write(all.array(), at, all.limit() - at);
            return out;
        }

        @Override
        public void close() {
            socket.close();
            if (poolFd >= 0) {
                Fds.close(poolFd);
                poolFd = -1;
            }
        }
    }

    private Client connect() throws Exception {
        return new Client();
    }

    private static ByteBuffer words(int... words) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * words.length).order(ByteOrder.nativeOrder());
        for (int w : words) {
            b.putInt(w);
        }
        return b.flip();
    }
}
