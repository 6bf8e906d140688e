package dev.crossway.transport.loopback;

import dev.crossway.linux.testing.OpenFds;
import java.time.Duration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.linux.UnixSocket;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class LoopbackTransportTest {
    @TempDir
    Path runtimeDir;

    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> options = new HashMap<>();
    private final LoopbackTransportProvider provider = new LoopbackTransportProvider(env::get);
    private UnixServerSocket compositor;

    @BeforeEach
    void fakeCompositor() throws IOException {
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        compositor = UnixServerSocket.bind(runtimeDir.resolve("wayland-0"));
    }

    @AfterEach
    void stopCompositor() {
        compositor.close();
    }

    private TransportOptions options() {
        return options::get;
    }

    @Test
    void bytesAndFdsCrossBothWays() throws Exception {
        try (Transport transport = provider.open(options());
             HostConnection host = connectPastProbe(transport);
             UnixSocket compositorSide = compositor.accept()) {
            // client -> compositor: bytes and a memfd
            int memfd = Fds.memfd("to-compositor", 64);
            FdQueue out = new FdQueue();
            out.add(Fds.dup(memfd));
            host.send(bytes("wl_display.get_registry"), out);
            ByteBuffer dst = ByteBuffer.allocateDirect(64);
            FdQueue in = new FdQueue();
            compositorSide.receive(dst, in);
            assertThat(text(dst)).isEqualTo("wl_display.get_registry");
            assertThat(in.size()).isEqualTo(1);
            int received = in.take();
            assertThat(Fds.size(received)).isEqualTo(64);
            Fds.close(received);
            Fds.close(memfd);

            // compositor -> client: bytes and a pipe end
            int[] pipe = Fds.pipe();
            FdQueue back = new FdQueue();
            back.add(pipe[1]);
            compositorSide.send(bytes("wl_registry.global"), back);
            dst.clear();
            host.receive(dst, in);
            assertThat(text(dst)).isEqualTo("wl_registry.global");
            assertThat(in.size()).isEqualTo(1);
            Fds.close(in.take());
            Fds.close(pipe[0]);
        }
    }

    @Test
    void hostDisplayMayBeAnAbsolutePath() throws Exception {
        Path elsewhere = Files.createDirectory(runtimeDir.resolve("other")).resolve("compositor.sock");
        try (UnixServerSocket other = UnixServerSocket.bind(elsewhere)) {
            assertThat(other.path()).isEqualTo(elsewhere);
            options.put("host-display", elsewhere.toString());
            env.remove("XDG_RUNTIME_DIR");
            assertThat(provider.unavailabilityCause(options())).isNull();
            try (Transport t = provider.open(options())) {
                assertThat(t.describe()).isEqualTo("loopback to " + elsewhere + " (shared memory)");
            }
        }
    }

    @Test
    void waylandDisplayIsTheDefaultHostDisplay() throws Exception {
        try (UnixServerSocket other = UnixServerSocket.bind(runtimeDir.resolve("wayland-7"))) {
            assertThat(other.path().getFileName()).hasToString("wayland-7");
            env.put("WAYLAND_DISPLAY", "wayland-7");
            try (Transport t = provider.open(options())) {
                assertThat(t.describe()).isEqualTo("loopback to " + runtimeDir.resolve("wayland-7") + " (shared memory)");
            }
        }
    }

    @Test
    void crosswaysOwnSocketIsNeverTheHost() {
        // Under socket activation with WAYLAND_DISPLAY unset, the default host display is wayland-0, which
        // is the socket Crossway serves: a connection there would reach Crossway itself.
        options.put("guest-socket", runtimeDir.resolve("wayland-0").toString());
        assertThat(provider.unavailabilityCause(options()))
                .contains("the host display " + runtimeDir.resolve("wayland-0") + " (from the default) is the socket Crossway itself serves")
                .contains("--host-display");
        options.put("guest-socket", runtimeDir.resolve("wayland-1").toString());
        assertThat(provider.unavailabilityCause(options())).isNull();
    }

    @Test
    void aRunningCompositorMakesTheTransportAvailable() {
        assertThat(provider.unavailabilityCause(options())).isNull();
    }

    @Test
    void aMissingSocketNamesThePathAndTheFix() {
        options.put("host-display", "wayland-5");
        assertThat(provider.unavailabilityCause(options())).isEqualTo("no compositor socket at " + runtimeDir.resolve("wayland-5")
                + ": start a compositor or set --host-display / WAYLAND_DISPLAY");
    }

    @Test
    void aMissingRuntimeDirIsNamed() {
        Path gone = runtimeDir.resolve("no-such-dir");
        env.put("XDG_RUNTIME_DIR", gone.toString());
        assertThat(provider.unavailabilityCause(options()))
                .isEqualTo("no compositor socket at " + gone.resolve("wayland-0") + " (directory " + gone
                        + " does not exist): start a compositor or set --host-display / WAYLAND_DISPLAY");
    }

    @Test
    void aStaleSocketFileIsReportedAsNobodyListening() {
        compositor.close(); // the file stays, as when a compositor crashes
        assertThat(provider.unavailabilityCause(options())).isEqualTo("nothing listens on " + runtimeDir.resolve("wayland-0")
                + " (stale socket? a compositor that exited can leave its socket file behind): start the compositor, or remove the file");
        assertThatThrownBy(() -> provider.open(options())).isInstanceOf(IOException.class).hasMessageContaining("nothing listens on");
    }

    @Test
    void aRegularFileIsNotTakenForASocket() throws IOException {
        Files.writeString(runtimeDir.resolve("wayland-3"), "not a socket");
        options.put("host-display", "wayland-3");
        assertThat(provider.unavailabilityCause(options())).startsWith(runtimeDir.resolve("wayland-3") + " is not a socket but a regular file");
    }

    @Test
    void withoutXdgRuntimeDirARelativeDisplayCannotBeResolved() {
        env.remove("XDG_RUNTIME_DIR");
        assertThat(provider.unavailabilityCause(options()))
                .startsWith("XDG_RUNTIME_DIR is not set and --host-display is not an absolute path");
    }

    @Test
    void unknownMemoryValueNamesTheKeyAndTheAllowedValues() {
        options.put("memory", "magic");
        String expected = "unknown value 'magic' for option memory: allowed values are shared, separate";
        assertThat(provider.unavailabilityCause(options())).isEqualTo(expected);
        assertThatThrownBy(() -> provider.open(options())).isInstanceOf(IOException.class).hasMessage(expected);
    }

    @Test
    void sharedMemoryLetsTheHostSeeGuestMemory() throws Exception {
        try (Transport t = provider.open(options())) {
            assertThat(t.capabilities()).isEqualTo(new Capabilities(true, true, 28, 65536));
        }
    }

    @Test
    void separateMemoryMakesTheCoreCopyShmButFdsStillPass() throws Exception {
        options.put("memory", "separate");
        try (Transport t = provider.open(options())) {
            assertThat(t.capabilities()).isEqualTo(new Capabilities(false, true, 28, 65536));
            assertThat(t.describe()).endsWith("(separate memory)");
        }
    }

    @Test
    void allocatedMemoryIsVisibleThroughItsFd() throws Exception {
        try (Transport t = provider.open(options()); HostConnection host = t.connect(); HostBuffer buffer = host.allocate(4096)) {
            assertThat(buffer.size()).isEqualTo(4096);
            ByteBuffer memory = buffer.memory();
            assertThat(memory.position()).isZero();
            assertThat(memory.limit()).isEqualTo(4096);
            memory.putInt(1000, 0xCAFE);
            int dup = buffer.dupFd();
            assertThat(dup).isNotEqualTo(buffer.fd());
            ByteBuffer again = Fds.map(dup, 4096, false);
            assertThat(again.getInt(1000)).isEqualTo(0xCAFE);
            Fds.unmap(again);
            Fds.close(dup);
        }
    }

    @Test
    void closingAHostBufferFreesItsFd() throws Exception {
        try (Transport t = provider.open(options()); HostConnection host = t.connect()) {
            Map<Integer, String> before = OpenFds.snapshot();
            HostBuffer buffer = host.allocate(1 << 20);
            assertThat(OpenFds.openedSince(before)).containsOnlyKeys(buffer.fd());
            buffer.close();
            buffer.close();
            OpenFds.assertNoneOpenedSince(before, Duration.ZERO);
        }
    }

    @Test
    void aBridgedPipeIsTheSamePipe() throws Exception {
        try (Transport t = provider.open(options()); HostConnection host = t.connect()) {
            int[] pipe = Fds.pipe();
            int bridged = host.bridgePipe(pipe[1], PipeDirection.GUEST_TO_HOST);
            Fds.close(pipe[1]);
            Files.writeString(Path.of("/proc/self/fd/" + bridged), "clipboard");
            Fds.close(bridged);
            assertThat(Files.readString(Path.of("/proc/self/fd/" + pipe[0]))).isEqualTo("clipboard");
            Fds.close(pipe[0]);
        }
    }

    @Test
    void connectionsAndTransportCloseWithoutLeakingFds() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        Transport t = provider.open(options());
        HostConnection host = connectPastProbe(t);
        UnixSocket accepted = compositor.accept();
        host.close();
        accepted.close();
        t.close();
        OpenFds.assertNoneOpenedSince(before, Duration.ofSeconds(2));
        assertThatThrownBy(t::connect).isInstanceOf(IOException.class);
    }

    @Test
    void providerIsRegisteredForModulePathAndClassPath() throws IOException {
        String service = TransportProvider.class.getName();
        String impl = LoopbackTransportProvider.class.getName();
        Module module = LoopbackTransportProvider.class.getModule();
        if (module.isNamed()) {
            assertThat(module.getDescriptor().provides())
                    .anySatisfy(p -> {
                        assertThat(p.service()).isEqualTo(service);
                        assertThat(p.providers()).containsExactly(impl);
                    });
            assertThat(module.getDescriptor().exports()).isEmpty();
        }
        try (var in = LoopbackTransportProvider.class.getResourceAsStream("/META-INF/services/" + service)) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), UTF_8).strip()).isEqualTo(impl);
        }
        assertThat(new LoopbackTransportProvider().name()).isEqualTo("loopback");
    }

    /** Connects, after taking the connection {@code open()} made to check that the compositor answers. */
    private HostConnection connectPastProbe(Transport transport) throws IOException {
        compositor.accept().close();
        return transport.connect();
    }

    private static ByteBuffer bytes(String s) {
        byte[] b = s.getBytes(UTF_8);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private static String text(ByteBuffer written) {
        ByteBuffer b = written.duplicate().flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, UTF_8);
    }
}
