package dev.crossway.linux.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.linux.LinuxKernel;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.linux.UnixSocket;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.HostCheck;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionLimits;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.SessionStats;
import dev.crossway.proxy.fd.FdTranslation;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host compositor that is down, that stops reading, or that dies while clients are connected, seen
 * through one transport: a new client gets a {@code wl_display.error} (or its connection is refused)
 * that names the cause, a compositor that does not read holds only that client back in bounded memory,
 * and a compositor that goes without a word is found out by the host check. Each transport runs it
 * with a subclass that opens the transport ({@link #open}) on a fake compositor's socket.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class HostFailureSuite {
    protected static Schema schema;

    @TempDir
    protected Path dir;

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
    }

    /** Opens the transport on the compositor socket {@code compositor}, which is listening at this point. */
    protected abstract Transport open(Path compositor) throws IOException;

    /**
     * Whether the transport's {@code connect()} itself fails while the compositor is down (a socket's
     * ECONNREFUSED, virtwl's NEW_CTX), rather than succeed and leave the host check to find out
     * (cross-domain, whose INIT fails where the guest cannot see it).
     */
    protected abstract boolean connectFailsWhileTheCompositorIsDown();

    /** What the error of a {@code connect()} that fails while the compositor is down names (its socket, or the device's call). */
    protected String connectFailureNames(Path compositor) {
        return compositor.toString();
    }

    /** Makes the transport's host stop signalling the compositor's hang-up, where it can (an older cross-domain host). */
    protected void hostSignalsNoHangUp() {
    }

    /** What {@link #connectedClientsOfACompositorThatDiesWithoutAWordAreToldSo} needs: a host that does not signal hang-up. */
    protected boolean canHideHangUp() {
        return false;
    }

    /** A session over {@code host} with the production interceptors; the client's end is returned. */
    protected static UnixSocket session(Transport transport, HostConnection host, HostCheck check, CountDownLatch closed)
            throws IOException {
        UnixSocket[] pair = UnixSocket.pair();
        FdTranslation fds = FdTranslation.of(transport.capabilities());
        SessionOptions options = new SessionOptions(schema, fds.interceptors(ShmLimits.defaults()), false, false,
                SessionLimits.defaults(), check);
        new Session(1, pair[1], host, options, new SessionListener() {
            @Override
            public void sessionClosed(Session session, SessionStats stats) {
                closed.countDown();
            }
        }, LinuxKernel.INSTANCE).start();
        return pair[0];
    }

    @Test
    void aNewClientOfACompositorThatIsDownGetsAnErrorThatSaysSo() throws Exception {
        Path socket = dir.resolve("wayland-0");
        UnixServerSocket server = UnixServerSocket.bind(socket);
        try (Transport transport = open(socket)) {
            server.close(); // the compositor goes, and its socket with it
            long start = System.nanoTime();
            if (connectFailsWhileTheCompositorIsDown()) {
                assertThatThrownBy(transport::connect).isInstanceOf(IOException.class).hasMessageContaining(connectFailureNames(socket));
                return;
            }
            CountDownLatch closed = new CountDownLatch(1);
            UnixSocket client = session(transport, transport.connect(), HostCheck.defaults(), closed);
            client.send(encode(message(1, "wl_display", true, "get_registry", 2)), new FdQueue());
            Message error = firstMessage(client);
            System.out.printf("%s, compositor down: wl_display.error after %d ms%n", getClass().getSimpleName(),
                    (System.nanoTime() - start) / 1_000_000);
            assertThat(error.spec().qualifiedName()).isEqualTo("wl_display.error");
            assertThat(error.stringArg(2)).startsWith("Crossway: the host compositor did not answer within 800 ms of connecting: it is"
                    + " not running, or the transport cannot reach it");
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            client.close();
        }
    }

    @Test
    void aCompositorThatDoesNotReadHoldsItsClientBackInBoundedMemory() throws Exception {
        Path socket = dir.resolve("wayland-0");
        try (UnixServerSocket server = UnixServerSocket.bind(socket); Transport transport = open(socket)) {
            CountDownLatch closed = new CountDownLatch(1);
            HostConnection host = transport.connect();
            try (UnixSocket compositor = acceptClient(server)) {
                UnixSocket client = session(transport, host, HostCheck.defaults(), closed);
                answerConnectProbe(compositor);
                // A surface, then damage without end: nothing for the compositor to answer, no objects piling up.
                client.send(encode(message(1, "wl_display", true, "get_registry", 2),
                        message(2, "wl_registry", true, "bind", 1, new NewId("wl_compositor", 4, 3)),
                        message(3, "wl_compositor", true, "create_surface", 4)), new FdQueue());
                ByteBuffer damage = encode(message(4, "wl_surface", true, "damage", 0, 0, 1, 1));
                int size = damage.remaining();
                ByteBuffer batch = ByteBuffer.allocateDirect(size * 256);
                for (int i = 0; i < 256; i++) {
                    batch.put(damage.duplicate());
                }
                AtomicLong sent = new AtomicLong();
                Thread flood = new Thread(() -> {
                    try {
                        while (true) {
                            client.send(batch.duplicate().flip(), new FdQueue());
                            sent.addAndGet(256);
                        }
                    } catch (IOException e) {
                        // the session ended
                    }
                }, "flooding-client");
                flood.setDaemon(true);
                flood.start();
                long held;
                do {
                    held = sent.get();
                    Thread.sleep(1000);
                } while (sent.get() != held);
                System.out.printf("%s, compositor not reading: the client is held back after %,d requests (%,d bytes)%n",
                        getClass().getSimpleName(), held, held * size);
                assertThat(flood.isAlive()).as("the client is blocked, not refused").isTrue();
                // The client's socket, the relay's buffer, what the transport queues and the compositor's socket: well under 4 MB.
                assertThat(held * size).isLessThan(4L << 20);
                ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
                FdQueue fds = new FdQueue();
                for (long read = 0; read < held * size; ) {
                    in.clear();
                    read += compositor.receive(in, fds);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sent.get() == held && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(sent.get()).as("the client goes on once the compositor reads").isGreaterThan(held);
                client.close();
            }
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void connectedClientsOfACompositorThatDiesWithoutAWordAreToldSo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(canHideHangUp(), "this transport always signals the compositor's hang-up");
        hostSignalsNoHangUp();
        Path socket = dir.resolve("wayland-0");
        try (UnixServerSocket server = UnixServerSocket.bind(socket); Transport transport = open(socket)) {
            CountDownLatch closed = new CountDownLatch(1);
            HostConnection host = transport.connect();
            UnixSocket client;
            try (UnixSocket compositor = acceptClient(server)) {
                client = session(transport, host, new HostCheck(Duration.ofMillis(900), Duration.ofMillis(300), Duration.ofMillis(500)),
                        closed);
                answerConnectProbe(compositor);
            } // the compositor dies; the host tells the guest nothing
            Message error = firstMessage(client);
            assertThat(error.spec().qualifiedName()).isEqualTo("wl_display.error");
            assertThat(error.stringArg(2)).startsWith("Crossway: the host compositor stopped answering: silent for 800 ms and no answer"
                    + " to a round trip within 500 ms");
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            client.close();
        }
    }

    /** Whether {@link #open} connects to the compositor once to see that it answers (loopback and virtwl do). */
    protected abstract boolean openProbesTheCompositor();

    /** The compositor's end of the transport's first connection, past the one of the probe at open. */
    private UnixSocket acceptClient(UnixServerSocket server) throws IOException {
        if (openProbesTheCompositor()) {
            server.accept().close();
        }
        return server.accept();
    }

    /** Reads Crossway's connect probe (a wl_display.sync on host id 2) and answers it, as a live compositor does. */
    protected static void answerConnectProbe(UnixSocket compositor) throws IOException {
        ByteBuffer probe = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        while (probe.hasRemaining()) {
            compositor.receive(probe, new FdQueue());
        }
        assertThat(probe.getInt(0)).as("the probe's target: wl_display").isEqualTo(1);
        assertThat(probe.getInt(8)).as("the probe's callback: the first host id").isEqualTo(2);
        compositor.send(encode(message(2, "wl_callback", false, "done", 1), message(1, "wl_display", false, "delete_id", 2)),
                new FdQueue());
    }

    protected static Message message(int id, String iface, boolean request, String name, Object... args) {
        return new Message(id, schema.require(iface).message(request, name), args);
    }

    protected static ByteBuffer encode(Message... messages) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        try {
            for (Message m : messages) {
                MessageCodec.encode(m, b, new FdQueue());
            }
        } catch (dev.crossway.wire.WireException e) {
            throw new IOException(e);
        }
        return b.flip();
    }

    /** The first event the client receives, read until the session closes it. */
    protected static Message firstMessage(UnixSocket client) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocateDirect(4096);
        while (true) {
            in.clear();
            int n = client.receive(in, new FdQueue());
            if (n < 0) {
                break;
            }
            byte[] b = new byte[n];
            in.flip().get(b);
            got.write(b);
        }
        ByteBuffer all = ByteBuffer.wrap(got.toByteArray()).order(ByteOrder.nativeOrder());
        assertThat(all.remaining()).as("the client got something before the end").isGreaterThanOrEqualTo(8);
        return MessageCodec.decode(all, 0, schema.require("wl_display").event(all.getInt(4) & 0xffff), new FdQueue());
    }
}
