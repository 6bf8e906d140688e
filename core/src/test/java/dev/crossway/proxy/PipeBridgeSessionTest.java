package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.decodeAll;
import static dev.crossway.proxy.SessionTest.drain;
import static dev.crossway.proxy.SessionTest.encode;
import static dev.crossway.proxy.SessionTest.event;
import static dev.crossway.proxy.SessionTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.proxy.fd.FdKind;
import dev.crossway.proxy.fd.FdTable;
import dev.crossway.proxy.fd.FdTranslation;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.shm.ShmInterceptor;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fd table at work in a session on a transport that passes no fd as-is: the core asks the
 * transport to bridge each pipe end, saying which way the data flows, and carries the result.
 */
class PipeBridgeSessionTest {
    static final Capabilities VM = new Capabilities(false, false, 28, 3980);

    /** A host side that records what it was asked to bridge and answers with fd + 1000. */
    static final class BridgingHost implements HostConnection {
        final MemoryConnection delegate;
        final List<String> bridged = new CopyOnWriteArrayList<>();
        volatile boolean failBridges;

        BridgingHost(MemoryConnection delegate) {
            this.delegate = delegate;
        }

        @Override
        public int bridgePipe(int guestFd, PipeDirection direction) throws IOException {
            if (failBridges) {
                throw new IOException("no more pipes here");
            }
            bridged.add("request " + guestFd + " " + direction);
            return guestFd + 1000;
        }

        @Override
        public int bridgeHostPipe(int hostFd, PipeDirection direction) {
            bridged.add("event " + hostFd + " " + direction);
            return hostFd + 1000;
        }

        @Override
        public Capabilities capabilities() {
            return VM;
        }

        @Override
        public HostBuffer allocate(long size) {
            throw new UnsupportedOperationException("no shm in these tests");
        }

        @Override
        public void send(ByteBuffer src, FdQueue fds) throws IOException {
            delegate.send(src, fds);
        }

        @Override
        public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
            return delegate.receive(dst, fds);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    final RecordingKernel kernel = new RecordingKernel();
    final CountDownLatch closed = new CountDownLatch(1);
    MemoryConnection app;
    MemoryConnection compositor;
    BridgingHost host;
    Session session;
    final List<Interceptor> made = new ArrayList<>();

