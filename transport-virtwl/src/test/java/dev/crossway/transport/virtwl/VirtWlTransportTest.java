package dev.crossway.transport.virtwl;

import dev.crossway.linux.testing.OpenFds;
import java.time.Duration;

import static dev.crossway.linux.testing.TestIo.bridged;
import static dev.crossway.linux.testing.TestIo.bytes;
import static dev.crossway.linux.testing.TestIo.direct;
import static dev.crossway.linux.testing.TestIo.mappedText;
import static dev.crossway.linux.testing.TestIo.memfdWith;
import static dev.crossway.linux.testing.TestIo.readAll;
import static dev.crossway.linux.testing.TestIo.readText;
import static dev.crossway.linux.testing.TestIo.receive;
import static dev.crossway.linux.testing.TestIo.sendPipe;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.pipe.PipeWriter;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.testing.TestIo.Receiver;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulator;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatorConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The transport against the emulated virtwl driver + crosvm, with a fake compositor on a real Unix socket. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VirtWlTransportTest {
    @TempDir
    Path dir;

    private final Map<String, String> options = new HashMap<>();
    private UnixServerSocket compositor;
    private VirtWlEmulator emulator;

    @BeforeEach
    void fakeCompositor() throws IOException {
        compositor = UnixServerSocket.bind(dir.resolve("wayland-0"));
    }

    @AfterEach
    void stop() {
        if (emulator != null && !emulator.hostErrors().isEmpty()) {
            System.err.println("host errors: " + emulator.hostErrors());
        }
        compositor.close();
        if (emulator != null) {
            emulator.close();
        }
    }

    private static final java.util.concurrent.atomic.AtomicReference<VirtWlEmulator> EMULATOR = new java.util.concurrent.atomic.AtomicReference<>();

    private VirtWlTransportProvider provider(Consumer<VirtWlEmulatorConfig> setup) {
        VirtWlEmulatorConfig config = VirtWlEmulatorConfig.of(dir.resolve("wayland-0"));
        setup.accept(config);
        emulator = new VirtWlEmulator(config);
        EMULATOR.set(emulator);
        return new VirtWlTransportProvider(emulator);
    }

    /**
     * The transport, opened after its availability probe, whose context the fake compositor accepts and
     * drops here (the probe connects as a client would).
     */
    private Transport open(Consumer<VirtWlEmulatorConfig> setup) throws IOException {
        Transport transport = provider(setup).open(options());
        compositor.accept().close();
        return transport;
    }

    private TransportOptions options() {
        return options::get;
    }

    private void assertNoHostErrors() {
        assertThat(emulator.hostErrors()).as("errors crosvm would have logged").isEmpty();
    }

    /** Waits (bounded) for a condition the pipe threads reach asynchronously. */
    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (!condition.getAsBoolean()) {
            System.out.println(what + ": not reached; open fds " + Fds.countOpenFds() + ": " + openFds());
            if (EMULATOR.get() != null) {
                System.out.println("live VFDs " + EMULATOR.get().liveVfds() + ", in-queue pages " + EMULATOR.get().inQueueUsed());
            }
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private static String openFds() {
        try (var list = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return list.map(p -> {
                try {
                    return p.getFileName() + "->" + java.nio.file.Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "->?";
                }
            }).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void bytesAndHostBuffersCrossToTheCompositor() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            assertThat(host.capabilities().maxFdsPerSend()).isEqualTo(28);
            assertThat(host.capabilities().maxBytesPerSend()).isEqualTo(3980);
            assertThat(host.capabilities().guestMemoryVisibleToHost()).isFalse();
            assertThat(host.capabilities().fdsPassThrough()).isFalse();
            try (HostBuffer buffer = host.allocate(10_000)) {
                assertThat(buffer.size()).isEqualTo(10_000);
                buffer.memory().put(0, "pixels".getBytes(UTF_8));
                FdQueue out = new FdQueue();
                out.add(buffer.dupFd());
                host.send(bytes("wl_shm.create_pool"), out);
                assertThat(out.isEmpty()).isTrue();
                FdQueue in = new FdQueue();
                assertThat(receive(compositorSide, 18, in)).isEqualTo("wl_shm.create_pool");
                assertThat(in.size()).isEqualTo(1);
                int pool = in.take();
                ByteBuffer seen = Fds.map(pool, 10_000, false);
                byte[] head = new byte[6];
                seen.get(0, head);
                assertThat(new String(head, UTF_8)).isEqualTo("pixels");
                buffer.memory().put(0, "PIXELS".getBytes(UTF_8));
                seen.get(0, head);
                assertThat(new String(head, UTF_8)).as("the same memory, written after the send").isEqualTo("PIXELS");
                Fds.unmap(seen);
                Fds.close(pool);
            }
        }
        assertNoHostErrors();
    }

    @Test
    void keymapFromTheCompositorArrivesAsAMappableFdWithTheSameContent() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            String keymap = "xkb_keymap { xkb_keycodes { }; };";
            int memfd = memfdWith("keymap", keymap);
            FdQueue out = new FdQueue();
            out.add(memfd);
            compositorSide.send(bytes("wl_keyboard.keymap"), out);
            FdQueue in = new FdQueue();
            assertThat(receive(host, 18, in)).isEqualTo("wl_keyboard.keymap");
            assertThat(in.size()).isEqualTo(1);
            int fd = in.take();
            assertThat(mappedText(fd, keymap.length())).isEqualTo(keymap);
            Fds.close(fd);
        }
        assertNoHostErrors();
    }

    @Test
    void largeSendsGoAsSendsOfAPageAndLargeEventsComeWhole() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            String big = "x".repeat(10_000);
            host.send(bytes(big), new FdQueue());
            assertThat(emulator.sendCount()).as("10000 bytes in SENDs of at most 3980").isEqualTo(3);
            assertThat(((VirtWlConnection) host).counters()).containsEntry("SEND ioctls", 3L);
            assertThat(receive(compositorSide, 10_000, new FdQueue())).isEqualTo(big);
            String events = "y".repeat(20_000);
            compositorSide.send(bytes(events), new FdQueue());
            assertThat(receive(host, 20_000, new FdQueue())).isEqualTo(events);
        }
        assertNoHostErrors();
    }

    @Test
    void aGuestWriteEndBecomesAPipeTheCompositorWritesIntoUntilItHangsUp() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            int[] guest = Fds.pipe();
            int hostWrite = sendPipe(host, compositorSide, guest[1], "wl_data_offer.receive");
            Fds.write(hostWrite, bytes("clipboard text"));
            Fds.close(hostWrite);
            assertThat(readText(guest[0])).isEqualTo("clipboard text");
            Fds.close(guest[0]);
        }
        assertNoHostErrors();
    }

    @Test
    void aGuestReadEndBecomesAPipeTheCompositorReads() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            int[] guest = Fds.pipe();
            FdQueue out = new FdQueue();
            out.add(host.bridgePipe(guest[0], PipeDirection.GUEST_TO_HOST));
            Fds.close(guest[0]);
            host.send(bytes("r"), out);
            FdQueue in = new FdQueue();
            receive(compositorSide, 1, in);
            int hostRead = in.take();
            Fds.write(guest[1], bytes("from the guest"));
            Fds.close(guest[1]);
            assertThat(readText(hostRead)).isEqualTo("from the guest");
            Fds.close(hostRead);
        }
        assertNoHostErrors();
    }

    @Test
    void theCompositorsWriteEndReachesTheGuestAppAsAnOrdinaryPipe() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            int[] hostPipe = Fds.pipe();
            FdQueue back = new FdQueue();
            back.add(hostPipe[1]);
            compositorSide.send(bytes("wl_data_source.send"), back);
            FdQueue in = new FdQueue();
            assertThat(receive(host, 19, in)).isEqualTo("wl_data_source.send");
            int vfd = in.take();
            int guestEnd = host.bridgeHostPipe(vfd, PipeDirection.GUEST_TO_HOST);
            assertThat(Fds.isFifo(guestEnd)).isTrue();
            byte[] data = new byte[300_000];
            new Random(3).nextBytes(data);
            CompletableFuture<byte[]> reading = CompletableFuture.supplyAsync(() -> {
                try {
                    return readAll(hostPipe[0]);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Fds.write(guestEnd, direct(data));
            Fds.close(guestEnd);
            assertThat(Arrays.equals(reading.get(10, TimeUnit.SECONDS), data)).as("bit-exact, then end of file").isTrue();
            Fds.close(hostPipe[0]);
        }
        assertNoHostErrors();
    }

    @Test
    void theCompositorClosingIsTheEndOfTheStream() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect()) {
            try (UnixSocket compositorSide = compositor.accept()) {
                compositorSide.send(bytes("last words"), new FdQueue());
            }
            assertThat(receive(host, 10, new FdQueue())).isEqualTo("last words");
            assertThat(host.receive(ByteBuffer.allocateDirect(16), new FdQueue())).isEqualTo(-1);
            assertThat(host.receive(ByteBuffer.allocateDirect(16), new FdQueue())).isEqualTo(-1);
        }
        assertNoHostErrors();
    }

    @Test
    void closeWakesABlockedReceive() throws Exception {
        try (Transport transport = open(c -> { })) {
            HostConnection host = transport.connect();
            try (UnixSocket compositorSide = compositor.accept()) {
                CompletableFuture<Integer> receiving = CompletableFuture.supplyAsync(() -> {
                    try {
                        return host.receive(ByteBuffer.allocateDirect(16), new FdQueue());
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(100);
                host.close();
                assertThat(receiving.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
                ByteBuffer probe = ByteBuffer.allocateDirect(1);
                assertThat(compositorSide.receive(probe, new FdQueue())).as("the compositor sees the client go").isEqualTo(-1);
            }
        }
        assertNoHostErrors();
    }

    @Test
    void onlyFdsThisConnectionMadeCanCrossAndTheErrorSaysWhy() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            FdQueue out = new FdQueue();
            int memfd = Fds.memfd("shm-pool", 4096);
            Fds.Stat memfdFile = Fds.stat(memfd);
            out.add(memfd);
            assertThatThrownBy(() -> host.send(bytes("wl_shm.create_pool"), out))
                    .isInstanceOf(IOException.class).hasMessageContaining("fd " + memfd).hasMessageContaining("did not make it");
            assertThat(Fds.isOpenOn(memfd, memfdFile)).as("send took ownership and closed it").isFalse();
            int[] pipe = Fds.pipe();
            out.add(pipe[1]);
            assertThatThrownBy(() -> host.send(bytes("x"), out)).hasMessageContaining("did not make it");
            Fds.close(pipe[0]);
            assertThat(emulator.sendCount()).as("nothing reached the device").isZero();
        }
        assertNoHostErrors();
    }

    @Test
    void aGuestReaderThatStallsIsHeldAtTheBoundAndGetsEverythingOnceItReads() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            VirtWlConnection connection = (VirtWlConnection) host;
            Receiver receiver = new Receiver(host);
            int[] guest = Fds.pipe();
            int hostWrite = sendPipe(host, compositorSide, guest[1], "r");
            byte[] data = new byte[6 * 1024 * 1024 + 12345];
            new Random(5).nextBytes(data);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    Fds.write(hostWrite, direct(data));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                } finally {
                    Fds.close(hostWrite);
                }
            });
            // The app does not read: the bridge queues up to its bound, then the device holds the rest.
            await("the bridge's queue reaches the hard limit",
                    () -> connection.bridgedBytesQueued() >= PipeWriter.HARD_LIMIT);
            await("the device's in-queue fills", () -> emulator.inQueueUsed() > 0);
            Thread.sleep(300);
            assertThat(connection.bridgedBytesQueued()).as("bounded").isLessThanOrEqualTo(PipeWriter.HARD_LIMIT + 4096);
            assertThat(writing).as("the host writer is held back").isNotDone();
            System.out.println("stalled reader: " + connection.bridgedBytesQueued() + " bytes queued in the bridge, "
                    + emulator.inQueueUsed() + " in-queue pages held by the device");
            byte[] got = readAll(guest[0]);
            Fds.close(guest[0]);
            writing.get(10, TimeUnit.SECONDS);
            assertThat(got.length).isEqualTo(data.length);
            assertThat(Arrays.equals(got, data)).as("bit-exact").isTrue();
            await("the bridge ends with the pipe", () -> connection.bridges() == 0);
            assertNoHostErrors();
            host.close();
            assertThat(receiver.done.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void waylandEventsStillFlowWhileAGuestReaderIsSlow() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            VirtWlConnection connection = (VirtWlConnection) host;
            Receiver receiver = new Receiver(host);
            int[] guest = Fds.pipe();
            int hostWrite = sendPipe(host, compositorSide, guest[1], "r");
            Fds.write(hostWrite, direct(new byte[2 * 1024 * 1024]));
            await("the bridge queues what the app has not read", () -> connection.bridgedBytesQueued() >= PipeWriter.SOFT_LIMIT);
            compositorSide.send(bytes("wl_event"), new FdQueue());
            assertThat(receiver.awaitBytes(8, 2000)).as("Wayland bytes while a guest pipe is stalled").isEqualTo("wl_event");
            Fds.close(hostWrite);
            assertThat(readAll(guest[0]).length).isEqualTo(2 * 1024 * 1024);
            Fds.close(guest[0]);
            host.close();
            assertThat(receiver.done.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
        assertNoHostErrors();
    }

    @Test
    void aGuestReaderThatGoesAwayEndsOnlyItsOwnBridge() throws Exception {
        try (Transport transport = open(c -> { });
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            VirtWlConnection connection = (VirtWlConnection) host;
            Receiver receiver = new Receiver(host);
            int[] gone = Fds.pipe();
            int[] kept = Fds.pipe();
            FdQueue out = new FdQueue();
            out.add(bridged(host, gone[1]));
            host.send(bytes("g"), out);
            out.add(bridged(host, kept[1]));
            host.send(bytes("k"), out);
            FdQueue in = new FdQueue();
            receive(compositorSide, 2, in);
            int goneWrite = in.take();
            int keptWrite = in.take();
            Fds.close(gone[0]);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    Fds.write(goneWrite, direct(new byte[512 * 1024]));
                } catch (IOException e) {
                    // the compositor's writer sees EPIPE once the bridge is gone
                } finally {
                    Fds.close(goneWrite);
                }
            });
            writing.get(10, TimeUnit.SECONDS);
            await("only the kept bridge is left", () -> connection.bridges() == 1);
            Fds.write(keptWrite, bytes("still here"));
            Fds.close(keptWrite);
            assertThat(readText(kept[0])).isEqualTo("still here");
            Fds.close(kept[0]);
            compositorSide.send(bytes("still"), new FdQueue());
            assertThat(receiver.awaitBytes(5, 2000)).isEqualTo("still");
            host.close();
            assertThat(receiver.done.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
        assertNoHostErrors();
    }

    @Test
    void nothingLeaksAfterClose() throws Exception {
        VirtWlTransportProvider provider = provider(c -> { });
        provider.unavailabilityCause(options()); // probe once, outside the count
        compositor.accept().close();
        await("crosvm let go of the probe's context", () -> emulator.liveVfds() == 0);
        Map<Integer, String> before = OpenFds.snapshot();
        try (Transport transport = provider.open(options())) {
            for (int round = 0; round < 3; round++) {
                HostConnection host = transport.connect();
                try (UnixSocket compositorSide = compositor.accept()) {
                    HostBuffer buffer = host.allocate(5000);
                    int[] guestPipe = Fds.pipe();
                    FdQueue out = new FdQueue();
                    out.add(buffer.dupFd());
                    out.add(bridged(host, guestPipe[1]));
                    host.send(bytes("two"), out);
                    FdQueue in = new FdQueue();
                    receive(compositorSide, 3, in);
                    in.closeAll(Fds.CLOSER);
                    int[] hostPipe = Fds.pipe();
                    FdQueue back = new FdQueue();
                    back.add(hostPipe[1]);
                    compositorSide.send(bytes("p"), back);
                    FdQueue got = new FdQueue();
                    receive(host, 1, got);
                    int guestEnd = host.bridgeHostPipe(got.take(), PipeDirection.GUEST_TO_HOST);
                    Fds.close(guestEnd);
                    readAll(hostPipe[0]);
                    Fds.close(hostPipe[0]);
                    buffer.close();
                    host.close();
                    Fds.close(guestPipe[0]);
                }
            }
        }
        await("no live VFDs", () -> emulator.liveVfds() == 0 && emulator.inQueueUsed() == 0);
        OpenFds.assertNoneOpenedSince(before, Duration.ofSeconds(5));
        assertNoHostErrors();
    }

    // ------------------------------------------------------------ availability

    @Test
    void aWorkingSetupPassesEveryCheck() {
        VirtWlTransportProvider provider = provider(c -> { });
        assertThat(provider.unavailabilityCause(options())).isNull();
        assertThat(provider.checks(options())).hasSize(4).allMatch(line -> line.startsWith("ok"));
    }

    @Test
    void noDeviceNamesCrosvmsFlagAndTheDriver() {
        VirtWlTransportProvider provider = provider(c -> c.devicePresent(false));
        assertThat(provider.unavailabilityCause(options())).startsWith("virtwl device: no /dev/wl0")
                .contains("--wayland-sock").contains("CONFIG_VIRTIO_WL");
        assertThat(provider.checks(options())).element(1).asString().startsWith("-");
    }

    @Test
    void permissionDeniedNamesTheFix() {
        String cause = provider(c -> c.openErrno(LibC.EACCES)).unavailabilityCause(options());
        assertThat(cause).startsWith("permission: open /dev/wl0 failed: EACCES (13)").contains("udev rule");
    }

    @Test
    void anotherDeviceIsNotMistakenForVirtwl() {
        String cause = provider(c -> c.virtwlDriver(false)).unavailabilityCause(options());
        assertThat(cause).startsWith("virtwl driver: VIRTWL_IOCTL_NEW(NEW_ALLOC) on /dev/wl0 failed: ENOTTY (25)")
                .contains("not a virtwl device");
    }

    @Test
    void noContextNamesTheSocketFlag() {
        String cause = provider(VirtWlEmulatorConfig::noWaylandSocket).unavailabilityCause(options());
        assertThat(cause).startsWith("Wayland context: VIRTWL_IOCTL_NEW(NEW_CTX) on /dev/wl0 failed: ENODEV (19)")
                .contains("--wayland-sock PATH");
    }

    @Test
    void aNamedContextConnectsToTheNamedSocket() throws Exception {
        try (UnixServerSocket other = UnixServerSocket.bind(dir.resolve("other"))) {
            options.put("context-name", "other");
            try (Transport transport = provider(c -> c.namedSocket("other", dir.resolve("other"))).open(options());
                 HostConnection host = transport.connect()) {
                other.accept(); // the probe's context
                try (UnixSocket otherSide = other.accept()) {
                    host.send(bytes("hi"), new FdQueue());
                    assertThat(receive(otherSide, 2, new FdQueue())).isEqualTo("hi");
                }
            }
            options.put("context-name", "missing");
            assertThat(provider(c -> { }).unavailabilityCause(options())).contains("NEW_CTX_NAMED").contains("name=NAME");
        }
    }

    @Test
    void badOptionsAreNamed() {
        options.put("pipe-idle-timeout", "-5");
        assertThat(provider(c -> { }).unavailabilityCause(options())).contains("pipe-idle-timeout").contains("-5");
        options.remove("pipe-idle-timeout");
        options.put("context-name", "x".repeat(40));
        assertThat(provider(c -> { }).unavailabilityCause(options())).contains("context-name").contains("at most 31 bytes");
    }
}
