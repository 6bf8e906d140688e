package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.decodeAll;
import static dev.crossway.proxy.SessionTest.encode;
import static dev.crossway.proxy.SessionTest.event;
import static dev.crossway.proxy.SessionTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host check: a host that never signals its hang-up is found out by Crossway's own round trips,
 * and a live one, slow or busy, never is. The compositor is played by a thread that answers
 * {@code wl_display.sync} (or stops answering), as libwayland-server does.
 */
class HostCheckTest {
    static Schema schema;
    final RecordingKernel kernel = new RecordingKernel();
    MemoryConnection app;
    MemoryConnection compositor;
    Session session;
    final CountDownLatch closed = new CountDownLatch(1);
    /** Whether the compositor answers syncs, and after how long. */
    final AtomicBoolean answering = new AtomicBoolean(true);
    volatile long answerDelayMillis;
    /** Host ids of the syncs the compositor received, in order. */
    final List<Integer> syncs = new CopyOnWriteArrayList<>();
    final AtomicLong serial = new AtomicLong();
    Thread compositorThread;

    /** Ids translate in such a session: Crossway owns objects on the host connection. */
    static final Interceptor OWNS_HOST_OBJECTS = new Interceptor() {
        @Override
        public List<Hook> hooks() {
            return List.of();
        }

        @Override
        public void intercept(Chain chain) throws ProtocolError {
            chain.proceed(chain.message());
        }

        @Override
        public boolean createsHostObjects() {
            return true;
        }
    };

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
        SessionTest.schema = schema;
    }

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            session.close();
        }
        if (compositorThread != null) {
            compositorThread.join(5000);
        }
    }

    void start(HostCheck check) {
        MemoryConnection[] client = MemoryConnection.pair(SessionTest.CAPS);
        MemoryConnection[] host = MemoryConnection.pair(SessionTest.CAPS);
        app = client[0];
        compositor = host[1];
        session = new Session(1, client[1], host[0], new SessionOptions(schema, List.of(s -> OWNS_HOST_OBJECTS), false, false,
                SessionLimits.defaults(), check), new SessionListener() {
                    @Override
                    public void sessionClosed(Session s, SessionStats stats) {
                        closed.countDown();
                    }
                }, kernel);
        compositorThread = new Thread(this::serve, "test-compositor");
        compositorThread.setDaemon(true);
        compositorThread.start();
        session.start();
    }

    /** The compositor: answers each wl_display.sync with done and delete_id, unless told to stop answering. */
    private void serve() {
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        try {
            while (true) {
                MemoryConnection.Chunk c = compositor.next(60_000);
                if (c == null || MemoryConnection.isEof(c)) {
                    return;
                }
                pending.write(c.bytes());
                ByteBuffer b = ByteBuffer.wrap(pending.toByteArray()).order(ByteOrder.nativeOrder());
                int at = 0;
                while (b.remaining() - at >= 8 && (b.getInt(at + 4) >>> 16) <= b.remaining() - at) {
                    int size = b.getInt(at + 4) >>> 16;
                    if (b.getInt(at) == 1 && (b.getInt(at + 4) & 0xffff) == 0) {
                        int callback = b.getInt(at + 8);
                        syncs.add(callback);
                        if (answering.get()) {
                            if (answerDelayMillis > 0) {
                                Thread.sleep(answerDelayMillis);
                            }
                            compositor.send(encode(event(callback, "wl_callback", "done", (int) serial.incrementAndGet()),
                                    event(1, "wl_display", "delete_id", callback)), new FdQueue());
                        }
                    }
                    at += size;
                }
                pending.reset();
                pending.write(b.array(), at, b.capacity() - at);
            }
        } catch (Exception e) {
            // the session closed the connection
        }
    }

    /** What reaches the app until it is disconnected, or {@code waitMillis} pass. */
    List<Message> appReceivesUntilClosed(long waitMillis) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            MemoryConnection.Chunk c = app.next(100);
            if (c == null) {
                continue;
            }
            if (MemoryConnection.isEof(c)) {
                break;
            }
            out.write(c.bytes());
        }
        return decodeAll(out.toByteArray(), true, Map.of(1, "wl_display", 2, "wl_callback", 3, "wl_callback", 4, "wl_callback"));
    }

    @Test
    void aHostThatNeverAnswersGivesTheNewClientAnErrorThatSaysSo() throws Exception {
        answering.set(false);
        start(new HostCheck(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(10)));
        app.send(encode(request(1, "wl_display", "get_registry", 2)), new FdQueue());
        List<Message> got = appReceivesUntilClosed(10_000);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).spec().name()).isEqualTo("error");
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.IMPLEMENTATION);
        assertThat(got.get(0).stringArg(2)).startsWith("Crossway: the host compositor did not answer within 300 ms of connecting:"
                + " it is not running, or the transport cannot reach it");
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(session.endedInError()).isTrue();
        assertThat(syncs).as("the probe went first, on a host id of Crossway's own").first().isEqualTo(2);
    }

    @Test
    void aSlowButLiveHostIsProbedWhenSilentAndKeepsItsClient() throws Exception {
        answerDelayMillis = 100; // a VM without acceleration answers in tens of ms
        start(new HostCheck(Duration.ofSeconds(2), Duration.ofMillis(150), Duration.ofSeconds(2)));
        app.send(encode(request(1, "wl_display", "sync", 2)), new FdQueue());
        while (syncs.size() < 6) {
            Thread.sleep(50);
            assertThat(session.isClosed()).as("a live host keeps its client").isFalse();
        }
        assertThat(session.isClosed()).isFalse();
        // The client saw its own callback's done and delete_id, and nothing of Crossway's probes.
        List<Message> got = new ArrayList<>();
        MemoryConnection.Chunk c;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while ((c = app.next(200)) != null && !MemoryConnection.isEof(c)) {
            out.write(c.bytes());
        }
        got.addAll(decodeAll(out.toByteArray(), true, Map.of(1, "wl_display", 2, "wl_callback")));
        assertThat(got).extracting(m -> m.spec().qualifiedName()).containsExactly("wl_callback.done", "wl_display.delete_id");
        assertThat(got.get(1).intArg(0)).isEqualTo(2);
    }

    @Test
    void aHostThatStopsAnsweringEndsItsClientWithAnErrorThatSaysSo() throws Exception {
        start(new HostCheck(Duration.ofSeconds(2), Duration.ofMillis(150), Duration.ofMillis(400)));
        while (syncs.size() < 2) {
            Thread.sleep(20);
        }
        answering.set(false);
        List<Message> got = appReceivesUntilClosed(10_000);
        assertThat(got).extracting(m -> m.spec().name()).containsExactly("error");
        assertThat(got.get(0).stringArg(2)).startsWith("Crossway: the host compositor stopped answering: silent for 550 ms and no"
                + " answer to a round trip within 400 ms (it hung, or went away without the transport telling the guest)");
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBusyHostIsNeverProbed() throws Exception {
        start(new HostCheck(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(2)));
        long end = System.nanoTime() + 1_500_000_000L;
        for (int id = 2; System.nanoTime() < end; id++) {
            app.send(encode(request(1, "wl_display", "sync", id)), new FdQueue()); // the client's own round trips keep the host talking
            Thread.sleep(20);
        }
        assertThat(session.isClosed()).isFalse();
        long fromClient = session.stats().requests();
        assertThat(fromClient).isGreaterThan(30);
        assertThat(syncs.size() - fromClient).as("Crossway's own syncs: the connect probe only").isEqualTo(1);
    }
}