    @BeforeAll
    static void loadSchema() {
        SessionTest.schema = SchemaLoader.loadBundled();
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    /** A session whose app has a seat (3), a data device manager (4), a data device (5) and a data source (6). */
    void start() throws Exception {
        MemoryConnection[] client = MemoryConnection.pair(SessionTest.CAPS);
        MemoryConnection[] hostPair = MemoryConnection.pair(VM);
        app = client[0];
        compositor = hostPair[1];
        host = new BridgingHost(hostPair[0]);
        FdTranslation fds = FdTranslation.of(VM);
        RegistryPolicy policy = new RegistryPolicy(SessionTest.schema, Set.of(), Set.of(), Map.of(), fds::carries);
        List<InterceptorFactory> interceptors = new ArrayList<>();
        interceptors.add(s -> new RegistryInterceptor(s, policy));
        for (InterceptorFactory f : fds.interceptors(ShmLimits.defaults())) {
            interceptors.add(s -> {
                Interceptor i = f.create(s);
                made.add(i);
                return i;
            });
        }
        session = new Session(1, client[1], host, new SessionOptions(SessionTest.schema, interceptors, false, false), new SessionListener() {
            @Override
            public void sessionClosed(Session s, SessionStats stats) {
                closed.countDown();
            }
        }, kernel);
        session.start();
        app.send(encode(request(1, "wl_display", "get_registry", 2)), new FdQueue());
        drain(compositor, new ArrayList<>());
        compositor.send(encode(event(2, "wl_registry", "global", 1, "wl_seat", 7),
                event(2, "wl_registry", "global", 2, "wl_data_device_manager", 3),
                event(2, "wl_registry", "global", 3, "zwp_linux_dmabuf_v1", 4)), new FdQueue());
        List<Message> globals = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(globals).extracting(m -> m.stringArg(1)).as("linux-dmabuf's fds cannot cross a VM")
                .containsExactly("wl_seat", "wl_data_device_manager");
        app.send(encode(request(2, "wl_registry", "bind", 1, new NewId("wl_seat", 7, 3)),
                request(2, "wl_registry", "bind", 2, new NewId("wl_data_device_manager", 3, 4)),
                request(4, "wl_data_device_manager", "get_data_device", 5, 3),
                request(4, "wl_data_device_manager", "create_data_source", 6)), new FdQueue());
        assertThat(decodeAll(drain(compositor, new ArrayList<>()), false, Map.of(2, "wl_registry", 4, "wl_data_device_manager")))
                .hasSize(4);
    }

    @Test
    void aPipeEndInARequestIsBridgedHostToGuestAndTheAppsFdClosed() throws Exception {
        start();
        int offer = 0xff000001;
        compositor.send(encode(event(5, "wl_data_device", "data_offer", offer)), new FdQueue());
        drain(app, new ArrayList<>());
        FdQueue fds = new FdQueue();
        fds.add(77);
        app.send(encode(request(offer, "wl_data_offer", "receive", "text/plain", 77)), fds);
        List<Integer> arrived = new ArrayList<>();
        List<Message> got = decodeAll(drain(compositor, arrived), false, Map.of(offer, "wl_data_offer"));
        assertThat(got).extracting(m -> m.spec().qualifiedName()).containsExactly("wl_data_offer.receive");
        assertThat(arrived).as("the fd the transport made, not the app's").containsExactly(1077);
        assertThat(host.bridged).containsExactly("request 77 HOST_TO_GUEST");
        assertThat(kernel.closed).as("the app's own fd, once bridged").contains(77);
    }

    @Test
    void aPipeEndInAnEventIsBridgedGuestToHost() throws Exception {
        start();
        FdQueue fds = new FdQueue();
        fds.add(88);
        compositor.send(encode(event(6, "wl_data_source", "send", "text/plain", 88)), fds);
        List<Integer> arrived = new ArrayList<>();
        List<Message> got = decodeAll(drain(app, arrived), true, Map.of(6, "wl_data_source"));
        assertThat(got).extracting(m -> m.spec().qualifiedName()).containsExactly("wl_data_source.send");
        assertThat(arrived).containsExactly(1088);
        assertThat(host.bridged).containsExactly("event 88 GUEST_TO_HOST");
        assertThat(kernel.closed).as("the transport owns the host's fd now").doesNotContain(88);
    }

    @Test
    void aBridgeThatFailsEndsOnlyThisClientWithTheCauseAndClosesTheFd() throws Exception {
        start();
        host.failBridges = true;
        int offer = 0xff000002;
        compositor.send(encode(event(5, "wl_data_device", "data_offer", offer)), new FdQueue());
        drain(app, new ArrayList<>());
        FdQueue fds = new FdQueue();
        fds.add(79);
        app.send(encode(request(offer, "wl_data_offer", "receive", "text/plain", 79)), fds);
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got).extracting(m -> m.spec().qualifiedName()).containsExactly("wl_display.error");
        assertThat(got.get(0).stringArg(2)).contains("wl_data_offer.receive").contains("no more pipes here");
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kernel.closed).contains(79);
    }

    @Test
    void theShmMirrorHooksEveryMessageTheTableRoutesToIt() throws Exception {
        start();
        ShmInterceptor shm = made.stream().filter(i -> i instanceof ShmInterceptor).map(i -> (ShmInterceptor) i).findFirst().orElseThrow();
        FdTranslation vm = FdTranslation.of(VM);
        Set<Interceptor.Hook> copied = FdTable.entries().stream()
                .filter(e -> e.kinds().stream().anyMatch(k -> vm.route(k, e.hook().direction().isRequest()) == FdTranslation.Route.COPY))
                .map(FdTable.Entry::hook).collect(Collectors.toSet());
        assertThat(copied).isNotEmpty();
        Set<Interceptor.Hook> fdHooks = shm.hooks().stream().filter(h -> {
            MessageSpec m = SessionTest.schema.require(h.interfaceName()).message(h.direction().isRequest(), h.messageName());
            return m.fdCount() > 0;
        }).collect(Collectors.toSet());
        assertThat(fdHooks).isEqualTo(copied);
        assertThat(FdTable.hooks(EnumSet.of(FdKind.PIPE_WRITE_END))).contains(Interceptor.Hook.request("wl_data_offer", "receive"));
    }
}
