package dev.crossway.transport.virtgpu;

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
import dev.crossway.transport.virtgpu.emulator.VirtGpuEmulator;
import dev.crossway.transport.virtgpu.emulator.VirtGpuEmulatorConfig;
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

/** The transport against the emulated kernel + crosvm, with a fake compositor on a real Unix socket. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VirtGpuTransportTest {
    @TempDir
    Path dir;

    private final Map<String, String> options = new HashMap<>();
    private UnixServerSocket compositor;
    private VirtGpuEmulator emulator;

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

    private VirtGpuTransportProvider provider(Consumer<VirtGpuEmulatorConfig> setup) {
        VirtGpuEmulatorConfig config = VirtGpuEmulatorConfig.of(dir.resolve("wayland-0"));
        setup.accept(config);
        emulator = new VirtGpuEmulator(config);
        return new VirtGpuTransportProvider(emulator);
    }

    private TransportOptions options() {
        return options::get;
    }

    private void assertNoHostErrors() {
        assertThat(emulator.hostErrors()).as("errors the host would have logged").isEmpty();
    }

    @Test
    void bytesAndHostBuffersCrossToTheCompositor() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            assertThat(host.capabilities().maxFdsPerSend()).isEqualTo(28);
            assertThat(host.capabilities().maxBytesPerSend()).isEqualTo(3744);
            assertThat(host.capabilities().guestMemoryVisibleToHost()).isFalse();
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
                // Written after the send, still seen: it is the same memory.
                buffer.memory().put(0, "PIXELS".getBytes(UTF_8));
                seen.get(0, head);
                assertThat(new String(head, UTF_8)).isEqualTo("PIXELS");
                Fds.unmap(seen);
                Fds.close(pool);
            }
        }
        assertNoHostErrors();
    }

    /**
     * Host buffers take room in the VM's host-visible window: when it is full, allocate fails with
     * ENOSPC and a message that says which VM setting to raise; a closed buffer gives its room back.
     */
    @Test
    void aFullHostVisibleWindowIsNamedAndClosedBuffersGiveTheirRoomBack() throws Exception {
        try (Transport transport = provider(c -> c.hostVisibleBytes(1 << 20)).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            HostBuffer a = host.allocate(600 << 10);
            assertThat(emulator.hostVisibleBytesUsed()).isEqualTo(600 << 10);
            assertThatThrownBy(() -> host.allocate(600 << 10)).isInstanceOf(IOException.class).hasMessage(
                    "DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB of 614400 bytes failed: ENOSPC (28): No space left on device; the VM's"
                            + " host-visible memory window is full: give the VM a larger one (QEMU: hostmem=SIZE on its virtio-gpu device)");
            a.close();
            try (HostBuffer b = host.allocate(600 << 10)) {
                assertThat(b.size()).isEqualTo(600 << 10);
                assertThat(emulator.hostVisibleBytesUsed()).isEqualTo(600 << 10);
            }
        }
        assertNoHostErrors();
    }

    @Test
    void keymapFromTheCompositorArrivesAsAMappableFdWithTheSameContent() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
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
    void compositorWritePipeReachesTheGuestAndHangsUpAtEof() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            int[] pipe = Fds.pipe();
            FdQueue out = new FdQueue();
            out.add(pipe[1]);
            compositorSide.send(bytes("wl_data_source.send"), out);
            FdQueue in = new FdQueue();
            assertThat(receive(host, 19, in)).isEqualTo("wl_data_source.send");
            int guestEnd = in.take();
            assertThat(Fds.isFifo(guestEnd)).isTrue();
            Fds.write(guestEnd, bytes("clipboard text"));
            Fds.close(guestEnd);
            assertThat(readText(pipe[0])).isEqualTo("clipboard text");
            Fds.close(pipe[0]);
        }
        assertNoHostErrors();
    }

    @Test
    void guestPipesBecomeReadPipesInStepWithTheHost() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            // The receive loop carries READ data; run it as the relay would.
            CompletableFuture<Integer> receiving = CompletableFuture.supplyAsync(() -> {
                try {
                    return host.receive(ByteBuffer.allocateDirect(64), new FdQueue());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            int[] first = Fds.pipe();
            int[] second = Fds.pipe();
            int[] third = Fds.pipe();
            FdQueue out = new FdQueue();
            out.add(bridged(host, first[1]));
            out.add(bridged(host, second[1]));
            // Two read pipes need two SENDs (one READ_PIPE each): ids 0x80000001 and 0x80000002.
            host.send(bytes("ab"), out);
            out.add(bridged(host, third[1]));
            host.send(bytes("c"), out);
            FdQueue in = new FdQueue();
            assertThat(receive(compositorSide, 3, in)).isEqualTo("abc");
            assertThat(in.size()).isEqualTo(3);
            String[] payloads = {"one", "two", "three"};
            int[][] guestEnds = {first, second, third};
            for (int i = 0; i < 3; i++) {
                int hostWrite = in.take();
                Fds.write(hostWrite, bytes(payloads[i]));
                Fds.close(hostWrite);
                assertThat(readText(guestEnds[i][0])).isEqualTo(payloads[i]);
                Fds.close(guestEnds[i][0]);
            }
            assertNoHostErrors();
            host.close();
            assertThat(receiving.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void emptyReceiveMeansTheCompositorIsGone() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect()) {
            compositor.accept().close();
            assertThat(host.receive(ByteBuffer.allocateDirect(16), new FdQueue())).isEqualTo(-1);
            assertThat(host.receive(ByteBuffer.allocateDirect(16), new FdQueue())).isEqualTo(-1);
        }
        assertNoHostErrors();
    }

    @Test
    void closeWakesABlockedReceive() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             UnixSocket ignored = null) {
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
            }
        }
    }

    /**
     * The host answered the POLL and the guest closes before submitting the next one, so the host
     * worker waits for a fence rather than in poll(2): closing must still stop it at once (crosvm's
     * context teardown ends the worker there too), not after the emulator's 5 s join timeout, which,
     * on the one shared virtqueue thread, held up every other connection's teardown as well.
     */
    @Test
    void closeBetweenPollsDoesNotWaitForTheHostWorker() throws Exception {
        try (Transport transport = provider(c -> { }).open(options())) {
            for (int round = 0; round < 3; round++) {
                HostConnection host = transport.connect();
                try (UnixSocket compositorSide = compositor.accept()) {
                    compositorSide.send(bytes("x"), new FdQueue());
                    Thread.sleep(200); // the worker writes the RECEIVE, signals, and waits for the next POLL
                    long start = System.nanoTime();
                    host.close();
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(millis).as("close with the host worker between POLLs (ms)").isLessThan(1000);
                }
            }
        }
        assertThat(emulator.openFiles()).isZero();
        assertNoHostErrors();
    }

    @Test
    void fourIdentifierHostsGetFourFdsPerSend() throws Exception {
        options.put("identifiers", "4");
        try (Transport transport = provider(c -> c.maxIdentifiers(4)).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            assertThat(host.capabilities().maxFdsPerSend()).isEqualTo(4);
            VirtGpuConnection connection = (VirtGpuConnection) host;
            long before = connection.execbufferCount();
            HostBuffer[] buffers = new HostBuffer[6];
            FdQueue out = new FdQueue();
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = host.allocate(4096);
                out.add(buffers[i].dupFd());
            }
            long afterAllocate = connection.execbufferCount();
            assertThat(afterAllocate - before).as("one GET_IMAGE_REQUIREMENTS for six buffers of one size").isEqualTo(1);
            host.send(bytes("six fds here"), out);
            assertThat(connection.execbufferCount() - afterAllocate).as("two SENDs coalesced").isEqualTo(1);
            FdQueue in = new FdQueue();
            assertThat(receive(compositorSide, 12, in)).isEqualTo("six fds here");
            assertThat(in.size()).isEqualTo(6);
            in.closeAll(Fds.CLOSER);
            // And back: a RECEIVE in the 64-byte layout.
            int memfd = Fds.memfd("format-table", 64);
            FdQueue back = new FdQueue();
            back.add(memfd);
            compositorSide.send(bytes("table"), back);
            FdQueue got = new FdQueue();
            assertThat(receive(host, 5, got)).isEqualTo("table");
            assertThat(Fds.size(got.peek(0))).isEqualTo(64);
            got.closeAll(Fds.CLOSER);
            for (HostBuffer b : buffers) {
                b.close();
            }
        }
        assertNoHostErrors();
    }

    @Test
    void largeSendsAreSplitIntoSendsAndCoalescedIntoOneExecbuffer() throws Exception {
        try (VirtGpuTransport transport = (VirtGpuTransport) provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            VirtGpuConnection connection = (VirtGpuConnection) host;
            assertThat(connection.execbufferCount()).as("INIT and the first POLL").isEqualTo(2);
            String big = "x".repeat(10_000);
            host.send(bytes(big), new FdQueue());
            assertThat(connection.execbufferCount()).isEqualTo(3);
            assertThat(connection.commandCount()).as("INIT, POLL and three SENDs").isEqualTo(5);
            assertThat(receive(compositorSide, 10_000, new FdQueue())).isEqualTo(big);
            assertThat(transport.execbufferCount()).isEqualTo(3);
            assertThat(emulator.execbufferCount()).isEqualTo(3);
        }
        assertNoHostErrors();
    }

    @Test
    void onlyFdsThisConnectionMadeCanCrossAndTheErrorSaysWhy() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            FdQueue out = new FdQueue();
            int memfd = Fds.memfd("shm-pool", 4096);
            Fds.Stat memfdFile = Fds.stat(memfd);
            out.add(memfd);
            assertThatThrownBy(() -> host.send(bytes("wl_shm.create_pool"), out))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("fd " + memfd)
                    .hasMessageContaining("did not make it")
                    .hasMessageContaining("host buffer");
            assertThat(out.isEmpty()).isTrue();
            assertThat(Fds.isOpenOn(memfd, memfdFile)).as("send took ownership and closed it").isFalse();
            // A pipe end that was not bridged is not taken for one: the transport never guesses.
            int[] pipe = Fds.pipe();
            out.add(pipe[1]);
            assertThatThrownBy(() -> host.send(bytes("x"), out)).hasMessageContaining("did not make it");
            Fds.close(pipe[0]);
            int[] readEnd = Fds.pipe();
            assertThatThrownBy(() -> host.bridgePipe(readEnd[0], PipeDirection.GUEST_TO_HOST))
                    .hasMessageContaining("cannot carry a guest pipe for the host to read from");
            Fds.close(readEnd[0]);
            Fds.close(readEnd[1]);
        }
        assertNoHostErrors();
    }

    @Test
    void nothingLeaksAfterClose() throws Exception {
        VirtGpuTransportProvider provider = provider(c -> { });
        provider.unavailabilityCause(options()); // probe once, outside the count
        Map<Integer, String> before = OpenFds.snapshot();
        try (Transport transport = provider.open(options())) {
            for (int round = 0; round < 2; round++) {
                HostConnection host = transport.connect();
                try (UnixSocket compositorSide = compositor.accept()) {
                    HostBuffer buffer = host.allocate(5000);
                    FdQueue out = new FdQueue();
                    int[] guestPipe = Fds.pipe();
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
                    got.closeAll(Fds.CLOSER);
                    readAll(hostPipe[0]);
                    Fds.close(hostPipe[0]);
                    buffer.close();
                    host.close();
                    Fds.close(guestPipe[0]);
                }
            }
        }
        // The last DRM close may finish on the pipe pump's thread just after close() returns: allow it 2 s.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while ((emulator.openFiles() != 0 || !OpenFds.openedSince(before).isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(emulator.openFiles()).isZero();
        OpenFds.assertNoneOpenedSince(before, Duration.ZERO);
        assertNoHostErrors();
    }

    @Test
    void aGuestReaderThatStallsDoesNotHoldUpWaylandAndGetsEverythingOnceItReads() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            VirtGpuConnection connection = (VirtGpuConnection) host;
            Receiver receiver = new Receiver(host);
            int[] guest = Fds.pipe();
            int hostWrite = sendPipe(host, compositorSide, guest[1], "r");
            byte[] data = new byte[3 * 1024 * 1024 + 12345];
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
            // The guest app does not read: the guest side queues up to its bound, then holds the host back.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (connection.queuedForGuestPipes() < PipeWriter.SOFT_LIMIT && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(connection.queuedForGuestPipes()).isGreaterThanOrEqualTo(PipeWriter.SOFT_LIMIT);
            // Wayland bytes still get through while the pipe is stalled.
            long start = System.nanoTime();
            compositorSide.send(bytes("wl_event"), new FdQueue());
            assertThat(receiver.awaitBytes(8, 1000)).as("Wayland bytes while a guest pipe is stalled").isEqualTo("wl_event");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Thread.sleep(200);
            assertThat(writing).as("the host writer is held back").isNotDone();
            assertThat(connection.queuedForGuestPipes()).as("bounded").isLessThanOrEqualTo(PipeWriter.HARD_LIMIT + 4096);
            // Now the reader reads: everything, bit-exact, then end of file (the hang-up).
            byte[] got = readAll(guest[0]);
            Fds.close(guest[0]);
            writing.get(10, TimeUnit.SECONDS);
            assertThat(got.length).isEqualTo(data.length);
            assertThat(Arrays.equals(got, data)).as("bit-exact").isTrue();
            assertThat(connection.guestReadPipes()).isZero();
            System.out.println("Wayland bytes during a stalled pipe arrived after " + millis + " ms");
            assertNoHostErrors();
            host.close();
            assertThat(receiver.done.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void aGuestReaderThatGoesAwayDropsOnlyItsOwnPipe() throws Exception {
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            VirtGpuConnection connection = (VirtGpuConnection) host;
            Receiver receiver = new Receiver(host);
            int[] gone = Fds.pipe();
            int hostWrite = sendPipe(host, compositorSide, gone[1], "g");
            Fds.close(gone[0]);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    Fds.write(hostWrite, direct(new byte[512 * 1024]));
                } catch (IOException e) {
                    // the host side may see EPIPE once the bridge is gone
                } finally {
                    Fds.close(hostWrite);
                }
            });
            writing.get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (connection.guestReadPipes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(connection.guestReadPipes()).isZero();
            compositorSide.send(bytes("still"), new FdQueue());
            assertThat(receiver.awaitBytes(5, 1000)).isEqualTo("still");
            assertNoHostErrors();
            host.close();
            assertThat(receiver.done.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void idlePipesEndAfterThePipeIdleTimeout() throws Exception {
        options.put("pipe-idle-timeout", "200");
        try (Transport transport = provider(c -> { }).open(options());
             HostConnection host = transport.connect();
             UnixSocket compositorSide = compositor.accept()) {
            Receiver receiver = new Receiver(host);
            Thread.sleep(50);
            Map<Integer, String> before = OpenFds.snapshot();
            // Guest to host: the guest app holds the write end and writes nothing; the host gets the hang-up.
            int[] hostPipe = Fds.pipe();
            FdQueue back = new FdQueue();
            back.add(hostPipe[1]);
            long start = System.nanoTime(); // the idle clocks start later than this, never earlier
            compositorSide.send(bytes("s"), back);
            assertThat(receiver.awaitBytes(1, 5000)).isEqualTo("s");
            int guestWrite = receiver.fds.poll(5, TimeUnit.SECONDS);
            assertThat(readAll(hostPipe[0])).isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
            Fds.close(hostPipe[0]);
            Fds.close(guestWrite);
            // Host to guest: the compositor holds the write end and writes nothing; the guest reader sees EOF.
            int[] guest = Fds.pipe();
            FdQueue out = new FdQueue();
            start = System.nanoTime();
            out.add(bridged(host, guest[1]));
            host.send(bytes("r"), out);
            FdQueue in = new FdQueue();
            receive(compositorSide, 1, in);
            int hostWrite = in.take();
            assertThat(readAll(guest[0])).isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
            Fds.close(guest[0]);
            // Data the host sends later for the forgotten id is ignored.
            Fds.write(hostWrite, bytes("late"));
            Fds.close(hostWrite);
            OpenFds.assertNoneOpenedSince(before, Duration.ofSeconds(5));
            assertNoHostErrors();
            host.close();
            assertThat(receiver.done.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void badPipeIdleTimeoutIsNamed() {
        options.put("pipe-idle-timeout", "-5");
        assertThat(provider(c -> { }).unavailabilityCause(options())).contains("pipe-idle-timeout").contains("-5");
    }

    // ------------------------------------------------------------ availability

    @Test
    void aWorkingSetupPassesEveryCheck() {
        VirtGpuTransportProvider provider = provider(c -> { });
        assertThat(provider.unavailabilityCause(options())).isNull();
        assertThat(provider.checks(options())).hasSize(7).allMatch(line -> line.startsWith("ok"));
    }

    @Test
    void noDeviceNamesTheVmAndCrosvmFlags() {
        String cause = provider(c -> c.devicePresent(false)).unavailabilityCause(options());
        assertThat(cause).contains("no DRM device").contains("--gpu context-types=cross-domain");
    }

    @Test
    void permissionDeniedNamesTheRenderGroup() {
        String cause = provider(c -> c.openErrno(LibC.EACCES)).unavailabilityCause(options());
        assertThat(cause).contains("permission denied").contains("render group");
    }

    @Test
    void anotherDriverIsNotMistakenForVirtioGpu() {
        String cause = provider(c -> c.driverName("i915")).unavailabilityCause(options());
        assertThat(cause).contains("no virtio_gpu device").contains("i915");
    }

    @Test
    void oldKernelsLackContextInit() {
        VirtGpuTransportProvider provider = provider(c -> c.kernelKnowsContextInit(false));
        assertThat(provider.unavailabilityCause(options()))
                .contains("DRM_IOCTL_VIRTGPU_GETPARAM(VIRTGPU_PARAM_CONTEXT_INIT) failed: EINVAL (22)")
                .contains("older than 5.16");
        assertThat(provider.checks(options())).element(4).asString().startsWith("missing");
        assertThat(provider.checks(options())).element(5).asString().startsWith("-");
    }

    @Test
    void missingCrossDomainCapsetNamesTheCrosvmFlag() {
        String cause = provider(c -> c.capsetMask(1 << 1)).unavailabilityCause(options());
        assertThat(cause).contains("no cross-domain capset").contains("0x2").contains("context-types=cross-domain");
    }

    @Test
    void missingWaylandChannelNamesTheSocketFlag() {
        String cause = provider(c -> c.supportedChannels(0)).unavailabilityCause(options());
        assertThat(cause).startsWith("Wayland channel").contains("--wayland-sock");
    }

    @Test
    void openFailsWithTheCause() {
        assertThatThrownBy(() -> provider(c -> c.hostVisible(false)).open(options()))
                .isInstanceOf(IOException.class).hasMessageContaining("host-visible memory");
    }

    @Test
    void badOptionsAreNamed() {
        options.put("identifiers", "12");
        assertThat(provider(c -> { }).unavailabilityCause(options())).contains("identifiers").contains("28").contains("4");
    }
}
