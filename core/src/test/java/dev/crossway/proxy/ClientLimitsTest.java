package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.decodeAll;
import static dev.crossway.proxy.SessionTest.drain;
import static dev.crossway.proxy.SessionTest.encode;
import static dev.crossway.proxy.SessionTest.fds;
import static dev.crossway.proxy.SessionTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-client limits on fds and objects, and the daemon's fd budget: each passed is that client's protocol error, naming it. */
class ClientLimitsTest {
    static Schema schema;
    final RecordingKernel kernel = new RecordingKernel();
    final List<Session> sessions = new ArrayList<>();

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
        SessionTest.schema = schema;
    }

    @AfterEach
    void stop() {
        sessions.forEach(Session::close);
    }

    /** A client and its session under {@code limits}; the compositor end is returned in {@code host[0]}. */
    record Rig(MemoryConnection app, MemoryConnection compositor, Session session, CountDownLatch closed) {
    }

    Rig start(SessionLimits limits) {
        MemoryConnection[] client = MemoryConnection.pair(SessionTest.CAPS);
        MemoryConnection[] host = MemoryConnection.pair(SessionTest.CAPS);
        CountDownLatch closed = new CountDownLatch(1);
        Session s = new Session(sessions.size() + 1, client[1], host[0],
                new SessionOptions(schema, List.of(), false, false, limits, HostCheck.OFF), new SessionListener() {
                    @Override
                    public void sessionClosed(Session session, SessionStats stats) {
                        closed.countDown();
                    }
                }, kernel);
        sessions.add(s);
        s.start();
        return new Rig(client[0], host[1], s, closed);
    }

    static Message error(MemoryConnection app) throws Exception {
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).spec().name()).isEqualTo("error");
        return got.get(0);
    }

    @Test
    void aNewIdAboveTheObjectLimitIsAProtocolErrorNamingIt() throws Exception {
        Rig r = start(new SessionLimits(64, 10, FdBudget.unlimited()));
        r.app().send(encode(request(1, "wl_display", "sync", 10)), new FdQueue());
        assertThat(drain(r.compositor(), new ArrayList<>())).as("id 10 is within the limit").hasSize(12);
        r.app().send(encode(request(1, "wl_display", "sync", 11)), new FdQueue());
        Message e = error(r.app());
        assertThat(e.intArg(1)).isEqualTo(ProtocolError.INVALID_OBJECT);
        assertThat(e.stringArg(2)).isEqualTo("wl_display.sync: new id 11 is out of range: a client may hold at most 10 objects,"
                + " with ids 1 to 10 (raise crossway.limits.objects-per-client, --objects-per-client)");
        assertThat(r.closed().await(2, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void fdsSentAheadOfTheirMessagesAreBoundedAndClosed() throws Exception {
        Rig r = start(new SessionLimits(16, 1000, FdBudget.unlimited()));
        int[] first = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110};
        // Fds with a message that carries none: they queue for later messages, as libwayland allows.
        r.app().send(encode(request(1, "wl_display", "sync", 2)), fds(first));
        assertThat(drain(r.compositor(), new ArrayList<>())).hasSize(12);
        assertThat(r.session().heldFds().held()).isEqualTo(10);
        int[] more = {111, 112, 113, 114, 115, 116, 117};
        r.app().send(encode(request(1, "wl_display", "sync", 3)), fds(more));
        Message e = error(r.app());
        assertThat(e.intArg(0)).isEqualTo(1);
        assertThat(e.intArg(1)).isEqualTo(ProtocolError.NO_MEMORY);
        assertThat(e.stringArg(2)).isEqualTo("Crossway's limit of 16 fds per client is reached: fds sent ahead of the messages that"
                + " carry them (17 queued) needs 7 more, and this client makes the daemon hold 10 (fds sent ahead of their messages,"
                + " shm pools, host buffers); raise crossway.limits.fds-per-client (--fds-per-client)");
        assertThat(r.closed().await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(kernel.closed).as("every queued fd is closed").containsExactlyInAnyOrder(
                101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117);
    }

    @Test
    void theDaemonsFdBudgetEndsTheClientThatWouldPassItAndComesBackWhenItLeaves() throws Exception {
        FdBudget budget = new FdBudget(20);
        SessionLimits limits = new SessionLimits(16, 1000, budget);
        Rig first = start(limits);
        Rig second = start(limits);
        first.app().send(encode(request(1, "wl_display", "sync", 2)), fds(201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212));
        drain(first.compositor(), new ArrayList<>());
        assertThat(budget.used()).isEqualTo(12);
        second.app().send(encode(request(1, "wl_display", "sync", 2)), fds(301, 302, 303, 304, 305, 306, 307, 308, 309));
        Message e = error(second.app());
        assertThat(e.stringArg(2)).startsWith("Crossway's fds for all clients are used up: fds sent ahead of the messages that carry"
                + " them (9 queued) needs 9 more, and the daemon's clients hold 12 of the 20 its open-file limit leaves them; raise"
                + " that limit (ulimit -n, LimitNOFILE=)");
        assertThat(second.closed().await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(first.session().isClosed()).as("the first client is untouched").isFalse();
        first.app().close();
        assertThat(first.closed().await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(budget.used()).as("every fd is back in the budget").isZero();
    }

    @Test
    void fdsTakenByLaterMessagesLeaveTheCount() throws Exception {
        Rig r = start(new SessionLimits(4, 1000, FdBudget.unlimited()));
        r.app().send(encode(request(1, "wl_display", "get_registry", 2),
                request(2, "wl_registry", "bind", 1, new dev.crossway.wire.NewId("wl_shm", 1, 3))), new FdQueue());
        // Three fds ahead of their messages, then the messages: the count goes back to 0 and the fds reach the host.
        r.app().send(encode(request(1, "wl_display", "sync", 4)), fds(401, 402, 403));
        drain(r.compositor(), new ArrayList<>());
        assertThat(r.session().heldFds().held()).isEqualTo(3);
        r.app().send(encode(request(3, "wl_shm", "create_pool", 5, 401, 4096), request(3, "wl_shm", "create_pool", 6, 402, 4096),
                request(3, "wl_shm", "create_pool", 7, 403, 4096)), new FdQueue());
        List<Integer> reached = new ArrayList<>();
        drain(r.compositor(), reached);
        assertThat(reached).containsExactly(401, 402, 403);
        assertThat(r.session().heldFds().held()).isZero();
        assertThat(r.session().isClosed()).isFalse();
    }
}
