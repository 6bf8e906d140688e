package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Crossway.ProcStats;
import dev.crossway.it.rig.RoundTripClient;
import dev.crossway.it.rig.Sway;
import dev.crossway.it.rig.WlClipboard;
import dev.crossway.it.rig.WlClipboard.Display;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clipboard and primary selection across Crossway (here its loopback transport), between wl-clipboard on the
 * guest side (through Crossway's socket) and on the host side (directly on a headless sway 1.7).
 *
 * <p>Rig facts: sway offers {@code zwlr_data_control_manager_v1}, so host-side wl-copy/wl-paste use
 * data-control and need no focus. Through Crossway, where data-control is privileged (class clipboard)
 * and hidden unless granted, they fall back to a
 * surface of their own, which needs keyboard focus, which needs a keyboard on the seat: the class holds a
 * virtual one ({@code wtype}) for its whole run. On loopback the pipe fds of {@code send} and
 * {@code receive} pass through unchanged, so the bytes flow app to app and Crossway only relays messages.
 *
 * <p>One sway and one Crossway serve every test (the 256 MiB transfers run once each), to keep the class
 * well under three minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipboardIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1 << 20;
    private static final String GTK_MANAGER = "gtk_primary_selection_device_manager";
    private static final String ZWP_MANAGER = "zwp_primary_selection_device_manager_v1";
    private static final String DATA_CONTROL = "zwlr_data_control_manager_v1";

    private Sway sway;
    private Crossway crossway;
    /** A second daemon, granted the clipboard class (data-control): its clients need no focus. */
    private Crossway crosswayDc;
    private Path crosswayDir;
    private Path tmp;
    private Display host;
    private Display guest;
    private Display guestDc;
    private Path big;

    @BeforeAll
    void startSwayAndCrossway() throws IOException {
        List<String> missing = Sway.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (apt-get install sway wl-clipboard wtype wayland-utils)");
        assumeTrue("root".equals(System.getProperty("user.name")), "sway must be started as uid 65534, which needs root");
        Crossway.launcher(); // fails, not skips, when the distribution was not built
        tmp = Files.createTempDirectory("crossway-clipboard-it-");
        sway = Sway.start();
        System.out.println("started " + sway);
        // The whole class, with room: wtype holds its keyboard while it sleeps, and is killed at the end.
        sway.holdKeyboard(Duration.ofMinutes(10));
        crosswayDir = Files.createTempDirectory("crossway-it-cw-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        crossway = startCrossway("clip");
        host = new Display("host", sway.runtimeDir(), sway.socketName());
        guest = new Display("guest", crosswayDir, crossway.socketPath().toString());
        crosswayDc = startCrossway("clip-dc", "--grant", "clipboard");
        guestDc = new Display("guest+data-control", crosswayDir, crosswayDc.socketPath().toString());
    }

    /** The transport under test: loopback here; subclasses run the same tests on others. */
    List<String> transportArgs() {
        return List.of("--transport", "loopback");
    }

    /** Environment for the daemon (transport options without flags). */
    Map<String, String> transportEnv() {
        return Map.of();
    }

    /** The distribution to run. */
    Path home() {
        return Crossway.distribution();
    }

    private Crossway startCrossway(String socket, String... extra) {
        List<String> args = new ArrayList<>(transportArgs());
        args.addAll(List.of("--host-display", sway.socketPath().toString(), "--socket", crosswayDir.resolve(socket).toString()));
        args.addAll(List.of(extra));
        Crossway c = Crossway.start(home(), crosswayDir, args, transportEnv());
        System.out.println("started " + c);
        return c;
    }

    @AfterAll
    void stopAll() throws IOException {
        if (crossway != null) {
            crossway.close();
        }
        if (crosswayDc != null) {
            crosswayDc.close();
        }
        if (sway != null) {
            sway.close();
        }
        if (crosswayDir != null) {
            deleteTree(crosswayDir);
        }
        if (tmp != null) {
            deleteTree(tmp);
        }
    }

    /** Copies {@code data} on {@code from} and pastes it on {@code to}; returns the paste's result. */
    private Clients.Result transfer(Display from, Display to, Path data, boolean primary, Path out) {
        Clients.Result copy = WlClipboard.copy(from, data, primary, TIMEOUT);
        assertThat(copy.exitCode()).as(copy.describe() + "\n  Crossway's log:\n" + crossway.log()).isZero();
        Clients.Result paste = WlClipboard.paste(to, out, primary, TIMEOUT);
        assertThat(paste.exitCode()).as(paste.describe() + "\n  Crossway's log:\n" + crossway.log()).isZero();
        return paste;
    }

    private void assertSameContent(Path expected, Path actual, String what) throws IOException {
        assertThat(Files.size(actual)).as(what + ": size").isEqualTo(Files.size(expected));
        assertThat(WlClipboard.sha256(actual)).as(what + ": sha256").isEqualTo(WlClipboard.sha256(expected));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1, 4095, 4096, 4097, 1 << 20})
    void clipboardCrossesBothWaysBitExact(long size) throws IOException {
        Path data = WlClipboard.randomFile(tmp, size, size);
        Path out = tmp.resolve("out-" + size);
        for (Display[] way : new Display[][] {{guest, host}, {host, guest}}) {
            Clients.Result paste = transfer(way[0], way[1], data, false, out);
            assertSameContent(data, out, way[0] + " to " + way[1] + ", " + size + " B");
            System.out.println(way[0] + " -> " + way[1] + ": " + size + " B in " + paste.elapsed().toMillis() + " ms");
        }
        Files.delete(out);
        Files.delete(data);
    }

    @Test
    void quarterGigabyteCrossesBothWaysBitExactTimedAgainstDirect() throws IOException {
        Path data = bigFile();
        Path out = tmp.resolve("out-256m");
        Map<String, Duration> times = new LinkedHashMap<>();
        for (Display[] way : new Display[][] {{host, host}, {guest, host}, {host, guest}}) {
            String label = way[0] == host && way[1] == host ? "direct (host to host on sway)" : way[0] + " to " + way[1];
            Clients.Result paste = transfer(way[0], way[1], data, false, out);
            assertSameContent(data, out, label + ", 256 MiB");
            times.put(label, paste.elapsed());
            Files.delete(out);
        }
        StringBuilder report = new StringBuilder("256 MiB clipboard transfer (wl-paste run time, " + String.join(" ", transportArgs()) + "):");
        times.forEach((k, v) -> report.append(String.format("%n  %-30s %6d ms  (%.0f MiB/s)", k, v.toMillis(),
                256.0 / (v.toNanos() / 1e9))));
        System.out.println(report);
    }

    @Test
    void primarySelectionCrossesBothWays() throws IOException {
        Path data = WlClipboard.randomFile(tmp, 4097, 7);
        Path out = tmp.resolve("out-primary");
        for (Display[] way : new Display[][] {{guest, host}, {host, guest}}) {
            transfer(way[0], way[1], data, true, out);
            assertSameContent(data, out, "primary " + way[0] + " to " + way[1]);
        }
        // The regular clipboard is a different selection: copying to primary did not touch it.
        Path other = WlClipboard.randomFile(tmp, 100, 8);
        transfer(host, guest, other, false, out);
        Clients.Result primaryAgain = WlClipboard.paste(guest, out, true, TIMEOUT);
        assertThat(primaryAgain.exitCode()).as(primaryAgain.describe()).isZero();
        assertSameContent(data, out, "primary after a clipboard copy");
    }

    /**
     * Ten pastes at once, five each way, through the data-control daemon. Not through the focus
     * fallback: there, concurrent wl-paste windows take keyboard focus from each other, and wl-clipboard
     * 2.1's wl-paste, focused a second time (enter with a nil surface, after it destroyed its window) and
     * sent a second selection, calls receive again and then waits forever on a pipe whose write end it
     * and its {@code cat} child still hold (seen in /proc: no Crossway fd on that pipe). About one round
     * in three of five concurrent pastes hung that way; one at a time never does.
     */
    @Test
    void tenTransfersAtOnceWhileAnotherClientKeepsRoundTripping() throws Exception {
        long size = 32 * MIB;
        Path clip = WlClipboard.randomFile(tmp, size, 11);
        Path prim = WlClipboard.randomFile(tmp, size, 12);
        // The guest serves the clipboard, the host the primary selection; five pastes of each at once:
        // five on the host read from the guest's wl-copy, five in the guest read from the host's.
        assertThat(WlClipboard.copy(guestDc, clip, false, TIMEOUT).exitCode()).isZero();
        assertThat(WlClipboard.copy(host, prim, true, TIMEOUT).exitCode()).isZero();

        try (RoundTripClient idle = RoundTripClient.connect(crosswayDc.socketPath())) {
            idle.startLoop();
            Thread.sleep(1000);
            RoundTripClient.Stats quiet = idle.stopLoop();
            System.out.println("round trips through Crossway, nothing else running: " + quiet);
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try (RoundTripClient renderer = RoundTripClient.connect(crosswayDc.socketPath())) {
            renderer.startLoop();
            long start = System.nanoTime();
            List<Future<Clients.Result>> pastes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                boolean toHost = i % 2 == 0;
                Path out = tmp.resolve("out-ten-" + i);
                pastes.add(pool.submit(() -> WlClipboard.paste(toHost ? host : guestDc, out, !toHost, TIMEOUT)));
            }
            List<String> times = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Clients.Result r = pastes.get(i).get();
                assertThat(r.exitCode()).as(r.describe()).isZero();
                times.add((i % 2 == 0 ? "host" : "guest") + " " + r.elapsed().toMillis() + " ms");
            }
            long allMs = (System.nanoTime() - start) / 1_000_000;
            RoundTripClient.Stats busy = renderer.stopLoop();
            System.out.println("ten 32 MiB pastes at once (5 host<-guest clipboard, 5 guest<-host primary) done in "
                    + allMs + " ms: " + times);
            System.out.println("round trips through Crossway during them: " + busy);
            for (int i = 0; i < 10; i++) {
                assertSameContent(i % 2 == 0 ? clip : prim, tmp.resolve("out-ten-" + i), "paste " + i);
                Files.delete(tmp.resolve("out-ten-" + i));
            }
            assertThat(busy.count()).as("round trips during the transfers").isPositive();
            assertThat(busy.max()).as("longest round trip (us) while ten transfers ran").isLessThan(1_000_000);
        } finally {
            pool.shutdownNow();
        }
        WlClipboard.clear(host, false, TIMEOUT);
        WlClipboard.clear(host, true, TIMEOUT);
        Files.delete(clip);
        Files.delete(prim);
    }

    @Test
    void readerLeavingMidTransferLeaksNothingAndOthersCarryOn() throws Exception {
        Path data = bigFile();
        // Quiet baseline: no guest wl-copy alive (a host copy replaces it), every guest session closed.
        assertThat(WlClipboard.copy(host, data, false, TIMEOUT).exitCode()).isZero();
        assertThat(WlClipboard.clear(host, true, TIMEOUT).exitCode()).isZero();
        awaitAllClosed();
        ProcStats baseline = crossway.stats();
        try (RoundTripClient bystander = RoundTripClient.connect(crossway.socketPath())) {
            bystander.startLoop();
            // The guest reads 1000 bytes of 256 MiB from the host and goes away.
            Path head = tmp.resolve("head-guest");
            Clients.Result r = WlClipboard.pasteHead(guest, head, false, 1000, TIMEOUT);
            System.out.println("guest: wl-paste | head -c 1000 -> exit " + r.exitCode() + " after " + r.elapsed().toMillis() + " ms");
            assertThat(Files.size(head)).isEqualTo(1000);
            // The host reads 1000 bytes from a guest wl-copy and goes away.
            assertThat(WlClipboard.copy(guest, data, false, TIMEOUT).exitCode()).isZero();
            Path headHost = tmp.resolve("head-host");
            Clients.Result r2 = WlClipboard.pasteHead(host, headHost, false, 1000, TIMEOUT);
            System.out.println("host: wl-paste | head -c 1000 -> exit " + r2.exitCode() + " after " + r2.elapsed().toMillis() + " ms");
            assertThat(Files.size(headHost)).isEqualTo(1000);
            assertThat(Files.readAllBytes(head)).isEqualTo(Files.readAllBytes(headHost));

            // The guest's wl-copy still serves: a full paste afterwards is bit-exact.
            Path out = tmp.resolve("out-after-head");
            Clients.Result full = WlClipboard.paste(host, out, false, TIMEOUT);
            assertThat(full.exitCode()).as(full.describe()).isZero();
            assertSameContent(data, out, "full paste after an aborted one");
            Files.delete(out);
            RoundTripClient.Stats stats = bystander.stopLoop();
            System.out.println("bystander session during the aborted transfers: " + stats);
            assertThat(stats.count()).isPositive();
        }
        assertThat(crossway.isAlive()).isTrue();
        // End the guest's wl-copy (a host copy replaces its selection), then every session is gone.
        assertThat(WlClipboard.clear(host, false, TIMEOUT).exitCode()).isZero();
        awaitAllClosed();
        ProcStats after = awaitFds(baseline.openFds(), Duration.ofSeconds(10));
        System.out.println("Crossway before: " + baseline + "; after: " + after);
        assertThat(after.openFds()).as("Crossway's open fds back to baseline").isEqualTo(baseline.openFds());
    }

    @Test
    void gtkPrimarySelectionIsOfferedAsAnAliasOfTheHostsZwpOne() throws Exception {
        Map<String, Integer> direct = Clients.versionsByName(Clients.parseGlobals(sway.run(TIMEOUT, "wayland-info").stdout()));
        assertThat(direct).containsKey(ZWP_MANAGER).doesNotContainKey(GTK_MANAGER);
        Clients.Result info = Clients.run(crosswayDir, crossway.socketPath().toString(), TIMEOUT, "wayland-info");
        List<Clients.Global> relayed = Clients.parseGlobals(info.stdout());
        System.out.println("through Crossway: " + relayed.stream().filter(g -> g.name().contains("primary_selection")).toList());
        Clients.Global zwp = relayed.stream().filter(g -> g.name().equals(ZWP_MANAGER)).findFirst().orElseThrow();
        assertThat(relayed).anySatisfy(g -> {
            assertThat(g.name()).isEqualTo(GTK_MANAGER);
            assertThat(g.version()).isEqualTo(1);
        });

        // No GTK 3 here: a raw client binds the alias, makes a source and offers a type; the host
        // (which knows only zwp) must take it all without a protocol error.
        try (RawClient c = RawClient.connect(crossway.socketPath())) {
            Map<String, int[]> globals = c.globals();
            int[] alias = globals.get(GTK_MANAGER);
            assertThat(alias).isNotNull();
            assertThat(Integer.toUnsignedLong(alias[0])).isEqualTo(Integer.toUnsignedLong(zwp.id() | 0x80000000));
            int manager = c.newId();
            c.bind(alias[0], GTK_MANAGER, 1, manager);
            int source = c.newId();
            c.send(manager, 0, ints(source)); // gtk_primary_selection_device_manager.create_source(new id)
            c.send(source, 0, string("text/plain")); // gtk_primary_selection_source.offer("text/plain")
            c.send(source, 1, new byte[0]); // gtk_primary_selection_source.destroy
            assertThat(c.roundTrip()).as("no wl_display.error after using the alias").isNull();
        }
    }

    @Test
    void dataControlIsRelayedWhenGrantedAndNeedsNoFocus() throws Exception {
        Display dc = guestDc;
        Map<String, Integer> relayed = Clients.versionsByName(Clients.parseGlobals(
                Clients.run(crosswayDir, dc.display(), TIMEOUT, "wayland-info").stdout()));
        assertThat(relayed).containsEntry(DATA_CONTROL, 2);
        Map<String, Integer> plain = Clients.versionsByName(Clients.parseGlobals(
                Clients.run(crosswayDir, guest.display(), TIMEOUT, "wayland-info").stdout()));
        assertThat(plain).as("not granted, the global is hidden").doesNotContainKey(DATA_CONTROL);

        Path data = WlClipboard.randomFile(tmp, MIB + 3, 21);
        Path out = tmp.resolve("out-dc");
        Display traced = dc.withEnv(Map.of("WAYLAND_DEBUG", "client"));
        for (boolean primary : new boolean[] {false, true}) {
            for (Display[] way : new Display[][] {{traced, host}, {host, traced}}) {
                Clients.Result copy = WlClipboard.copy(way[0], data, primary, TIMEOUT);
                assertThat(copy.exitCode()).as(copy.describe()).isZero();
                Clients.Result paste = WlClipboard.paste(way[1], out, primary, TIMEOUT);
                assertThat(paste.exitCode()).as(paste.describe()).isZero();
                String what = "data-control " + (primary ? "primary " : "") + way[0] + " to " + way[1];
                assertSameContent(data, out, what);
                String trace = (way[0] == traced ? copy : paste).stderr();
                assertThat(trace).as(what + ": the guest-side client used data-control").contains(DATA_CONTROL + "@");
                assertThat(trace).as(what + ": and made no surface (needs no focus)").doesNotContain("create_surface");
            }
        }
        Files.delete(out);
        Files.delete(data);
        WlClipboard.clear(host, false, TIMEOUT);
        WlClipboard.clear(host, true, TIMEOUT);
    }

    private Path bigFile() {
        if (big == null) {
            long start = System.nanoTime();
            big = WlClipboard.randomFile(tmp, 256 * MIB, 256);
            System.out.println("generated 256 MiB of random data in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
        return big;
    }

    /**
     * Waits until Crossway serves no session: each has two relay threads named
     * {@code crossway-client-N-...}, which {@code /proc} shows cut to 15 characters.
     */
    private void awaitAllClosed() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sessionThreads() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Crossway still has " + sessionThreads() / 2 + " session(s) after 10 s: "
                        + crossway.stats().threadNames());
            }
            Thread.sleep(50);
        }
    }

    private long sessionThreads() {
        return crossway.stats().threadNames().stream().filter(n -> n.startsWith("crossway-clien")).count();
    }

    private ProcStats awaitFds(int fds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ProcStats s = crossway.stats();
        while (s.openFds() != fds && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = crossway.stats();
        }
        return s;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.nativeOrder());
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 1 + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(4 + padded).order(ByteOrder.nativeOrder());
        b.putInt(bytes.length + 1).put(bytes);
        return b.array();
    }

    /** A bare Wayland client on the JDK's AF_UNIX channel: registry, bind, raw requests, round trips. */
    private static final class RawClient implements AutoCloseable {
        private final SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());
        private final Map<String, int[]> globals = new LinkedHashMap<>();
        /** libwayland-server takes new client ids only in sequence (its wl_map grows by one). */
        private int nextId = 3;
        private String error;

        private RawClient(SocketChannel ch) {
            this.ch = ch;
        }

        static RawClient connect(Path socket) throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new RawClient(ch);
        }

        int newId() {
            return nextId++;
        }

        /** get_registry as object 2, then a round trip: interface name to {name, version}. */
        Map<String, int[]> globals() throws IOException {
            send(1, 1, ints(2));
            String problem = roundTrip();
            if (problem != null) {
                throw new IOException("wl_display.error during the registry round trip: " + problem);
            }
            return globals;
        }

        void bind(int name, String iface, int version, int id) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
            b.putInt(name).put(string(iface)).putInt(version).putInt(id);
            byte[] args = new byte[b.position()];
            b.flip().get(args);
            send(2, 0, args);
        }

        void send(int id, int opcode, byte[] args) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(8 + args.length).order(ByteOrder.nativeOrder());
            b.putInt(id).putInt((8 + args.length) << 16 | opcode).put(args).flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        /** wl_display.sync and wait for its done; returns the wl_display.error text if one came first. */
        String roundTrip() throws IOException {
            int cb = newId();
            send(1, 0, ints(cb));
            while (true) {
                in.flip();
                while (in.remaining() >= 8) {
                    int pos = in.position();
                    int id = in.getInt(pos);
                    int word = in.getInt(pos + 4);
                    int size = word >>> 16;
                    if (in.remaining() < size) {
                        break;
                    }
                    int op = word & 0xffff;
                    if (id == 2 && op == 0) {
                        int name = in.getInt(pos + 8);
                        int len = in.getInt(pos + 12);
                        String iface = new String(in.array(), pos + 16, len - 1, StandardCharsets.UTF_8);
                        int version = in.getInt(pos + 16 + ((len + 3) & ~3));
                        globals.put(iface, new int[] {name, version});
                    } else if (id == 1 && op == 0) {
                        int len = in.getInt(pos + 16);
                        error = new String(in.array(), pos + 20, Math.max(0, len - 1), StandardCharsets.UTF_8);
                    } else if (id == cb && op == 0) {
                        in.position(pos + size);
                        in.compact();
                        return error;
                    }
                    in.position(pos + size);
                }
                in.compact();
                if (ch.read(in) < 0) {
                    return error != null ? error : "connection closed";
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
